"""BatchNormalization and LayerNormalization over the last axis (mirror
keras/src/layers/normalization/ and tf.nn.batch_normalization).

Both normalize with a mean m and a biased variance v (``tf.nn.moments``), then
scale and shift, computed as TensorFlow does:

    inv = rsqrt(v + epsilon) * gamma;   outputs = x * inv + (beta - m * inv)

BatchNormalization takes m and v over every axis but the last (the batch, and
time or pixels):

- training (``training=True`` and the layer trainable): m and v of the batch,
  and the moving statistics move towards them, in place, during the forward
  pass: moving = moving * momentum + batch * (1 - momentum) (Keras's
  momentum 0.99, epsilon 1e-3);
- inference, and always when the layer is frozen (``trainable=False``, as
  Keras 3 freezes it: inference mode, statistics untouched): m and v are the
  moving mean and variance.

LayerNormalization takes m and v over the last axis of each sample, in
training and inference alike (Keras's epsilon 1e-3).

Backward, with x^ = (x - m) rsqrt(v + epsilon), g = dLoss/d(outputs) and the
N values each m and v are taken over: dbeta = sum g, dgamma = sum g x^ (over
every axis but the last); when m and v come from the inputs themselves (batch
statistics, or layer normalization), with d = g gamma,

    dx = rsqrt(v + epsilon) / N (N d - sum d - x^ sum(d x^)),

and with the moving statistics simply dx = g inv. gamma and beta are the
trainable weights; moving_mean and moving_variance are weights no optimizer
touches.
"""

import numpy as np

from deepkit.reference import initializers
from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError


def _last_axis(axis, rank, layer):
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    if len(axes) != 1 or axes[0] not in (-1, rank - 1):
        raise InputError(
            f"{layer} axis={axis!r} is not implemented by the NumPy reference (only the "
            "last axis, -1)"
        )


class _Normalization(Layer):
    """gamma and beta over the last axis, and the affine map shared by both layers."""

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else int(axis)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    @classmethod
    def from_keras(cls, keras_layer):
        """The counterpart of ``keras_layer``; an axis other than the last is refused
        here already (the rank comes from the built Keras layer)."""
        layer = super().from_keras(keras_layer)
        shapes = list((getattr(keras_layer, "_build_shapes_dict", None) or {}).values())
        rank = len(shapes[0]) if shapes and shapes[0] is not None else 0
        _last_axis(layer.axis, rank, cls.__name__)
        return layer

    def build(self, input_shape):
        _last_axis(self.axis, len(input_shape), type(self).__name__)
        shape = (input_shape[-1],)
        if self.scale:
            self.add_weight("gamma", shape, self.gamma_initializer)
        if self.center:
            self.add_weight("beta", shape, self.beta_initializer)
        self.built = True

    def _affine(self, x, mean, variance):
        """x * inv + (beta - mean * inv), inv = rsqrt(variance + epsilon) * gamma."""
        kind = x.dtype.type
        r = 1 / np.sqrt(variance + kind(self.epsilon))
        inv = r * self.gamma if self.scale else r
        shift = -mean * inv
        if self.center:
            shift = shift + self.beta
        self._x, self._mean, self._r = x, mean, r
        return x * inv + shift

    def _weight_grads(self, grad, xhat, axes):
        if self.scale:
            self.grads["gamma"][...] = (grad * xhat).sum(axis=axes)
        if self.center:
            self.grads["beta"][...] = grad.sum(axis=axes)

    def _backward_through_moments(self, grad, axes):
        """dx when the mean and variance were taken from x over ``axes``."""
        xhat = (self._x - self._mean) * self._r
        self._weight_grads(grad, xhat, tuple(range(grad.ndim - 1)))
        if not self.propagate:
            return None
        d = grad * self.gamma if self.scale else grad
        n = grad.dtype.type(np.prod([grad.shape[a] for a in axes]))  # not int64: no upcast
        total = d.sum(axis=axes, keepdims=True)
        along = (d * xhat).sum(axis=axes, keepdims=True)
        return self._r / n * (n * d - total - xhat * along)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
        }


