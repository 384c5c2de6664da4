"""Conv2DTranspose and Conv1DTranspose (mirror keras/src/layers/convolutional/
base_conv_transpose.py, conv2d_transpose.py and conv1d_transpose.py).

A transposed convolution is the adjoint of the convolution that maps its outputs
back onto its inputs: TensorFlow computes it as that convolution's input
gradient (``conv2d_backprop_input``). Keras's kernel (kh, kw, filters,
in_channels) is that convolution's kernel, from ``filters`` channels to
``in_channels``, so the forward pass here is Conv2D's backward pass (col2im)
and the backward pass is Conv2D's forward pass (im2col, ``convolutional.py``'s
helpers):

    outputs = crop(sum_{i,j} place_ij(inputs (n*h*w, c) @ kernel[i, j]^T)) + bias
    cols    = im2col(pad(g))                               g = dLoss/d(pre-activation)
    dinputs = cols @ kernel,  dkernel = cols^T @ inputs,  dbias = sum g

where place_ij adds its (n, h, w, filters) product into the padded output's
pixels under kernel offset (i, j) (``scatter_products``, also Conv2D's input
gradient).

Output size along one axis (keras/src/backend/common/backend_utils.py):

    valid: (size - 1) * stride + kernel + output_padding
           (output_padding defaults to max(stride - kernel, 0))
    same:  size * stride, or (size - 1) * stride + kernel % 2 + output_padding

and the cropped padding is the convolution's own for that output size
(TensorFlow's "same" rule: the odd pixel after). Conv1DTranspose is the same
layer on a height-1 image.
"""

import numpy as np

from deepkit.reference import initializers
from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import (
    check_channels_last,
    check_padding,
    conv_padding,
    pair,
    scatter_products,
    single,
    windows,
)
from deepkit.validation import InputError


def transpose_size(size, kernel, stride, padding, output_padding):
    """The output size along one axis (see the module docstring)."""
    if padding == "valid":
        extra = max(stride - kernel, 0) if output_padding is None else output_padding
        return (size - 1) * stride + kernel + extra
    if output_padding is None:
        return size * stride
    return (size - 1) * stride + kernel % 2 + output_padding


