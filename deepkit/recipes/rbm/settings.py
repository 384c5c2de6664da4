"""The RBM recipe's settings, declared once: ``run()``'s keywords, ``deepkit run rbm``'s
options, their checks and the checkpoint folder's record all come from ``Settings``.

The defaults follow Salakhutdinov's released RBM code (the code of Salakhutdinov &
Murray 2008's experiments): 500 hidden units, batches of 100, learning rate 0.05 divided
by ceil(epoch / 20) (``decay_every``), momentum 0.5 for 5 epochs then 0.9, training
images binarized afresh, v ~ Bernoulli(pixel), each time they are used; and Hinton's
weight cost 2e-4.
"""

import dataclasses

from deepkit import settings as declared
from deepkit.recipes.checks import check_plot, check_writable_folder
from deepkit.recipes.dbn.settings import MAX_LEARNING_RATE
from deepkit.recipes.mnist_classifier import limit_setting, path_setting, validation_split_setting
from deepkit.validation import InputError

BINARIZATIONS = ("stochastic", "threshold")


@dataclasses.dataclass(frozen=True)
class Settings(declared.Settings):
    """The RBM recipe's settings (defaults: CD-1, 500 hidden units, 50 epochs).

    Example:
        >>> Settings(k=3).k
        3
        >>> Settings(final_momentum=1.5)
        Traceback (most recent call last):
        ...
        deepkit.validation.InputError: final_momentum must be a number >= 0.0 and <= 1.0, got 1.5
    """

    hidden: int = declared.setting(500, "hidden units", min_value=1)
    epochs: int = declared.setting(50, "training epochs", min_value=1)
    batch_size: int = declared.setting(
        100, "images per update (and persistent chains)", min_value=1
    )
    learning_rates: tuple = declared.setting(
        (0.05,),
        "SGD learning rates; the one with the best validation log-likelihood is kept",
        kind=float,
        min_value=0.0,
        include_min=False,
        max_value=MAX_LEARNING_RATE,
        sequence=True,
    )
    decay_every: int = declared.setting(
        20, "divide the learning rate by ceil(epoch / N), epochs from 1 (0: constant)", min_value=0
    )
    initial_momentum: float = declared.setting(
        0.5, "momentum of the first epochs", min_value=0.0, max_value=1.0
    )
    final_momentum: float = declared.setting(
        0.9, "momentum after them", min_value=0.0, max_value=1.0
    )
    momentum_epoch: int = declared.setting(
        5, "the epoch (from 0) at which the final momentum takes over", min_value=0
    )
    weight_decay: float = declared.setting(2e-4, "L2 weight cost", min_value=0.0)
    k: int = declared.setting(1, "Gibbs steps per update (CD-k)", min_value=1)
    persistent: bool = declared.setting(False, "persistent contrastive divergence (PCD-k)")
    binarization: str = declared.setting(
        "stochastic",
        "stochastic: v ~ Bernoulli(pixel), drawn afresh for every training batch and once "
        "(seeded) for the validation and test images; threshold: pixel > 0.5",
        choices=BINARIZATIONS,
    )
    validation_split: float = validation_split_setting("to choose the learning rate")
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = declared.seed_setting(
        "seeds the weights, the split, the data order, the binarization and AIS"
    )
    # Neither saved in a checkpoint folder nor read by its stages: a rerun may change them.
    ais_runs: int = declared.setting(100, "AIS chains", min_value=2, record=False)
    ais_betas: int = declared.setting(
        14500, "AIS intermediate distributions", min_value=3, record=False
    )
    plot: str = declared.setting(
        None, "save the RBM's filters and samples here", kind=str, metavar="DIR", record=False
    )
    checkpoint_dir: str = declared.setting(
        None,
        "save every epoch of every RBM here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )

    def check(self):
        """The checks between fields, and the output folders made sure of."""
        if len(set(self.learning_rates)) != len(self.learning_rates):
            raise InputError(f"learning_rates must differ, got {self.learning_rates}")
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot, suffix=None))
        if self.checkpoint_dir is not None:
            folder = check_writable_folder(self.checkpoint_dir, "checkpoint_dir")
            object.__setattr__(self, "checkpoint_dir", folder)
