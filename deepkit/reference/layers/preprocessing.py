"""Rescaling (mirrors keras/src/layers/preprocessing/rescaling.py).

outputs = inputs * scale + offset, with ``scale`` and ``offset`` cast to the
model's dtype first (a scalar, or an array broadcast over the last axes, as
Keras). A Python number or list goes through float32 on the way, as in Keras
(``1 / 127.5`` carries float32 rounding even in a float64 model). The gradient
is grad * scale.
"""

import numpy as np

from deepkit.reference.layers.base import Layer, register


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