@register
class BatchNormalization(_Normalization):
    """Normalizes each feature (last axis) by the batch statistics in training and by
    the moving statistics at inference or when frozen (see the module docstring).

    Args:
        axis: only -1 (the features axis, channels last).
        momentum: of the moving statistics (Keras's 0.99).
        epsilon: added to the variance (Keras's 1e-3).
        center: whether to add ``beta``.
        scale: whether to multiply by ``gamma``.
        beta_initializer: the initializer of ``beta`` (Keras's zeros).
        gamma_initializer: the initializer of ``gamma`` (Keras's ones).
        moving_mean_initializer: the initializer of the moving mean (Keras's zeros).
        moving_variance_initializer: the initializer of the moving variance (Keras's ones).
        synchronized: only False (one device).

    Raises:
        InputError: for another axis, ``synchronized=True`` or ``renorm=True``.
    """

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        synchronized=False,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        **kwargs,
    ):
        if synchronized or renorm:
            raise InputError(
                "BatchNormalization synchronized=True and renorm=True are not implemented "
                "by the NumPy reference"
            )
        super().__init__(
            axis, epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs
        )
        self.momentum = float(momentum)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)

    def build(self, input_shape):
        super().build(input_shape)
        shape = (input_shape[-1],)
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer, trainable=False)

    def call(self, inputs, training=False):
        self._batch_statistics = bool(training and self.trainable)
        if not self._batch_statistics:
            return self._affine(inputs, self.moving_mean, self.moving_variance)
        axes = tuple(range(inputs.ndim - 1))
        mean = inputs.mean(axis=axes)
        diff = inputs - mean
        variance = (diff * diff).mean(axis=axes)
        kind = inputs.dtype.type
        momentum, rest = kind(self.momentum), kind(1.0 - self.momentum)
        self.moving_mean[...] = self.moving_mean * momentum + mean * rest
        self.moving_variance[...] = self.moving_variance * momentum + variance * rest
        self._diff = diff
        return self._affine(inputs, mean, variance)

    def _backward_through_batch_statistics(self, grad, axes):
        """The module docstring's dx when the weights' axes are the moments' axes, so that
        sum d = gamma dbeta and sum d x^ = gamma dgamma:

            dx = k g - (x - m) k r^2 sum(g (x - m)) / N - k sum(g) / N,   k = gamma r,

        one pass over g and x for the sums and three for dx."""
        kind = grad.dtype.type
        n = kind(np.prod([grad.shape[a] for a in axes]))  # not int64: no upcast
        flat_grad = grad.reshape(-1, grad.shape[-1])
        flat_diff = self._diff.reshape(flat_grad.shape)
        total = flat_grad.sum(axis=0)
        along = np.einsum("ij,ij->j", flat_grad, flat_diff)  # sum g (x - m), no temporary
        if self.scale:
            self.grads["gamma"][...] = along * self._r
        if self.center:
            self.grads["beta"][...] = total
        if not self.propagate:
            return None
        k = self._r * self.gamma if self.scale else self._r
        dx = grad * k
        dx -= self._diff * (k * self._r * self._r * along / n)
        dx -= k * total / n
        return dx

    def backward(self, grad):
        axes = tuple(range(grad.ndim - 1))
        if self._batch_statistics:
            return self._backward_through_batch_statistics(grad, axes)
        self._weight_grads(grad, (self._x - self._mean) * self._r, axes)
        if not self.propagate:
            return None
        return grad * (self._r * self.gamma if self.scale else self._r)

    def get_config(self):
        return {
            **super().get_config(),
            "momentum": self.momentum,
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "synchronized": False,
        }


@register
class LayerNormalization(_Normalization):
    """Normalizes each sample over its last axis, in training and inference alike.

    Args:
        axis: only -1 (or a list holding only the last axis).
        epsilon: added to the variance (Keras's 1e-3).
        center: whether to add ``beta``.
        scale: whether to multiply by ``gamma``.
        beta_initializer: the initializer of ``beta`` (Keras's zeros).
        gamma_initializer: the initializer of ``gamma`` (Keras's ones).
        rms_scaling: only False (Keras deprecates it).
    """

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        rms_scaling=False,
        **kwargs,
    ):
        if rms_scaling:
            raise InputError("LayerNormalization rms_scaling=True is not implemented")
        super().__init__(
            axis, epsilon, center, scale, beta_initializer, gamma_initializer, **kwargs
        )

    def call(self, inputs, training=False):
        mean = inputs.mean(axis=-1, keepdims=True)
        diff = inputs - mean
        return self._affine(inputs, mean, (diff * diff).mean(axis=-1, keepdims=True))

    def backward(self, grad):
        return self._backward_through_moments(grad, (grad.ndim - 1,))
