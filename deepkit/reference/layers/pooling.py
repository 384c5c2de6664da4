"""MaxPooling2D (mirrors keras/src/layers/pooling/max_pooling2d.py and base_pooling.py)."""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import (
    check_channels_last,
    check_images,
    check_padding,
    pad_and_size,
    pair,
    window_offsets,
)
from deepkit.validation import InputError


@register
class MaxPooling2D(Layer):
    """out[n, y, x, c] = max_{i, j} pad(inputs)[n, y*sh + i, x*sw + j, c], channels last.

    ``strides`` defaults to ``pool_size``; "same" padding pads with -inf (so the
    padding never wins), split as TensorFlow splits it. Backward: each output's
    gradient goes to the position of its window's maximum (the first one, in
    row-major window order, on ties), summed where windows overlap. Both passes
    loop over the pool_h * pool_w offsets of a window, each a strided view of
    the whole batch.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.padding = check_padding(padding)

    def call(self, inputs, training=False):
        check_images(inputs.shape, "MaxPooling2D")
        output_size, pads = pad_and_size(inputs.shape, self.pool_size, self.strides, self.padding)
        if any(map(any, pads)):
            inputs = np.pad(inputs, ((0, 0), *pads, (0, 0)), constant_values=-np.inf)
        slices = list(window_offsets(self.pool_size, self.strides, output_size))
        outputs = inputs[slices[0]].copy()
        for window in slices[1:]:
            np.maximum(outputs, inputs[window], out=outputs)
        self._padded, self._pads, self._slices = inputs, pads, slices
        return outputs

    def backward(self, grad):
        padded, outputs = self._padded, self.logits
        grads = np.zeros_like(padded)
        unclaimed = np.ones(outputs.shape, bool)
        for window in self._slices:
            winner = (padded[window] == outputs) & unclaimed
            unclaimed &= ~winner
            grads[window] += np.where(winner, grad, 0)
        (top, bottom), (left, right) = self._pads
        return grads[:, top : grads.shape[1] - bottom, left : grads.shape[2] - right]

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "MaxPooling2D")
        (oh, ow), _ = pad_and_size(input_shape, self.pool_size, self.strides, self.padding)
        if oh < 1 or ow < 1:
            raise InputError(
                f"MaxPooling2D pool {self.pool_size} is larger than its input "
                f"{tuple(input_shape[1:3])} with padding='valid'"
            )
        return (input_shape[0], oh, ow, input_shape[3])

    def get_config(self):
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": "channels_last",
        }
