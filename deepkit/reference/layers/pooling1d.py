"""MaxPooling1D and AveragePooling1D, channels last (mirror
keras/src/layers/pooling/max_pooling1d.py and average_pooling1d.py).

A sequence (batch, steps, channels) is an image (batch, 1, steps, channels) of
height 1, and a window of ``pool_size`` steps moved by ``strides`` is the 2-D
window (1, pool_size) moved by (1, strides): the height axis needs no padding
and each window holds the same inputs, so the 2-D poolings of ``pooling.py``
give exactly the 1-D results (as TensorFlow's own 1-D pooling, which adds the
same axis):

- MaxPooling1D: out[n, t, c] = max_i pad(inputs)[n, t*s + i, c], "same" padding
  with -inf; the gradient goes to the first maximum of each window.
- AveragePooling1D: out[n, t, c] = the mean of the valid inputs of window t
  ("same" padding leaves padded steps out of the count); gradient g / count to
  each of them.

Output steps: floor((steps - pool_size) / strides) + 1 for "valid",
ceil(steps / strides) for "same" (the odd padded step after the sequence).
"""

from deepkit.reference.layers.base import register
from deepkit.reference.layers.convolutional import conv_padding, single
from deepkit.reference.layers.pooling import AveragePooling2D, MaxPooling2D
from deepkit.validation import InputError


class _Pooling1D:
    """The 2-D pooling that follows it in the MRO, on sequences seen as height-1 images."""

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        pool = single(pool_size, "pool_size")
        stride = pool if strides is None else single(strides, "strides")
        super().__init__((1, pool), (1, stride), padding, data_format, **kwargs)

    def _check(self, shape):
        if len(shape) != 3:
            raise InputError(
                f"{type(self).__name__} expects 3-D inputs (batch, steps, channels), "
                f"got shape {tuple(shape)}"
            )

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        return super().call(inputs[:, None], training=training)[:, 0]

    def backward(self, grad):
        return super().backward(grad[:, None])[:, 0]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        if input_shape[1] is None:
            return tuple(input_shape)
        steps, _ = conv_padding(input_shape[1], self.pool_size[1], self.strides[1], self.padding)
        if steps < 1:
            raise InputError(
                f"{type(self).__name__} pool {self.pool_size[1]} is longer than its input "
                f"({input_shape[1]} steps) with padding='valid'"
            )
        return (input_shape[0], steps, input_shape[2])

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": (self.pool_size[1],),
            "strides": (self.strides[1],),
        }


@register
class MaxPooling1D(_Pooling1D, MaxPooling2D):
    """out[n, t, c] = max_i pad(inputs)[n, t*s + i, c]: MaxPooling2D on a height-1 image.

    Args:
        pool_size: an int (or a 1-tuple), Keras's 2.
        strides: an int (or a 1-tuple); None means ``pool_size``.
        padding: "valid" or "same" (padded with -inf).
        data_format: only "channels_last".

    Raises:
        InputError: for another padding or data_format, or a size below 1.
    """


@register
class AveragePooling1D(_Pooling1D, AveragePooling2D):
    """out[n, t, c] = mean of the valid inputs of window t: AveragePooling2D on a height-1 image.

    Args:
        pool_size: an int (or a 1-tuple), Keras's 2.
        strides: an int (or a 1-tuple); None means ``pool_size``.
        padding: "valid" or "same" (padded steps are left out of the mean).
        data_format: only "channels_last".

    Raises:
        InputError: for another padding or data_format, or a size below 1.
    """
