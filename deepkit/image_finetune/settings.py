"""The settings of a fine-tune on a folder of pictures, declared once: ``run()``'s keywords,
the command line (``deepkit finetune``), the checks before any work (nothing here imports
TensorFlow) and the checkpoint's record.

A base is a ``keras.applications`` name (its input at least the network's least side) or a
``.keras`` file (which holds its own weights: ``weights`` goes with an application only).
Phase 2 needs both ``unfreeze`` and ``fine_tune_epochs``; early stopping needs a
validation set.
"""

import dataclasses
from pathlib import Path

from deepkit.applications import check_application
from deepkit.image_pipeline import PREPROCESSING
from deepkit.recipes.checks import check_writable_folder
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting
from deepkit.validation import InputError

DEFAULT_SIZE = 224  # a keras.applications network's input when none is given


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """What a fine-tune starts from, on which pictures, how it trains and where it saves.

    Example:
        >>> Settings(base="MobileNetV2", images="pictures", weights="none").preprocessing
        'auto'
    """

    base: str = setting(
        None,
        "a keras.applications name (e.g. MobileNetV2) or a .keras file",
        kind=str,
        cli=False,
    )
    images: str = setting(
        None, "the folder of pictures, one sub-folder per class", kind=str, metavar="DIR"
    )
    weights: str = setting(
        None,
        "a keras.applications base's weights: imagenet (the default; Keras's cache, "
        "~/.keras/models/), a weights FILE of that architecture, or none (random)",
        kind=str,
        metavar="imagenet|FILE|none",
    )
    image_size: int = setting(
        None,
        f"the side of the square input pictures are resized to (default: a .keras base's "
        f"own, {DEFAULT_SIZE} for a keras.applications network)",
        kind=int,
        min_value=1,
        metavar="N",
    )
    preprocessing: str = setting(
        "auto",
        "what pictures go through before the network: auto (the application's own "
        "preprocess_input; none for a .keras base), none (pixels 0-255), rescale (/255) "
        "or a keras.applications family",
        choices=("auto", *PREPROCESSING),
        metavar="NAME",
    )
    validation_split: float = setting(
        0.2,
        "share of the pictures held out to validate (stratified, carved by --seed)",
        min_value=0.0,
        max_value=1.0,
        include_max=False,
    )
    epochs: int = setting(
        10, "phase 1: epochs training the new head on the frozen base", min_value=1
    )
    learning_rate: float = setting(1e-3, "phase 1's learning rate (Adam)", min_value=0.0, include_min=False)  # fmt: skip
    unfreeze: int = setting(
        0,
        "phase 2: the base's top layers to unfreeze (BatchNormalization stays frozen)",
        min_value=0,
        metavar="N",
    )
    fine_tune_epochs: int = setting(0, "phase 2's epochs", min_value=0)
    fine_tune_learning_rate: float = setting(1e-5, "phase 2's learning rate (Adam)", min_value=0.0, include_min=False)  # fmt: skip
    batch_size: int = setting(32, "pictures per batch", min_value=1)
    dropout: float = setting(
        0.2, "dropout before the new head", min_value=0.0, max_value=1.0, include_max=False
    )
    patience: int = setting(
        None,
        "early stopping: end a phase after N epochs without a lower validation loss, "
        "keeping its best epoch's weights",
        kind=int,
        min_value=0,
        metavar="N",
    )
    augment: bool = setting(
        False, "random flips, rotations and zooms of the training pictures (Keras's layers)"
    )
    skip_bad_images: bool = setting(
        False, "leave out unreadable, non-picture and too small files instead of refusing"
    )
    seed: int = seed_setting("seeds the head, the validation carve, the order and augmentation")
    save_dir: str = setting(
        None,
        "save the classifier here (model.keras and classifier.json), for "
        "`deepkit predict images DIR PATH...`",
        kind=str,
        metavar="DIR",
        record=False,
    )
    checkpoint_dir: str = setting(
        None,
        "save every epoch here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )

    @property
    def application(self):
        """The ``keras.applications`` name of the base, or ``None`` for a ``.keras`` file."""
        return None if self.base is None or self.base.endswith(".keras") else self.base

    def check(self):
        if self.base is not None:
            if self.application is None:
                if not Path(self.base).expanduser().is_file():
                    raise InputError(f"base {self.base}: no such .keras file")
                if self.weights is not None:
                    raise InputError(
                        "weights go with a keras.applications base; a .keras file holds its own"
                    )
            else:
                size = self.image_size or DEFAULT_SIZE
                check_application(self.application, (size, size, 3))
                if self.weights not in (None, "imagenet", "none"):
                    if not Path(self.weights).expanduser().is_file():
                        raise InputError(
                            f"weights {self.weights}: no such file (give imagenet, a "
                            "weights file or none)"
                        )
        if self.images is not None and not Path(self.images).expanduser().is_dir():
            raise InputError(f"images folder {self.images}: no such folder")
        if self.patience is not None and not self.validation_split:
            raise InputError("early stopping (patience) needs a validation_split above 0")
        if bool(self.unfreeze) != bool(self.fine_tune_epochs):
            raise InputError(
                f"unfreeze={self.unfreeze} and fine_tune_epochs={self.fine_tune_epochs}: "
                "give both (phase 2) or neither"
            )
        for name in ("save_dir", "checkpoint_dir"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, check_writable_folder(getattr(self, name), name))
