"""MaxPooling2D (mirrors keras/src/layers/pooling/max_pooling2d.py and base_pooling.py)."""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import (check_channels_last, check_images,
                                                    check_padding, pad_and_size, pair,
                                                    scatter_windows, windows)


@register
class MaxPooling2D(Layer):
    """out[n, y, x, c] = max_{i, j} pad(inputs)[n, y*sh + i, x*sw + j, c], channels last.

    ``strides`` defaults to ``pool_size``; "same" padding pads with -inf (so the
    padding never wins), split as TensorFlow splits it. Backward: each output's
    gradient goes to the position of its window's maximum (the first one, in
    row-major window order, on ties), summed where windows overlap.
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None,
                 **kwargs):
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
        patches = windows(inputs, self.pool_size, self.strides, output_size)
        patches = patches.reshape(patches.shape[:3] + (-1, patches.shape[-1]))
        self._argmax = patches.argmax(axis=3)
        self._padded_shape, self._pads = inputs.shape, pads
        return np.take_along_axis(patches, self._argmax[:, :, :, None], axis=3)[:, :, :, 0]

    def backward(self, grad):
        n, oh, ow, channels = grad.shape
        offsets = np.arange(self.pool_size[0] * self.pool_size[1])[:, None]
        patch_grads = (self._argmax[:, :, :, None] == offsets) * grad[:, :, :, None]
        patch_grads = patch_grads.reshape(n, oh, ow, *self.pool_size, channels)
        padded = scatter_windows(patch_grads, self._padded_shape, self.strides)
        (top, bottom), (left, right) = self._pads
        return padded[:, top : padded.shape[1] - bottom, left : padded.shape[2] - right]

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "MaxPooling2D")
        (oh, ow), _ = pad_and_size(input_shape, self.pool_size, self.strides, self.padding)
        if oh < 1 or ow < 1:
            raise ValueError(f"MaxPooling2D pool {self.pool_size} is larger than its input "
                             f"{tuple(input_shape[1:3])} with padding='valid'")
        return (input_shape[0], oh, ow, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": "channels_last"}
