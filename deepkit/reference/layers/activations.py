"""Activation layers: ReLU, LeakyReLU, ELU and Softmax (mirror
keras/src/layers/activations/ and keras/src/activations/activations.py).

Each layer is its activation function with Keras's arguments and defaults; like
``Activation``, it keeps the pre-activation input as ``logits``, so a final
``Softmax`` hands its logits to a cross-entropy inside ``fit`` as Keras does.

ReLU(max_value=m, negative_slope=a, threshold=t), as Keras composes it:

    out = clip(x if x > t else 0, 0, m) - a relu(t - x)

with gradient 1 where x > t (and out <= m), plus a where x < t. With a > 0 and
neither m nor t set, it is TensorFlow's leaky_relu (slope rounded to float32);
with m = 6 and t = 0, TensorFlow's relu6 (gradient 0 at x = 0 and x = 6).

LeakyReLU(negative_slope=0.3): x if x > 0 else a x (Keras's layer default 0.3,
not the function's 0.2). ELU(alpha=1): x if x > 0 else alpha (exp(x) - 1),
gradient alpha exp(x) there. Softmax(axis=-1): exp(x) / sum exp(x) along
``axis``, gradient y (g - sum(g y)).
"""

import numpy as np

from deepkit.reference import activations
from deepkit.reference.activations import ActivationFunction
from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError


class _ActivationLayer(Layer):
    """A layer that is its activation function: ``call`` passes the inputs through
    and the base class applies ``self.activation`` (and its derivative)."""

    def call(self, inputs, training=False):
        return inputs

    def backward(self, grad):
        return grad


def _non_negative(value, what, layer):
    if value is None or not value >= 0:
        raise InputError(f"{layer} {what} must be a number >= 0, got {value!r}")
    return value


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """Keras's relu with all its arguments (keras/src/activations/activations.py)."""
    if negative_slope != 0 and max_value is None and threshold == 0:
        return activations.leaky_relu(x, negative_slope)
    kind = x.dtype.type
    if threshold != 0:
        out = np.where(x > kind(threshold), x, kind(0))
    elif max_value == 6:
        out = np.clip(x, kind(0), kind(6))
    else:
        out = np.maximum(x, kind(0))
    if max_value is not None and max_value != 6 or (max_value == 6 and threshold != 0):
        out = np.clip(out, kind(0), kind(max_value))
    if negative_slope != 0:
        out = out - kind(negative_slope) * np.maximum(kind(threshold) - x, kind(0))
    return out


def relu_grad(x, y, grad, negative_slope=0.0, max_value=None, threshold=0.0):
    """The vector-Jacobian product of ``relu``, with TensorFlow's choices at the kinks."""
    if negative_slope != 0 and max_value is None and threshold == 0:
        return activations._leaky_relu_grad(x, y, grad, negative_slope)
    kind = x.dtype.type
    if threshold != 0:
        passes = x > kind(threshold)
    elif max_value == 6:
        passes = (x > 0) & (x < 6)
    else:
        passes = x > 0
    if max_value is not None and max_value != 6 or (max_value == 6 and threshold != 0):
        passes &= x <= kind(max_value)  # clip passes its closed interval
    out = grad * passes
    if negative_slope != 0:
        out = out + grad * (kind(negative_slope) * (x < kind(threshold)))
    return out


@register
class ReLU(_ActivationLayer):
    """Rectified linear unit with Keras's ``max_value``, ``negative_slope`` and
    ``threshold`` (see the module docstring for the formula).

    Args:
        max_value: the largest output (None: unbounded).
        negative_slope: the slope below ``threshold`` (>= 0).
        threshold: inputs at or below it give 0 (or the negative slope's value).

    Raises:
        InputError: for a negative argument, as Keras.
    """

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        if max_value is not None:
            _non_negative(max_value, "max_value", "ReLU")
        _non_negative(negative_slope, "negative_slope", "ReLU")
        _non_negative(threshold, "threshold", "ReLU")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, threshold
        settings = {
            "negative_slope": negative_slope,
            "max_value": max_value,
            "threshold": threshold,
        }
        plain = negative_slope == 0 and max_value is None and threshold == 0
        function = ActivationFunction(
            "relu" if plain else "relu_with_settings",
            lambda x: relu(x, **settings),
            lambda x, y, g: relu_grad(x, y, g, **settings),
        )
        super().__init__(activation=function, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "max_value": self.max_value,
            "negative_slope": self.negative_slope,
            "threshold": self.threshold,
        }


@register
class LeakyReLU(_ActivationLayer):
    """x if x > 0 else negative_slope * x (TensorFlow's op: the slope rounded to float32).

    Args:
        negative_slope: the slope for x <= 0 (Keras's layer default 0.3).
    """

    def __init__(self, negative_slope=0.3, **kwargs):
        _non_negative(negative_slope, "negative_slope", "LeakyReLU")
        self.negative_slope = negative_slope
        function = ActivationFunction(
            "leaky_relu",
            lambda x: activations.leaky_relu(x, negative_slope),
            lambda x, y, g: activations._leaky_relu_grad(x, y, g, negative_slope),
        )
        super().__init__(activation=function, **kwargs)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


@register
class ELU(_ActivationLayer):
    """x if x > 0 else alpha (exp(x) - 1); gradient alpha exp(x) = y + alpha there.

    Args:
        alpha: the scale of the negative part (Keras's 1.0).
    """

    def __init__(self, alpha=1.0, **kwargs):
        self.alpha = alpha
        function = ActivationFunction(
            "elu",
            lambda x: activations.elu(x, alpha),
            lambda x, y, g: activations._elu_grad(x, y, g, alpha),
        )
        super().__init__(activation=function, **kwargs)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


@register
class Softmax(_ActivationLayer):
    """exp(x) / sum exp(x) along ``axis``; as the last layer with ``axis=-1`` its
    logits feed a cross-entropy inside ``fit``, as in Keras.

    Args:
        axis: an int, or a list of one int (Keras's default -1).

    Raises:
        InputError: for several axes at once.
    """

    def __init__(self, axis=-1, **kwargs):
        if isinstance(axis, (list, tuple)):
            if len(axis) != 1:
                raise InputError(f"Softmax over several axes {axis!r} is not implemented")
            axis = axis[0]
        self.axis = int(axis)
        function = ActivationFunction(
            "softmax" if self.axis == -1 else f"softmax_axis_{self.axis}",
            lambda x: activations.softmax(x, self.axis),
            lambda x, y, g: activations._softmax_grad(x, y, g, self.axis),
        )
        super().__init__(activation=function, **kwargs)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
