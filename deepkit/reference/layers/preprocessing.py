"""Rescaling and Normalization (mirror keras/src/layers/preprocessing/rescaling.py and
normalization.py).

outputs = inputs * scale + offset, with ``scale`` and ``offset`` cast to the
model's dtype first (a scalar, or an array broadcast over the last axes, as
Keras). A Python number or list goes through float32 on the way, as in Keras
(``1 / 127.5`` carries float32 rounding even in a float64 model). The gradient
is grad * scale.
"""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError


def _keras_cast(value, dtype):
    """``value`` as Keras casts it (``tf.cast``): a Python number or list becomes a
    float32 tensor first, so in float64 it carries float32 rounding; a NumPy array
    keeps its precision."""
    if not isinstance(value, np.ndarray):
        value = np.asarray(value, dtype="float32")
    return value.astype(dtype)


@register
class Rescaling(Layer):
    """outputs = inputs * scale + offset (e.g. ``Rescaling(1 / 255)`` for pixels).

    Args:
        scale: a number or an array broadcastable to each sample.
        offset: a number or an array broadcastable to each sample (Keras's 0.0).
    """

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def call(self, inputs, training=False):
        scale = _keras_cast(self.scale, inputs.dtype)
        self._scale_value = scale
        return inputs * scale + _keras_cast(self.offset, inputs.dtype)

    def backward(self, grad):
        return grad * self._scale_value

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


@register
class Normalization(Layer):
    """outputs = (inputs - mean) / max(sqrt(variance), eps), eps = 1e-7 (Keras's
    backend epsilon); with ``invert``, mean + inputs * max(sqrt(variance), eps). The
    gradient is grad / max(sqrt(variance), eps) (times it, inverted). The statistics
    are fixed: given, or computed once by ``adapt`` (no optimizer touches them).

    Args:
        axis: the axes that keep their own statistics (an int, a tuple, or None for one
            mean and variance over everything); Keras's -1, the features.
        mean, variance: given statistics, broadcast to the kept axes as Keras does
            (right-aligned); else the weights ``mean`` and ``variance`` that ``adapt``
            fills (and ``count``, which Keras keeps at 0 for older saved models).
        invert: undo a normalization instead.

    Raises:
        InputError: when only one of ``mean`` and ``variance`` is given.
    """

    EPSILON = 1e-7

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if (mean is None) != (variance is None):
            raise InputError("Normalization: give both mean and variance, or neither")
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean, self.input_variance, self.invert = mean, variance, bool(invert)

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(not -ndim <= a < ndim for a in self.axis):
            raise InputError(
                f"Normalization: axis {self.axis} out of range for inputs of rank {ndim}"
            )
        self._keep = tuple(sorted(a % ndim for a in self.axis))
        self._reduce = tuple(d for d in range(ndim) if d not in self._keep)
        self._broadcast = [input_shape[d] if d in self._keep else 1 for d in range(ndim)]
        if self.input_mean is None:
            shape = tuple(input_shape[d] for d in self._keep)
            self.add_weight("mean", shape, "zeros", trainable=False)
            self.add_weight("variance", shape, "ones", trainable=False)
            self.add_weight("count", (), "zeros", trainable=False)
        self.built = True

    def adapt(self, data):
        """Set ``mean`` and ``variance`` to those of ``data`` (an array, samples first)
        over the axes not kept, as Keras's ``adapt`` does for an array."""
        data = np.asarray(data)
        if not self.built:
            self.build((None,) + data.shape[1:])
        if self.input_mean is not None:
            raise InputError("Normalization: adapt() on a layer given mean and variance")
        self.mean[...] = np.mean(data, axis=self._reduce)
        self.variance[...] = np.var(data, axis=self._reduce)

    def _statistics(self, dtype):
        """(mean, max(sqrt(variance), eps)) shaped to broadcast against the inputs."""
        if self.input_mean is None:
            mean, variance = (v.reshape(self._broadcast) for v in (self.mean, self.variance))
        else:
            mean, variance = (
                np.broadcast_to(
                    _right_aligned(v, self._keep, len(self._broadcast)), self._broadcast
                )
                for v in (self.input_mean, self.input_variance)
            )
        mean, variance = mean.astype(dtype), variance.astype(dtype)
        return mean, np.maximum(np.sqrt(variance), dtype.type(self.EPSILON))

    def call(self, inputs, training=False):
        mean, self._scale = self._statistics(inputs.dtype)
        if self.invert:
            return mean + inputs * self._scale
        return (inputs - mean) / self._scale

    def backward(self, grad):
        return grad * self._scale if self.invert else grad / self._scale

    def get_weights(self):
        """As Keras: ``count`` is an integer."""
        return [w.astype(np.int64) if n == "count" else w.copy()
                for n, w in zip(self.weight_names, self.weights)]  # fmt: skip

    def get_config(self):
        axis = self.axis[0] if len(self.axis) == 1 else (list(self.axis) or None)
        return {
            **super().get_config(),
            "axis": axis,
            "mean": self.input_mean,
            "variance": self.input_variance,
            "invert": self.invert,
        }


def _right_aligned(value, keep, ndim):
    """A given statistic as Keras places it: a scalar stays one; otherwise its axes
    fill the kept axes from the right and every other axis has length 1. A Python
    number or list goes through float32, as in Keras."""
    value = _keras_cast(value, "float64")  # then cast to the inputs' dtype
    if value.ndim == 0:
        return value
    shape = [1] * ndim
    for i in range(1, value.ndim + 1):
        shape[keep[-i]] = value.shape[-i]
    return value.reshape(shape)
