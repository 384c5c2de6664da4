"""The DBN recipe's settings, declared once: ``run()``'s keywords, ``deepkit run dbn``'s
options, their checks and the checkpoint folder's record all come from ``Settings``.

Two settings hold several values, the hidden sizes and the fine-tuning learning rates
(``--sizes 500 500 2000``): sequence settings, checked value by value.
"""

import dataclasses

from deepkit import settings as declared
from deepkit.recipes.checks import check_plot, check_writable_folder
from deepkit.recipes.mnist_classifier import limit_setting, path_setting, validation_split_setting
from deepkit.validation import MAX_SEED, InputError

# Larger learning rates are typing errors, not settings: CD-1 at 30 (600 MNIST images, 3
# epochs) already ends with a test log-likelihood below the uniform model's -784 log 2.
MAX_LEARNING_RATE = 10.0


@dataclasses.dataclass(frozen=True)
class Settings(declared.Settings):
    """The DBN recipe's settings (defaults: Hinton & Salakhutdinov 2006's 784-500-500-2000).

    Example:
        >>> Settings(sizes=(64, 32), pretrain_epochs=2).sizes
        (64, 32)
        >>> Settings(learning_rate=1e6)
        Traceback (most recent call last):
        ...
        deepkit.validation.InputError: learning_rate must be a number > 0.0 and <= 10.0, got 1000000.0
    """

    sizes: tuple = declared.setting(
        (500, 500, 2000),
        "hidden layer sizes, one RBM each",
        kind=int,
        min_value=1,
        sequence=True,
    )
    pretrain_epochs: int = declared.setting(50, "CD-1 epochs per RBM", min_value=1)
    finetune_epochs: int = declared.setting(
        100, "maximum backprop epochs (x5 in the low-label regime)", min_value=1
    )
    batch_size: int = declared.setting(100, "batch size, pretraining and fine-tuning", min_value=1)
    learning_rate: float = declared.setting(
        0.1,
        "the RBMs' learning rate",
        min_value=0.0,
        include_min=False,
        max_value=MAX_LEARNING_RATE,
    )
    finetune_learning_rates: tuple = declared.setting(
        (0.1, 0.01),
        "fine-tuning learning rates; each init keeps the best on the validation split",
        kind=float,
        min_value=0.0,
        include_min=False,
        max_value=MAX_LEARNING_RATE,
        sequence=True,
    )
    finetune_decay: float = declared.setting(
        1.0,
        "fine-tuning learning rate's factor per epoch (1: constant)",
        min_value=0.0,
        include_min=False,
        max_value=1.0,
    )
    patience: int = declared.setting(10, "early stopping on validation accuracy", min_value=1)
    refit: bool = declared.setting(
        True,
        "with all labels, train each init again on the training and validation images "
        "together, at the rate and for the epochs chosen on validation",
    )
    labels: int = declared.setting(1000, "labelled images in the low-label regime", min_value=1)
    validation_split: float = validation_split_setting("to pick the learning rate and stop")
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = declared.seed_setting()
    # Neither saved in a checkpoint folder nor read by its stages: a rerun may change them.
    ais_runs: int = declared.setting(
        100, "AIS chains (0: skip the log-likelihood)", min_value=0, record=False
    )
    ais_betas: int = declared.setting(
        14500, "AIS intermediate distributions", min_value=3, record=False
    )
    digits: bool = declared.setting(True, "the scikit-learn digits table", record=False)
    plot: str = declared.setting(
        None, "save RBM filters and samples here", kind=str, metavar="DIR", record=False
    )
    checkpoint_dir: str = declared.setting(
        None,
        "save every epoch of every RBM and net here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )

    def check(self):
        """The checks between fields, and the output folders made sure of."""
        if self.ais_runs == 1:
            raise InputError("ais_runs must be 0 (no log-likelihood) or >= 2, got 1")
        if self.seed + len(self.sizes) - 1 > MAX_SEED:
            raise InputError(
                f"seed must be <= {MAX_SEED - len(self.sizes) + 1} for {len(self.sizes)} RBMs "
                f"(RBM d is seeded with seed + d), got {self.seed}"
            )
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot, suffix=None))
        if self.checkpoint_dir is not None:
            folder = check_writable_folder(self.checkpoint_dir, "checkpoint_dir")
            object.__setattr__(self, "checkpoint_dir", folder)
