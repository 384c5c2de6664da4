"""Activation layers: ReLU, LeakyReLU, PReLU, ELU and Softmax (mirror
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
not the function's 0.2). PReLU: relu(x) - alpha relu(-x) with a trainable
``alpha`` of the input's shape (size 1 along ``shared_axes``), as Keras
composes it: gradient 1 where x > 0, alpha where x < 0 and 0 at x = 0 (the
two relus' gradients); dLoss/dalpha = -sum g relu(-x) over the batch and the
shared axes. ELU(alpha=1): x if x > 0 else alpha (exp(x) - 1),
gradient alpha exp(x) there. Softmax(axis=-1): exp(x) / sum exp(x) along
``axis``, gradient y (g - sum(g y)).
"""

import numpy as np

from deepkit.reference import activations, initializers
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
class PReLU(Layer):
    """x if x > 0 else alpha * x, with ``alpha`` a trainable weight (Keras's "alpha").

    Args:
        alpha_initializer: the initializer of alpha (Keras's "Zeros").
        shared_axes: an axis or a list of axes (>= 1, the batch axis is 0)
            along which one alpha serves every position; None: one alpha per
            input element. ``alpha_regularizer`` and ``alpha_constraint`` are taken
            as by every layer.

    Raises:
        InputError: for a shared axis below 1.
    """

    def __init__(self, alpha_initializer="Zeros", shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        if shared_axes is not None and not isinstance(shared_axes, (list, tuple)):
            shared_axes = [shared_axes]
        if shared_axes is not None and not all(
            isinstance(a, (int, np.integer)) and a >= 1 for a in shared_axes
        ):
            raise InputError(f"PReLU shared_axes must be axes >= 1, got {shared_axes!r}")
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]
        self.alpha_initializer = initializers.get(alpha_initializer)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            if axis >= len(input_shape):
                raise InputError(
                    f"PReLU shared axis {axis} is not an axis of inputs of shape "
                    f"{tuple(input_shape)}"
                )
            shape[axis - 1] = 1
        self.add_weight("alpha", tuple(shape), self.alpha_initializer)
        self.built = True

    def call(self, inputs, training=False):
        kind = inputs.dtype.type
        self._inputs = inputs
        return np.maximum(inputs, kind(0)) + -self.alpha * np.maximum(-inputs, kind(0))

    def backward(self, grad):
        x = self._inputs
        kind = x.dtype.type
        summed = (0,) + tuple(self.shared_axes or ())
        self.grads["alpha"][...] = np.sum(
            -grad * np.maximum(-x, kind(0)), axis=summed, keepdims=True
        )[0]
        if not self.propagate:
            return None
        return grad * (x > 0) + grad * self.alpha * (x < 0)

    def get_config(self):
        return {
            **super().get_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "shared_axes": self.shared_axes,
        }


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
