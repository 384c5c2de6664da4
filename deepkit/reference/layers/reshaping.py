"""Reshaping layers, channels last (mirror keras/src/layers/reshaping/).

- Flatten: inputs.reshape(batch, -1) in row-major order.
- Reshape(target_shape): inputs.reshape(batch, *target_shape), one entry may be -1.
- Permute(dims): outputs = transpose(inputs, (0, *dims)), dims 1-based; the
  gradient is transposed back by the inverse permutation.
- RepeatVector(n): outputs[b, i, f] = inputs[b, f] for i < n; the gradient of
  an input is the sum over its n copies.
- UpSampling1D(size=s): outputs[b, t, f] = inputs[b, t // s, f], each step
  repeated s times; the gradient of a step is the sum over its s copies.
- UpSampling2D(size=(a, b)): each pixel repeated a times down and b times
  across ("nearest"); the gradient of an input pixel is the sum over its a x b
  copies.

Each backward pass reshapes, transposes or sums the gradient back to the input's shape.
"""

import math

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import check_channels_last, check_images, pair
from deepkit.validation import InputError


def check_rank(shape, rank, layer):
    """Refuse inputs of another number of axes (batch axis included) than ``rank``."""
    if len(shape) != rank:
        raise InputError(f"{layer} expects {rank}-D inputs, got shape {tuple(shape)}")


def positive_int(value, what):
    """``value`` if it is a positive int (not a bool), else InputError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{what} must be a positive int, got {value!r}")
    return int(value)


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
class Permute(Layer):
    """outputs = transpose(inputs, (0, *dims)): the batch axis stays first, sample
    axis k of the outputs is axis ``dims[k - 1]`` of the inputs.
    Backward: the gradient transposed by the inverse permutation.

    Args:
        dims: a permutation of 1, ..., rank - 1 (the batch axis is 0 and not listed).

    Raises:
        InputError: if ``dims`` is not such a permutation, or for inputs of another rank.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise InputError(
                f"Permute dims must be a permutation of 1, ..., {len(dims)}, got {dims!r}"
            )
        self.dims = tuple(int(d) for d in dims)

    def call(self, inputs, training=False):
        check_rank(inputs.shape, len(self.dims) + 1, "Permute")
        return np.transpose(inputs, (0, *self.dims))

    def backward(self, grad):
        return np.transpose(grad, np.argsort((0, *self.dims)))

    def compute_output_shape(self, input_shape):
        check_rank(input_shape, len(self.dims) + 1, "Permute")
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}


@register
class RepeatVector(Layer):
    """outputs[b, i, f] = inputs[b, f] for i = 0, ..., n - 1: (batch, features) ->
    (batch, n, features). Backward: dinputs[b, f] = sum_i grad[b, i, f].

    Args:
        n: the number of copies, a positive int.

    Raises:
        InputError: for an ``n`` that is not a positive int, or inputs that are not 2-D.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = positive_int(n, "RepeatVector n")

    def call(self, inputs, training=False):
        check_rank(inputs.shape, 2, "RepeatVector")
        return np.repeat(inputs[:, np.newaxis, :], self.n, axis=1)

    def backward(self, grad):
        return grad.sum(axis=1)

    def compute_output_shape(self, input_shape):
        check_rank(input_shape, 2, "RepeatVector")
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


@register
class UpSampling1D(Layer):
    """outputs[b, t, f] = inputs[b, t // size, f]: each step repeated ``size`` times.
    Backward: dinputs[b, t, f] = sum_{k < size} grad[b, t * size + k, f].

    Args:
        size: the upsampling factor, a positive int (Keras's 2).

    Raises:
        InputError: for a ``size`` that is not a positive int, or inputs that are not 3-D.
    """

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = positive_int(size, "UpSampling1D size")

    def call(self, inputs, training=False):
        check_rank(inputs.shape, 3, "UpSampling1D")
        return np.repeat(inputs, self.size, axis=1)

    def backward(self, grad):
        n, steps, c = grad.shape
        return grad.reshape(n, steps // self.size, self.size, c).sum(axis=2)

    def compute_output_shape(self, input_shape):
        check_rank(input_shape, 3, "UpSampling1D")
        n, steps, c = input_shape
        return (n, None if steps is None else steps * self.size, c)

    def get_config(self):
        return {**super().get_config(), "size": self.size}


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
        copies = grad.reshape(n, h // a, a, w // b, b, c)
        total = copies[:, :, 0, :, 0].copy()  # one strided add per copy: faster than sum()
        for i, j in list(np.ndindex(a, b))[1:]:
            total += copies[:, :, i, :, j]
        return total

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
