"""Losses with Keras's semantics (mirror keras/src/losses/losses.py and the
cross-entropies of keras/src/backend/tensorflow/nn.py).

Each loss reduces like Keras's default ``"sum_over_batch_size"``: a loss per
sample (averaged or summed over the last axis) then the mean over samples;
``value_and_grad(y_true, y_pred)`` returns that mean and dLoss/dy_pred.

- ``base``: the ``Loss`` class (shape checks, the Keras bridge) and ``MeanLoss``,
  the mean of per-element or per-sample terms;
- ``crossentropy``: binary, categorical and sparse categorical, from
  probabilities (clipped at 1e-7) or from logits, with ``label_smoothing``;
- ``elementwise``: the regression and hinge losses that average every element;
- ``per_sample``: KL divergence, categorical hinge, cosine similarity;
- ``lookup``: ``get`` (Keras's names and short names) and ``from_keras``.
"""

from deepkit.reference.losses.base import EPSILON, Loss, MeanLoss
from deepkit.reference.losses.crossentropy import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from deepkit.reference.losses.elementwise import (
    Hinge,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SquaredHinge,
)
from deepkit.reference.losses.lookup import (
    ALIASES,
    CLASSES,
    LOSSES,
    NOT_IMPLEMENTED,
    from_keras,
    get,
)
from deepkit.reference.losses.per_sample import CategoricalHinge, CosineSimilarity, KLDivergence

__all__ = [
    "ALIASES",
    "CLASSES",
    "EPSILON",
    "LOSSES",
    "NOT_IMPLEMENTED",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "CosineSimilarity",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "MeanAbsoluteError",
    "MeanLoss",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "from_keras",
    "get",
]
