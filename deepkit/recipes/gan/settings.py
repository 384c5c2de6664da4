"""The GAN recipe's settings, each declared once: the GAN and its variants, its training,
the validation split the variants are chosen on, the sample measures and their judge."""

import dataclasses
import os

from deepkit.recipes.checks import check_plot, check_writable, check_writable_folder
from deepkit.recipes.gan import classifier
from deepkit.recipes.gan.training import VARIANTS
from deepkit.recipes.mnist_classifier import limit_setting, path_setting, validation_split_setting
from deepkit.settings import Settings as RecipeSettings
from deepkit.settings import seed_setting, setting
from deepkit.training import engine_setting
from deepkit.validation import InputError

ARCHS = ("mlp", "dcgan")


@dataclasses.dataclass(frozen=True)
class Settings(RecipeSettings):
    """The GAN recipe's settings: the GAN, its training, the sample measures and their judge.

    ``classifier_filters`` may also be given as a list of ints (``(8, 16)``). The
    accuracy floor, the output paths and the checkpoint folder are not in the record:
    changing them does not make another run.

    Example:

    >>> Settings(conditional=True, epochs=80).record()["epochs"]
    80
    """

    conditional: bool = setting(False, "feed digit labels to both nets")
    arch: str = setting("mlp", "the pair of networks: dense (mlp) or convolutional", choices=ARCHS)
    engine: str = engine_setting()
    epochs: int = setting(30, "training epochs", min_value=1)
    batch_size: int = setting(128, "images per adversarial step", min_value=1)
    latent_dim: int = setting(100, "noise numbers the generator starts from", min_value=1)
    learning_rate: float = setting(
        2e-4, "Adam's learning rate, both nets", min_value=0.0, include_min=False
    )
    label_smoothing: float = setting(
        0.0, "one-sided label smoothing s: real target 1 - s", min_value=0.0, max_value=1.0,
        include_max=False,
    )  # fmt: skip
    d_steps: int = setting(1, "discriminator steps per generator step", min_value=1)
    variants: str = setting(
        ("base",),
        "GANs to compare on validation, the lowest Fréchet distance kept: base, or levers "
        "joined by + (mbstd: minibatch std feature in D; ema: sample with the moving average "
        "of G's weights; ttur: D's own learning rate)",
        kind=str,
        choices=VARIANTS,
        sequence=True,
        metavar="VARIANT",
    )
    ema_decay: float = setting(
        0.999, "decay of the moving average of G's weights (variants with ema)",
        min_value=0.0, max_value=1.0, include_max=False,
    )  # fmt: skip
    d_learning_rate: float = setting(
        4e-4, "D's Adam learning rate (variants with ttur; G's stays learning_rate)",
        min_value=0.0, include_min=False,
    )  # fmt: skip
    validation_split: float = validation_split_setting(
        "to choose among the variants (the GANs and the judge train on the rest)"
    )
    samples: int = setting(10000, "images per quality measure", min_value=4)
    measure_every: int = setting(
        0, "also measure the samples every N epochs (0: at the end only)", min_value=0
    )
    classifier: str = setting(
        None,
        "a .keras MNIST classifier to measure with (default: deepkit's CNN, trained for "
        "these settings and cached in $KERAS_HOME/deepkit)",
        kind=str,
        metavar="FILE",
    )
    classifier_epochs: int = setting(3, "epochs of deepkit's CNN, if trained", min_value=1)
    classifier_filters: str = setting(
        "32,64", "Conv2D filters of deepkit's CNN, comma-separated", metavar="F,F"
    )
    min_classifier_accuracy: float = setting(
        0.95,
        "refuse to measure with a classifier less accurate on the test images",
        min_value=0.0,
        max_value=1.0,
        record=False,
    )
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = seed_setting("seeds the weights, the data order, the noise and the classifier")
    plot: str = setting(
        None, "save a grid of samples per epoch (and the model) in this folder", kind=str,
        metavar="DIR", record=False,
    )  # fmt: skip
    save: str = setting(
        None, "save the trained GAN (.keras)", kind=str, metavar="FILE", record=False
    )
    checkpoint_dir: str = setting(
        None,
        "save every epoch here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )

    def __post_init__(self):
        """``classifier_filters`` given as a list written as text, then every field's checks."""
        filters = self.classifier_filters
        if isinstance(filters, list | tuple):
            object.__setattr__(self, "classifier_filters", ",".join(map(str, filters)))
        super().__post_init__()

    def check(self):
        """The checks a field's bounds cannot make, before any data loads.

        Raises:
            InputError: bad filter counts, a given classifier that is not an existing
                ``.keras`` file, or an output path or folder that cannot be written.
        """
        classifier.parse_filters(self.classifier_filters)
        if len(set(self.variants)) != len(self.variants):
            raise InputError(f"variants must differ, got {' '.join(self.variants)}")
        if self.classifier is not None:
            given = os.path.expanduser(self.classifier)
            if not given.endswith(".keras"):
                raise InputError(f"classifier: {given}: the file name must end in .keras")
            if not os.path.isfile(given):
                raise InputError(
                    f"classifier: {given}: no such file (leave classifier unset to use "
                    "deepkit's CNN, trained for these settings and cached)"
                )
            object.__setattr__(self, "classifier", given)
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot, suffix=None))
        if self.save is not None:
            object.__setattr__(self, "save", check_writable(self.save, ".keras", "save"))
        if self.checkpoint_dir is not None:
            if self.engine == "numpy":
                raise InputError("checkpoint_dir saves Keras GANs: use it with engine='keras'")
            folder = check_writable_folder(self.checkpoint_dir, "checkpoint_dir")
            object.__setattr__(self, "checkpoint_dir", folder)

    @property
    def filters(self):
        """``classifier_filters`` as a tuple of ints."""
        return classifier.parse_filters(self.classifier_filters)
