"""The gradient-flow recipe's settings, declared once: ``run()``'s keywords, ``deepkit run
gradient_flow``'s options and their checks come from ``Settings``."""

import dataclasses

from deepkit import settings as declared
from deepkit.datasets.mnist.declared import FULL_SIZES
from deepkit.recipes.checks import check_plot
from deepkit.recipes.gradient_flow.networks import VARIANTS
from deepkit.recipes.mnist_classifier import limit_setting, path_setting, validation_split_setting
from deepkit.training import validation_size
from deepkit.validation import MAX_SEED, InputError


@dataclasses.dataclass(frozen=True)
class Settings(declared.Settings):
    """The gradient-flow recipe's settings: the deep net, its inits, the steps, the data.

    Example:
        >>> Settings(depth=4, width=64).depth
        4
        >>> Settings(variants=("sigmoid-tiny",))
        Traceback (most recent call last):
        ...
        deepkit.validation.InputError: variants must be one of sigmoid-uniform, sigmoid-rbm, sigmoid-glorot, sigmoid-large, relu-he, got 'sigmoid-tiny'
    """

    variants: tuple = declared.setting(
        tuple(VARIANTS),
        "the activations and initial weights compared",
        kind=str,
        choices=tuple(VARIANTS),
        sequence=True,
    )
    depth: int = declared.setting(8, "hidden layers", min_value=1)
    width: int = declared.setting(256, "units per hidden layer", min_value=1)
    probe: int = declared.setting(
        1000, "training images in the fixed batch whose loss gradient is measured", min_value=1
    )
    steps: int = declared.setting(300, "plain SGD steps between the two measurements", min_value=1)
    batch_size: int = declared.setting(64, "images per SGD step", min_value=1)
    learning_rate: float = declared.setting(
        0.1, "SGD's learning rate, every variant", min_value=0.0, include_min=False
    )
    pretrain_epochs: int = declared.setting(2, "CD-1 epochs per RBM (sigmoid-rbm)", min_value=1)
    pretrain_images: int = declared.setting(
        10000, "training images the RBMs learn from (sigmoid-rbm)", min_value=1
    )
    validation_split: float = validation_split_setting("to score the nets after the steps")
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = declared.seed_setting(
        "seeds the initial weights (layer l: seed + l), the RBMs, the batches and the split"
    )
    plot: str = declared.setting(
        None,
        "save gradient_flow.png (norms per layer, log scale) in this folder",
        kind=str,
        metavar="DIR",
        record=False,
    )

    def check(self):
        """Each variant named once, the seeds of every layer in range, the probe batch
        within MNIST's training images (or ``limit``), the plot folder."""
        if len(set(self.variants)) != len(self.variants):
            raise InputError(f"variants must name each variant once, got {self.variants}")
        if self.seed + self.depth > MAX_SEED:
            raise InputError(
                f"seed must be <= {MAX_SEED - self.depth} for {self.depth} hidden layers "
                f"(layer l is seeded with seed + l), got {self.seed}"
            )
        images = self.limit or FULL_SIZES[0]
        self.check_images(images - validation_size(images, self.validation_split))
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot, suffix=None))

    def check_images(self, n_fit):
        """Refuse a probe batch larger than the ``n_fit`` training images left after the
        held-out ones (checked again once a file of fewer images is read)."""
        if self.probe > n_fit:
            raise InputError(
                f"probe={self.probe} exceeds the {n_fit:,} training images left after "
                "the held-out ones"
            )
