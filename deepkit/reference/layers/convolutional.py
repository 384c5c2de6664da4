"""Conv2D and the helpers of every convolution here (mirror
keras/src/layers/convolutional/conv2d.py and base_conv.py; Conv1D is ``conv1d.py``).

Channels last, like Keras: inputs (batch, height, width, channels), kernel
(kernel_h, kernel_w, in_channels, filters). The convolution is one matrix
product: ``windows`` views every kernel-sized patch of the padded input
(``sliding_window_view``, no copy), the patches are flattened into the rows of
a matrix (im2col, one copy), and the rows are multiplied by the flattened
kernel. The backward pass is one more product and ``scatter_products`` (col2im
fused with its product: one product and one strided add per kernel offset, never
a loop over pixels).
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from deepkit.reference import initializers
from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError


def conv_padding(size, kernel, stride, padding):
    """``(output_size, (pad_before, pad_after))`` along one axis, as TensorFlow pads.

    "valid": output = floor((size - kernel) / stride) + 1, no padding.
    "same":  output = ceil(size / stride); the total padding
    max((output - 1) * stride + kernel - size, 0) is split with the odd pixel
    *after* (before = total // 2), which is TensorFlow's asymmetric rule.
    """
    if padding == "valid":
        return (size - kernel) // stride + 1, (0, 0)
    output = -(-size // stride)
    total = max((output - 1) * stride + kernel - size, 0)
    return output, (total // 2, total - total // 2)


def windows(inputs, kernel_size, strides, output_size):
    """A view of shape (batch, out_h, out_w, kernel_h, kernel_w, channels): the patch of
    ``inputs`` (batch, height, width, channels) under each output pixel."""
    (kh, kw), (sh, sw), (oh, ow) = kernel_size, strides, output_size
    view = sliding_window_view(inputs, (kh, kw), axis=(1, 2))
    view = view[:, : (oh - 1) * sh + 1 : sh, : (ow - 1) * sw + 1 : sw]
    return view.transpose(0, 1, 2, 4, 5, 3)


def window_offsets(kernel_size, strides, output_size):
    """For each kernel offset (i, j) in row-major order, the index of the strided view
    (batch, out_h, out_w, channels) holding the input under that offset of every window."""
    (kh, kw), (sh, sw), (oh, ow) = kernel_size, strides, output_size
    for i in range(kh):
        for j in range(kw):
            yield (
                slice(None),
                slice(i, i + (oh - 1) * sh + 1, sh),
                slice(j, j + (ow - 1) * sw + 1, sw),
            )


def scatter_products(rows, kernel, strides, output_size, shape):
    """col2im fused with its matrix product: a zero array of ``shape`` (batch, height,
    width, channels) into which, for each kernel offset (i, j),

        out[:, y*sh + i, x*sw + j] += rows[n, y, x] @ kernel[i, j]^T

    is added for every window (y, x); ``rows`` is (batch * out_h * out_w, k) and
    ``kernel`` (kernel_h, kernel_w, channels, k). One product per offset writes
    contiguous rows, which one strided add then places: faster than one product
    whose patches are read back with strides. It is a convolution's input gradient
    (rows = dLoss/d(outputs), kernel = Conv2D's) and a transposed convolution's
    forward pass (rows = inputs, kernel = Conv2DTranspose's).
    """
    out = np.zeros(shape, rows.dtype)
    kh, kw = kernel.shape[:2]
    windows_ = (len(out), *output_size, shape[-1])
    for (i, j), window in zip(np.ndindex(kh, kw), window_offsets((kh, kw), strides, output_size)):
        out[window] += (rows @ kernel[i, j].T).reshape(windows_)
    return out


def pad_and_size(input_shape, kernel_size, strides, padding):
    """``((out_h, out_w), ((top, bottom), (left, right)))`` for a 4-D channels-last input."""
    (oh, pad_h), (ow, pad_w) = (
        conv_padding(size, k, s, padding)
        for size, k, s in zip(input_shape[1:3], kernel_size, strides)
    )
    return (oh, ow), (pad_h, pad_w)


def pair(value, what):
    """An int or a pair of ints -> a tuple of two positive ints (Keras's normalize_tuple)."""
    pair_ = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair_) != 2 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in pair_):
        raise InputError(f"{what} must be a positive int or a pair of them, got {value!r}")
    return tuple(int(v) for v in pair_)


def check_padding(padding):
    padding = str(padding).lower()
    if padding not in ("valid", "same"):
        raise InputError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding


def check_channels_last(data_format):
    if data_format not in (None, "channels_last"):
        raise InputError(
            f"the NumPy reference supports data_format='channels_last' only, got {data_format!r}"
        )


def check_images(shape, layer):
    if len(shape) != 4:
        raise InputError(
            f"{layer} expects 4-D inputs (batch, height, width, channels), got shape {tuple(shape)}"
        )


@register
class Conv2D(Layer):
    """outputs = activation(conv2d(inputs, kernel) + bias), channels last.

    out[n, y, x, f] = sum_{i, j, c} pad(inputs)[n, y*sh + i, x*sw + j, c] * kernel[i, j, c, f] + bias[f]

    Computed as im2col: ``cols`` (n*out_h*out_w, kh*kw*c) @ kernel (kh*kw*c, filters).
    Backward, with g = dLoss/d(pre-activation) as (n*out_h*out_w, filters):
    dkernel = cols^T g, dbias = sum_rows g, dinputs = col2im(g kernel^T).
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(activation=activation, **kwargs)
        if not isinstance(filters, (int, np.integer)) or filters < 1:
            raise InputError(f"Conv2D filters must be a positive int, got {filters!r}")
        check_channels_last(data_format)
        if pair(dilation_rate, "dilation_rate") != (1, 1) or groups != 1:
            raise InputError(
                f"the NumPy reference's Conv2D supports dilation_rate=1 and groups=1 "
                f"only, got dilation_rate={dilation_rate!r}, groups={groups!r}"
            )
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = check_padding(padding)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        check_images(input_shape, "Conv2D")
        self.add_weight(
            "kernel", self.kernel_size + (input_shape[-1], self.filters), self.kernel_initializer
        )
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        self.built = True

    def call(self, inputs, training=False):
        check_images(inputs.shape, "Conv2D")
        if inputs.shape[-1] != self.kernel.shape[2]:
            raise InputError(
                f"Conv2D {self.name!r} was built for {self.kernel.shape[2]} input "
                f"channels, got inputs of shape {inputs.shape}"
            )
        output_size, pads = pad_and_size(inputs.shape, self.kernel_size, self.strides, self.padding)
        padded = np.pad(inputs, ((0, 0), *pads, (0, 0))) if any(map(any, pads)) else inputs
        kernel = self.kernel.reshape(-1, self.filters)
        self._cols = windows(padded, self.kernel_size, self.strides, output_size).reshape(
            -1, len(kernel)
        )
        self._padded_shape, self._pads = padded.shape, pads
        outputs = self._cols @ kernel
        if self.use_bias:
            outputs += self.bias
        return outputs.reshape(len(inputs), *output_size, self.filters)

    def backward(self, grad):
        g = grad.reshape(-1, self.filters)
        np.matmul(self._cols.T, g, out=self.grads["kernel"].reshape(-1, self.filters))
        if self.use_bias:
            np.sum(g, axis=0, out=self.grads["bias"])
        if not self.propagate:
            return None
        padded = scatter_products(g, self.kernel, self.strides, grad.shape[1:3], self._padded_shape)
        (top, bottom), (left, right) = self._pads
        return padded[:, top : padded.shape[1] - bottom, left : padded.shape[2] - right]

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "Conv2D")
        (oh, ow), _ = pad_and_size(input_shape, self.kernel_size, self.strides, self.padding)
        if oh < 1 or ow < 1:
            raise InputError(
                f"Conv2D kernel {self.kernel_size} is larger than its input "
                f"{tuple(input_shape[1:3])} with padding='valid'"
            )
        return (input_shape[0], oh, ow, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": "channels_last",
            "dilation_rate": (1, 1),
            "groups": 1,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


def single(value, what):
    """An int or a 1-tuple of ints -> a positive int (Keras's normalize_tuple, rank 1)."""
    values = (value,) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != 1 or not isinstance(values[0], (int, np.integer)) or values[0] < 1:
        raise InputError(f"{what} must be a positive int, got {value!r}")
    return int(values[0])
