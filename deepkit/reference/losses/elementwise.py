"""Losses that are a mean over every element (mirror keras/src/losses/losses.py).

With ``e = y_pred - y_true`` and eps = 1e-7 (Keras's ``backend.epsilon()``),
per element:

- mean_squared_error: e^2; mean_absolute_error: |e|;
- mean_absolute_percentage_error: 100 |e| / max(|y_true|, eps);
- mean_squared_logarithmic_error: (log(max(p, eps) + 1) - log(max(y, eps) + 1))^2;
- huber: e^2 / 2 where |e| <= delta, else delta |e| - delta^2 / 2;
- log_cosh: e + softplus(-2 e) - log 2 (= log cosh e, log 2 rounded to float32
  as Keras computes it), gradient tanh(e);
- poisson: p - y log(p + eps);
- hinge: max(1 - y p, 0) and squared_hinge: max(1 - y p, 0)^2, where labels
  that are all 0 or 1 (in the batch) become -1 or 1 first.

Gradients follow TensorFlow's conventions at the kinks: |x| has gradient 0 at
0; ``maximum(a, b)`` sends the gradient to ``a`` on ties; a clip passes the
gradient where the value lies inside the closed interval.
"""

import numpy as np

from deepkit.reference.losses.base import EPSILON, MeanLoss
from deepkit.validation import InputError


class MeanSquaredError(MeanLoss):
    """Per element (p - y)^2; gradient 2 (p - y)."""

    name = "mean_squared_error"

    def terms(self, y_true, y_pred):
        diff = y_pred - y_true
        return diff * diff, 2 * diff


class MeanAbsoluteError(MeanLoss):
    """Per element |p - y|; gradient sign(p - y) (0 where they are equal)."""

    name = "mean_absolute_error"

    def terms(self, y_true, y_pred):
        diff = y_pred - y_true
        return np.abs(diff), np.sign(diff)


class MeanAbsolutePercentageError(MeanLoss):
    """Per element 100 |y - p| / max(|y|, eps); gradient 100 sign(p - y) / max(|y|, eps)."""

    name = "mean_absolute_percentage_error"

    def terms(self, y_true, y_pred):
        scale = np.maximum(np.abs(y_true), y_pred.dtype.type(EPSILON))
        ratio = (y_true - y_pred) / scale
        return 100 * np.abs(ratio), -100 * np.sign(ratio) / scale


class MeanSquaredLogarithmicError(MeanLoss):
    """Per element (log(max(p, eps) + 1) - log(max(y, eps) + 1))^2; the gradient
    2 (difference) / (max(p, eps) + 1) where p >= eps, else 0."""

    name = "mean_squared_logarithmic_error"

    def terms(self, y_true, y_pred):
        eps = y_pred.dtype.type(EPSILON)
        shifted = np.maximum(y_pred, eps) + 1
        diff = np.log(shifted) - np.log(np.maximum(y_true, eps) + 1)
        return diff * diff, 2 * diff / shifted * (y_pred >= eps)


class Huber(MeanLoss):
    """Per element e^2 / 2 where |e| <= delta, else delta |e| - delta^2 / 2 (e = p - y);
    gradient e, or delta sign(e).

    Args:
        delta: where the loss turns from quadratic to linear (Keras's 1.0).
    """

    name = "huber"

    def __init__(self, delta=1.0):
        super().__init__()
        if not delta > 0:
            raise InputError(f"huber delta must be positive, got {delta!r}")
        self.delta = float(delta)

    def terms(self, y_true, y_pred):
        e = y_pred - y_true
        a, delta = np.abs(e), y_pred.dtype.type(self.delta)
        inside = a <= delta
        values = np.where(inside, 0.5 * e * e, delta * a - 0.5 * delta * delta)
        return values, np.where(inside, e, delta * np.sign(e))

    def get_config(self):
        return {"delta": self.delta}


class LogCosh(MeanLoss):
    """Per element e + softplus(-2 e) - log 2 = log cosh(e), e = p - y; gradient tanh(e)."""

    name = "log_cosh"

    def terms(self, y_true, y_pred):
        e = y_pred - y_true
        # Keras computes log 2 in float32 whatever the dtype (ops.log(2.0)).
        values = e + np.logaddexp(0, -2 * e) - y_pred.dtype.type(np.log(np.float32(2)))
        return values, np.tanh(e)


class Poisson(MeanLoss):
    """Per element p - y log(p + eps); gradient 1 - y / (p + eps)."""

    name = "poisson"

    def terms(self, y_true, y_pred):
        shifted = y_pred + y_pred.dtype.type(EPSILON)
        return y_pred - y_true * np.log(shifted), 1 - y_true / shifted


def _hinge_labels(y_true):
    """Keras's convert_binary_labels_to_hinge: labels all 0 or 1 become -1 or 1."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2 * y_true - 1
    return y_true


class Hinge(MeanLoss):
    """Per element max(1 - y p, 0) (0/1 labels mapped to -1/1); gradient -y where
    1 - y p >= 0."""

    name = "hinge"

    def terms(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        margin = 1 - y * y_pred
        return np.maximum(margin, 0), -y * (margin >= 0)


class SquaredHinge(MeanLoss):
    """Per element max(1 - y p, 0)^2 (0/1 labels mapped to -1/1); gradient
    -2 y max(1 - y p, 0)."""

    name = "squared_hinge"

    def terms(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        margin = np.maximum(1 - y * y_pred, 0)
        return margin * margin, -2 * y * margin
