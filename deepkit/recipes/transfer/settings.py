"""The transfer recipe's settings, declared once: ``run()``'s keywords, the command line
(``deepkit run transfer``), the checks before any work and the checkpoint's record.

The digits experiment uses every setting but ``application`` and ``image_size``; the
``keras.applications`` experiment (``application`` given) has no low-data regime, so
``low_data`` and ``low_data_epochs`` other than their defaults are refused with it.
"""

import dataclasses

from deepkit.applications import APPLICATIONS
from deepkit.recipes.checks import check_writable_folder
from deepkit.recipes.mnist_classifier import limit_setting, path_setting
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting
from deepkit.training import engine_setting
from deepkit.validation import InputError

PADDED_SIZE = 32  # the 28x28 digits with 2 pixels of zero padding on every side


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """What a transfer run trains, on which images, and where it keeps its files.

    Example:
        >>> Settings(epochs=2, limit=1200).record()["epochs"]
        2
    """

    epochs: int = setting(
        5, "epochs of pretraining, and of both arms with all the images of 5-9", min_value=1
    )
    low_data: int = setting(
        500, "training images of 5-9 in the low-data regime", min_value=1, metavar="N"
    )
    low_data_epochs: int = setting(30, "epochs of both arms in the low-data regime", min_value=1)
    batch_size: int = setting(128, "batch size", min_value=1)
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = seed_setting("seeds the weights, the data order and the low-data sample")
    application: str = setting(
        None,
        "instead, pretrain and fine-tune this keras.applications network on RGB digits, "
        "e.g. MobileNetV2 (deepkit.applications.APPLICATIONS lists them)",
        kind=str,
        choices=tuple(APPLICATIONS),
        metavar="NAME",
    )
    image_size: int = setting(
        PADDED_SIZE,
        "with --application: the side of its input (the digits padded to 32x32, then resized)",
        min_value=PADDED_SIZE,
        metavar="N",
    )
    save_dir: str = setting(
        None,
        "save the pretrained model here (else into a new temporary folder)",
        kind=str,
        metavar="DIR",
        record=False,
    )
    engine: str = engine_setting()
    checkpoint_dir: str = setting(
        None,
        "save every epoch of every training here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )

    def check(self):
        if self.application is None:
            if self.image_size != PADDED_SIZE:
                raise InputError(
                    "image_size sizes the input of a keras.applications network: "
                    "give application too"
                )
        else:
            changed = [
                name
                for name in ("low_data", "low_data_epochs")
                if getattr(self, name) != type(self).__dataclass_fields__[name].default
            ]
            if changed:
                raise InputError(f"application has no low-data regime; drop {', '.join(changed)}")
            least = APPLICATIONS[self.application]
            if self.image_size < least:
                raise InputError(
                    f"keras.applications.{self.application} takes inputs of at least "
                    f"{least}x{least}; image_size is {self.image_size}: give {least} or more"
                )
        if self.engine == "numpy" and (self.application or self.checkpoint_dir):
            raise InputError(
                "engine='numpy' trains the digits experiment without a checkpoint folder: "
                "application and checkpoint_dir are Keras's"
            )
        for name in ("save_dir", "checkpoint_dir"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, check_writable_folder(getattr(self, name), name))
