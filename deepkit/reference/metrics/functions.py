"""The metrics that are a mean over samples (mirror keras/src/metrics/accuracy_metrics.py,
regression_metrics.py, probabilistic_metrics.py and hinge_metrics.py).

Keras's ``MeanMetricWrapper`` has one value per sample and reports the running mean over
samples; each function here returns the *sum* of those per-sample values over the batch,
so ``fit`` and ``evaluate`` divide running sums by sample counts.

Per sample (a mean over the last axis, and over any other non-batch axis):

- binary_accuracy: [y_true == (y_pred > threshold)], threshold 0.5;
- categorical_accuracy: [argmax y_true == argmax y_pred] (first maximum on ties);
- sparse_categorical_accuracy: [y_true == argmax y_pred];
- mean_absolute_error ("mae"): |y_true - y_pred|;
- mean_squared_error ("mse"): (y_true - y_pred)^2;
- the losses Keras also reports as metrics (``LOSS_METRICS``): the loss of that sample.
  Inside ``fit`` and ``evaluate``, as for the loss, Keras computes a cross-entropy
  metric from the logits a final sigmoid or softmax cached on the output (whatever its
  ``from_logits``): see ``batch_sum``.
"""

import numpy as np

from deepkit.reference import losses


def _per_sample_sum(values, n):
    """The sum over samples of each sample's mean value (values: batch axis first)."""
    return values.reshape(n, -1).mean(axis=1).sum() if values.size else 0.0


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per sample: mean over the last axis of [y_true == (y_pred > threshold)]."""
    return np.count_nonzero(y_true == (y_pred > threshold)) / y_pred.shape[-1]


def categorical_accuracy(y_true, y_pred):
    """Per sample: [argmax(y_true) == argmax(y_pred)]."""
    return np.count_nonzero(y_true.argmax(axis=-1) == y_pred.argmax(axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: [y_true == argmax(y_pred)], y_true holding class indices."""
    if y_true.ndim == y_pred.ndim:
        y_true = y_true[..., 0]
    return np.count_nonzero(y_true == y_pred.argmax(axis=-1))


def mean_absolute_error(y_true, y_pred):
    """Per sample: mean of |y_true - y_pred| (y_true already shaped like y_pred)."""
    return float(_per_sample_sum(np.abs(y_true - y_pred), len(y_pred)))


def mean_squared_error(y_true, y_pred):
    """Per sample: mean of (y_true - y_pred)^2 (y_true already shaped like y_pred)."""
    diff = y_true - y_pred
    return float(_per_sample_sum(diff * diff, len(y_pred)))


def loss_metric(loss_class, name):
    """The metric function of a loss: n times its batch mean, the sum of its per-sample
    values (every sample holds as many values, so the mean of means is the mean)."""

    def metric(y_true, y_pred, **settings):
        return loss_class(**settings)(y_true, y_pred) * len(y_pred)

    metric.__name__ = metric.__qualname__ = name
    metric.__doc__ = f"Per sample: the {loss_class.__name__} loss of that sample."
    metric.loss_class = loss_class
    return metric


def batch_sum(fn, y_true, y_pred, logits, activation, **settings):
    """``fn(y_true, y_pred, **settings)``, except that a loss metric whose loss Keras
    computes from the logits of the output's final ``activation`` (a cross-entropy
    after a sigmoid or softmax) is computed from ``logits``."""
    loss_class = getattr(fn, "loss_class", None)
    if loss_class is not None:
        loss = loss_class(**settings)
        if loss.uses_logits_of(activation):
            return loss.with_logits()(y_true, logits) * len(y_pred)
    return fn(y_true, y_pred, **settings)


# Keras's metric class -> the reference loss it averages, for the losses Keras also
# offers as metrics; each function is named as Keras names the class in snake case.
LOSS_METRICS = {
    "MeanAbsolutePercentageError": losses.MeanAbsolutePercentageError,
    "MeanSquaredLogarithmicError": losses.MeanSquaredLogarithmicError,
    "LogCoshError": losses.LogCosh,
    "BinaryCrossentropy": losses.BinaryCrossentropy,
    "CategoricalCrossentropy": losses.CategoricalCrossentropy,
    "SparseCategoricalCrossentropy": losses.SparseCategoricalCrossentropy,
    "KLDivergence": losses.KLDivergence,
    "Poisson": losses.Poisson,
    "Hinge": losses.Hinge,
    "SquaredHinge": losses.SquaredHinge,
    "CategoricalHinge": losses.CategoricalHinge,
}
