"""Accuracy metrics (mirror keras/src/metrics/accuracy_metrics.py).

Keras's metric has one value per sample and reports the running mean over
samples; each function here returns the *sum* of those per-sample values over
the batch, so ``fit`` and ``evaluate`` divide running sums by sample counts.
"""

import numpy as np

from deepkit.validation import InputError


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


METRICS = {
    f.__name__: f for f in (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy)
}


def get(identifier, y_true_shape, y_pred_shape):
    """(name, function) for a metric. "accuracy"/"acc" picks one by the shapes, as
    Keras's compile_utils.get_metric: binary when y_pred's last axis is 1, sparse
    when y_true has lower rank (or a last axis of 1), else categorical."""
    if identifier in ("accuracy", "acc"):
        if y_pred_shape[-1] == 1:
            return identifier, binary_accuracy
        if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
            return identifier, sparse_categorical_accuracy
        return identifier, categorical_accuracy
    if identifier in METRICS:
        return identifier, METRICS[identifier]
    raise InputError(
        f"unknown metric {identifier!r}; choose accuracy or one of {', '.join(METRICS)}"
    )
