"""Zero padding and cropping, channels last (mirror keras/src/layers/reshaping/
zero_padding1d.py, zero_padding2d.py, cropping1d.py and cropping2d.py).

Along each spatial axis the layer takes an amount (before, after):

- ZeroPadding1D/2D: outputs = inputs with ``before`` zeros in front of and
  ``after`` zeros behind the axis; length L -> L + before + after.
- Cropping1D/2D: outputs = inputs[..., before : L - after, ...]; length
  L -> L - before - after, which must stay positive.

Each is the other's backward pass: the gradient of a zero padding is the
gradient cropped back to the inputs, and the gradient of a cropping is the
gradient zero-padded back (the cropped entries get zero).
"""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import check_channels_last, check_images
from deepkit.reference.layers.reshaping import check_rank
from deepkit.validation import InputError


def amounts(value, what):
    """An int or a pair of non-negative ints -> (before, after) (Keras's standardize_tuple)."""
    pair_ = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair_) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 0 for v in pair_):
        raise InputError(f"{what} must be a non-negative int or a pair of them, got {value!r}")
    return tuple(int(v) for v in pair_)


def amounts_2d(value, what):
    """An int (every side), a pair (height, width: each symmetric) or a pair of pairs
    ((top, bottom), (left, right)) -> ((top, bottom), (left, right))."""
    if isinstance(value, (int, np.integer)):
        return (amounts(value, what), amounts(value, what))
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise InputError(
            f"{what} must be an int, a pair (height, width) or a pair of pairs "
            f"((top, bottom), (left, right)), got {value!r}"
        )
    return (
        amounts(value[0], f"the height entry of {what}"),
        amounts(value[1], f"the width entry of {what}"),
    )


def zero_pad(inputs, sides):
    """``inputs`` with sides[k] = (before, after) zeros around spatial axis k + 1."""
    return np.pad(inputs, ((0, 0), *sides, (0, 0)))


def crop(inputs, sides):
    """``inputs`` without sides[k] = (before, after) entries at the ends of spatial axis k + 1."""
    spatial = tuple(slice(b, n - a) for (b, a), n in zip(sides, inputs.shape[1:]))
    return inputs[(slice(None), *spatial)]


def padded_shape(input_shape, sides, sign):
    """``input_shape`` with each spatial length grown (sign 1) or shrunk (sign -1) by its sides."""
    spatial = tuple(
        None if n is None else n + sign * (b + a) for (b, a), n in zip(sides, input_shape[1:])
    )
    return (input_shape[0], *spatial, input_shape[-1])


def check_cropping(shape, sides, layer):
    """Refuse a cropping that leaves no entry along some spatial axis."""
    for (b, a), n in zip(sides, shape[1:]):
        if n is not None and b + a >= n:
            raise InputError(
                f"{layer} cropping {sides} leaves nothing of inputs of shape {tuple(shape)}: "
                "each axis's before + after must be smaller than its length"
            )


@register
class ZeroPadding1D(Layer):
    """outputs[b, t, f] = inputs[b, t - before, f] where 0 <= t - before < steps, else 0:
    (batch, steps, features) -> (batch, before + steps + after, features).
    Backward: the gradient without its padded steps.

    Args:
        padding: an int (both ends) or a pair (before, after) of non-negative ints
            (Keras's 1).
        data_format: only "channels_last".

    Raises:
        InputError: for a negative or malformed ``padding``, data_format
            "channels_first", or inputs that are not 3-D.
    """

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.padding = amounts(padding, "ZeroPadding1D padding")

    def call(self, inputs, training=False):
        check_rank(inputs.shape, 3, "ZeroPadding1D")
        return zero_pad(inputs, (self.padding,))

    def backward(self, grad):
        return crop(grad, (self.padding,))

    def compute_output_shape(self, input_shape):
        check_rank(input_shape, 3, "ZeroPadding1D")
        return padded_shape(input_shape, (self.padding,), 1)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": "channels_last"}


@register
class ZeroPadding2D(Layer):
    """outputs[n, y, x, c] = inputs[n, y - top, x - left, c] inside the image, else 0:
    (batch, h, w, c) -> (batch, top + h + bottom, left + w + right, c).
    Backward: the gradient without its padded rows and columns.

    Args:
        padding: an int (every side), a pair (height, width) of symmetric amounts,
            or a pair of pairs ((top, bottom), (left, right)); non-negative ints
            (Keras's (1, 1)).
        data_format: only "channels_last".

    Raises:
        InputError: for a negative or malformed ``padding``, data_format
            "channels_first", or inputs that are not 4-D.
    """

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.padding = amounts_2d(padding, "ZeroPadding2D padding")

    def call(self, inputs, training=False):
        check_images(inputs.shape, "ZeroPadding2D")
        return zero_pad(inputs, self.padding)

    def backward(self, grad):
        return crop(grad, self.padding)

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "ZeroPadding2D")
        return padded_shape(input_shape, self.padding, 1)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": "channels_last"}


@register
class Cropping1D(Layer):
    """outputs = inputs[:, before : steps - after, :]:
    (batch, steps, features) -> (batch, steps - before - after, features).
    Backward: the gradient with ``before`` and ``after`` zero steps put back.

    Args:
        cropping: an int (both ends) or a pair (before, after) of non-negative ints
            (Keras's (1, 1)).

    Raises:
        InputError: for a negative or malformed ``cropping``, a cropping that
            leaves no step, or inputs that are not 3-D.
    """

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = amounts(cropping, "Cropping1D cropping")

    def call(self, inputs, training=False):
        check_rank(inputs.shape, 3, "Cropping1D")
        check_cropping(inputs.shape, (self.cropping,), "Cropping1D")
        return crop(inputs, (self.cropping,))

    def backward(self, grad):
        return zero_pad(grad, (self.cropping,))

    def compute_output_shape(self, input_shape):
        check_rank(input_shape, 3, "Cropping1D")
        check_cropping(input_shape, (self.cropping,), "Cropping1D")
        return padded_shape(input_shape, (self.cropping,), -1)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping}


@register
class Cropping2D(Layer):
    """outputs = inputs[:, top : h - bottom, left : w - right, :]:
    (batch, h, w, c) -> (batch, h - top - bottom, w - left - right, c).
    Backward: the gradient with the cropped rows and columns put back as zeros.

    Args:
        cropping: an int (every side), a pair (height, width) of symmetric amounts,
            or a pair of pairs ((top, bottom), (left, right)); non-negative ints
            (Keras's ((0, 0), (0, 0))).
        data_format: only "channels_last".

    Raises:
        InputError: for a negative or malformed ``cropping``, a cropping that
            leaves no row or column, data_format "channels_first", or inputs that
            are not 4-D.
    """

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.cropping = amounts_2d(cropping, "Cropping2D cropping")

    def call(self, inputs, training=False):
        check_images(inputs.shape, "Cropping2D")
        check_cropping(inputs.shape, self.cropping, "Cropping2D")
        return crop(inputs, self.cropping)

    def backward(self, grad):
        return zero_pad(grad, self.cropping)

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "Cropping2D")
        check_cropping(input_shape, self.cropping, "Cropping2D")
        return padded_shape(input_shape, self.cropping, -1)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping, "data_format": "channels_last"}