class ConvTranspose(Layer):
    """The transposed convolution of rank ``rank`` (1 or 2), channels last; see the
    module docstring. Args as Keras's; dilation_rate only 1."""

    rank = 2

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        output_padding=None,
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(activation=activation, **kwargs)
        name = type(self).__name__
        if not isinstance(filters, (int, np.integer)) or filters < 1:
            raise InputError(f"{name} filters must be a positive int, got {filters!r}")
        check_channels_last(data_format)
        if set(self._tuple(dilation_rate, "dilation_rate")) != {1}:
            raise InputError(
                f"the NumPy reference's {name} supports dilation_rate=1 only, got {dilation_rate!r}"
            )
        self.filters = int(filters)
        self.kernel_size = self._tuple(kernel_size, "kernel_size")
        self.strides = self._tuple(strides, "strides")
        self.padding = check_padding(padding)
        self.output_padding = None
        if output_padding is not None:
            given = (
                (output_padding,) * self.rank if np.ndim(output_padding) == 0 else output_padding
            )
            self.output_padding = tuple(int(p) for p in given)
            if len(self.output_padding) != self.rank or not all(
                0 <= p < s for p, s in zip(self.output_padding, self.strides)
            ):
                raise InputError(
                    f"{name} output_padding must be {self.rank} int(s), each >= 0 and less "
                    f"than its stride {self.strides}, got {output_padding!r}"
                )
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _tuple(self, value, what):
        if self.rank == 1:
            return (single(value, what),)
        return pair(value, what)

    def _planar(self, values, height=1):
        """A rank-length tuple as the two image axes (a sequence is one row, whose
        height axis gets ``height``)."""
        return tuple(values) if self.rank == 2 else (height,) + tuple(values)

    def _check(self, shape):
        axes = "(batch, steps, channels)" if self.rank == 1 else "(batch, height, width, channels)"
        if len(shape) != self.rank + 2:
            raise InputError(
                f"{type(self).__name__} expects {self.rank + 2}-D inputs {axes}, "
                f"got shape {tuple(shape)}"
            )

    def _geometry(self, sizes):
        """(output sizes, (before, after) cropped per axis) for the input sizes ``sizes``
        (the two image axes); None sizes give None outputs."""
        output_padding = self.output_padding and self._planar(self.output_padding, 0)
        outputs, pads = [], []
        for axis, (size, k, s) in enumerate(
            zip(sizes, self._planar(self.kernel_size), self._planar(self.strides))
        ):
            if size is None:
                outputs.append(None)
                continue
            out = transpose_size(size, k, s, self.padding, output_padding and output_padding[axis])
            back, pad = conv_padding(out, k, s, self.padding)
            if back != size:  # TensorFlow refuses this geometry too
                raise InputError(
                    f"{type(self).__name__} kernel {k}, stride {s}, padding={self.padding!r} "
                    f"and output_padding={self.output_padding} give an output of {out}, which "
                    f"a convolution maps to {back}, not to the input's {size}: choose another "
                    "output_padding"
                )
            outputs.append(out)
            pads.append(pad)
        return tuple(outputs), tuple(pads)

    def build(self, input_shape):
        self._check(input_shape)
        shape = self.kernel_size + (self.filters, input_shape[-1])
        self.add_weight("kernel", shape, self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        self.built = True

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        x = inputs if self.rank == 2 else inputs[:, None]
        n, h, w, c = x.shape
        if c != self.kernel.shape[-1]:
            raise InputError(
                f"{type(self).__name__} {self.name!r} was built for {self.kernel.shape[-1]} "
                f"input channels, got inputs of shape {inputs.shape}"
            )
        (oh, ow), pads = self._geometry((h, w))
        (top, bottom), (left, right) = pads
        kernel = self.kernel.reshape(self._planar(self.kernel_size) + self.kernel.shape[-2:])
        strides = self._planar(self.strides)
        shape = (n, top + oh + bottom, left + ow + right, self.filters)
        padded = scatter_products(x.reshape(-1, c), kernel, strides, (h, w), shape)
        outputs = padded[:, top : top + oh, left : left + ow]
        if self.use_bias:
            outputs = outputs + self.bias
        self._x, self._pads = x, pads
        return outputs if self.rank == 2 else outputs[:, 0]

    def backward(self, grad):
        g = grad if self.rank == 2 else grad[:, None]
        x = self._x
        n, h, w, c = x.shape
        padded = np.pad(g, ((0, 0), *self._pads, (0, 0))) if any(map(any, self._pads)) else g
        view = windows(padded, self._planar(self.kernel_size), self._planar(self.strides), (h, w))
        cols = view.reshape(n * h * w, -1)
        np.matmul(cols.T, x.reshape(-1, c), out=self.grads["kernel"].reshape(-1, c))
        if self.use_bias:
            np.sum(g, axis=(0, 1, 2), out=self.grads["bias"])
        if not self.propagate:
            return None
        dx = (cols @ self.kernel.reshape(-1, c)).reshape(x.shape)
        return dx if self.rank == 2 else dx[:, 0]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        sizes, _ = self._geometry(self._planar(input_shape[1:-1]))
        return (input_shape[0],) + sizes[2 - self.rank :] + (self.filters,)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": "channels_last",
            "dilation_rate": (1,) * self.rank,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


@register
class Conv2DTranspose(ConvTranspose):
    """outputs = activation(conv2d_transpose(inputs, kernel) + bias); inputs (batch,
    height, width, channels), kernel (kh, kw, filters, channels) as in Keras. See the
    module docstring for the formula and the output size."""

    rank = 2


@register
class Conv1DTranspose(ConvTranspose):
    """outputs = activation(conv1d_transpose(inputs, kernel) + bias); inputs (batch,
    steps, channels), kernel (kernel_size, filters, channels) as in Keras:
    Conv2DTranspose on a height-1 image."""

    rank = 1
