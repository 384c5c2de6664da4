"""Activation functions and their derivatives (mirrors keras/src/activations/activations.py).

Each activation is an ``ActivationFunction`` with ``forward(x)`` and
``backward(x, y, grad)`` (the vector-Jacobian product: dLoss/dx from
dLoss/dy, given the input ``x`` and output ``y = forward(x)``). Arrays keep
their dtype; nothing is upcast.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class ActivationFunction(NamedTuple):
    name: str
    forward: Callable
    backward: Callable

    def __call__(self, x):
        return self.forward(x)


def linear(x):
    """linear(x) = x."""
    return x


def sigmoid(x):
    """sigmoid(x) = 1 / (1 + exp(-x)); exp(-x) may overflow to inf, giving the limit 0."""
    with np.errstate(over="ignore"):
        y = np.exp(-x)
    y += 1
    return np.reciprocal(y, out=y)


def tanh(x):
    """tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))."""
    return np.tanh(x)


def relu(x):
    """relu(x) = max(x, 0)."""
    return np.maximum(x, 0)


def leaky_relu(x, negative_slope=0.2):
    """leaky_relu(x) = x if x > 0 else negative_slope * x (Keras 3 default slope 0.2).

    The slope is rounded to float32 as in TensorFlow's LeakyRelu op (whose
    ``alpha`` attribute is a float32), which matters only in float64. A slope in
    [0, 1] makes it max(x, slope * x), the same numbers without a slow ``np.where``.
    """
    slope = x.dtype.type(np.float32(negative_slope))
    if 0 <= slope <= 1:
        return np.maximum(x, x * slope)
    return np.where(x > 0, x, x * slope)


def elu(x, alpha=1.0):
    """elu(x) = x if x > 0 else alpha * (exp(x) - 1)."""
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)) * x.dtype.type(alpha))


def softplus(x):
    """softplus(x) = log(1 + exp(x)), computed as log(exp(0) + exp(x)) without overflow."""
    return np.logaddexp(x.dtype.type(0), x)


def softmax(x, axis=-1):
    """softmax(x) = exp(x - max(x)) / sum(exp(x - max(x))), along ``axis``."""
    y = x - x.max(axis=axis, keepdims=True)
    np.exp(y, out=y)
    y /= y.sum(axis=axis, keepdims=True)
    return y


def _linear_grad(x, y, grad):
    return grad


def _sigmoid_grad(x, y, grad):
    # d sigmoid / dx = y (1 - y)
    return grad * y * (1 - y)


def _tanh_grad(x, y, grad):
    # d tanh / dx = 1 - y^2
    return grad * (1 - y * y)


def _relu_grad(x, y, grad):
    # 1 where x > 0, else 0 (0 at x == 0, as tf.nn.relu); sign(y) is that 0/1 mask
    # in grad's own dtype, cheaper than multiplying by a boolean array.
    return grad * np.sign(y)


def _leaky_relu_grad(x, y, grad, negative_slope=0.2):
    # 1 where x > 0, else the slope (at x == 0 too, as TensorFlow's LeakyReluGrad); for a
    # slope in [0, 1], fmax(sign(x), slope) is that factor (fmax skips a NaN as x > 0 does).
    slope = x.dtype.type(np.float32(negative_slope))
    if 0 <= slope <= 1:
        return grad * np.fmax(np.sign(x), slope)
    return np.where(x > 0, grad, grad * slope)


def _elu_grad(x, y, grad, alpha=1.0):
    # d elu / dx = 1 if x > 0 else y + alpha
    return np.where(x > 0, grad, grad * (y + x.dtype.type(alpha)))


def _softplus_grad(x, y, grad):
    # d softplus / dx = sigmoid(x)
    return grad * sigmoid(x)


def _softmax_grad(x, y, grad, axis=-1):
    # J^T g = y * (g - sum(g * y))
    return y * (grad - (grad * y).sum(axis=axis, keepdims=True))


ACTIVATIONS = {
    f.name: f
    for f in (
        ActivationFunction("linear", linear, _linear_grad),
        ActivationFunction("sigmoid", sigmoid, _sigmoid_grad),
        ActivationFunction("tanh", tanh, _tanh_grad),
        ActivationFunction("relu", relu, _relu_grad),
        ActivationFunction("leaky_relu", leaky_relu, _leaky_relu_grad),
        ActivationFunction("elu", elu, _elu_grad),
        ActivationFunction("softmax", softmax, _softmax_grad),
        ActivationFunction("softplus", softplus, _softplus_grad),
    )
}


def get(identifier):
    """An ``ActivationFunction`` from a name, ``None`` (linear) or itself."""
    if identifier is None:
        return ACTIVATIONS["linear"]
    if isinstance(identifier, ActivationFunction):
        return identifier
    if isinstance(identifier, str) and identifier in ACTIVATIONS:
        return ACTIVATIONS[identifier]
    raise ValueError(f"unknown activation {identifier!r}; choose one of {', '.join(ACTIVATIONS)}")
