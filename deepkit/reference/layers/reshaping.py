"""Flatten (mirrors keras/src/layers/reshaping/flatten.py)."""

import math

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import check_channels_last


@register
class Flatten(Layer):
    """outputs = inputs.reshape(batch, -1), in row-major (channels-last) order.
    Backward: the gradient reshaped back to the input's shape."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)

    def call(self, inputs, training=False):
        self._input_shape = inputs.shape
        return inputs.reshape(len(inputs), -1)

    def backward(self, grad):
        return grad.reshape(self._input_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], math.prod(input_shape[1:]))

    def get_config(self):
        return {**super().get_config(), "data_format": "channels_last"}
