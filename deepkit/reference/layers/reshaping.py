"""Reshaping layers, channels last (mirror keras/src/layers/reshaping/).

- Flatten: inputs.reshape(batch, -1) in row-major order.
- Reshape(target_shape): inputs.reshape(batch, *target_shape), one entry may be -1.
- UpSampling2D(size=(a, b)): each pixel repeated a times down and b times
  across ("nearest"); the gradient of an input pixel is the sum over its a x b
  copies.

Each backward pass reshapes (or sums) the gradient back to the input's shape.
"""

import math

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import check_channels_last, check_images, pair
from deepkit.validation import InputError


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


@register
class Reshape(Layer):
    """outputs = inputs.reshape(batch, *target_shape); one entry of ``target_shape``
    may be -1 (inferred from the input size).

    Args:
        target_shape: the shape of each sample after the layer.

    Raises:
        InputError: for more than one -1, a non-positive entry, or a size that
            does not match the input's.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(int(d) for d in target_shape)
        if sum(d == -1 for d in target_shape) > 1 or any(d < 1 and d != -1 for d in target_shape):
            raise InputError(
                f"Reshape target_shape must hold positive ints and at most one -1, "
                f"got {target_shape!r}"
            )
        self.target_shape = target_shape

    def _resolve(self, sample_shape):
        size = math.prod(sample_shape)
        known = math.prod(d for d in self.target_shape if d != -1)
        if -1 in self.target_shape:
            if size % known:
                raise InputError(f"Reshape cannot fit {sample_shape} into {self.target_shape}")
            return tuple(size // known if d == -1 else d for d in self.target_shape)
        if size != known:
            raise InputError(
                f"Reshape target_shape {self.target_shape} has {known} entries, "
                f"the input {tuple(sample_shape)} has {size}"
            )
        return self.target_shape

    def call(self, inputs, training=False):
        self._input_shape = inputs.shape
        return inputs.reshape((len(inputs),) + self._resolve(inputs.shape[1:]))

    def backward(self, grad):
        return grad.reshape(self._input_shape)

    def compute_output_shape(self, input_shape):
        if any(d is None for d in input_shape[1:]):
            return (input_shape[0],) + tuple(None if d == -1 else d for d in self.target_shape)
        return (input_shape[0],) + self._resolve(input_shape[1:])

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}


@register
class UpSampling2D(Layer):
    """outputs[n, y, x, c] = inputs[n, y // a, x // b, c] for size (a, b) ("nearest").

    Args:
        size: an int or a pair (Keras's (2, 2)).
        data_format: only "channels_last".
        interpolation: only "nearest" (Keras's default).

    Raises:
        InputError: for another interpolation.
    """

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        if interpolation != "nearest":
            raise InputError(
                f"UpSampling2D interpolation={interpolation!r} is not implemented by the "
                "NumPy reference (only 'nearest')"
            )
        self.size = pair(size, "size")

    def call(self, inputs, training=False):
        check_images(inputs.shape, "UpSampling2D")
        a, b = self.size
        return np.repeat(np.repeat(inputs, a, axis=1), b, axis=2)

    def backward(self, grad):
        a, b = self.size
        n, h, w, c = grad.shape
        return grad.reshape(n, h // a, a, w // b, b, c).sum(axis=(2, 4))

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "UpSampling2D")
        n, h, w, c = input_shape
        a, b = self.size
        return (n, None if h is None else h * a, None if w is None else w * b, c)

    def get_config(self):
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": "channels_last",
            "interpolation": "nearest",
        }
