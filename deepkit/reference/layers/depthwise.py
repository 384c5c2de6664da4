"""DepthwiseConv2D and SeparableConv2D (mirror keras/src/layers/convolutional/
base_depthwise_conv.py, depthwise_conv2d.py, base_separable_conv.py and
separable_conv2d.py).

A depthwise convolution filters each input channel on its own with
``depth_multiplier`` (M) kernels; output channel c * M + m is input channel c
through kernel[:, :, c, m] (TensorFlow's order):

    out[n, y, x, c*M + m] = sum_{i, j} pad(inputs)[n, y*sh + i, x*sw + j, c] * kernel[i, j, c, m]

With so few products per output (kh*kw per channel) no matrix product pays for
an im2col copy: the sum runs over the kernel offsets, one broadcast
multiply-add of the strided view of the padded input under offset (i, j) per
offset. Backward, with g = dLoss/d(outputs) as (n, out_h, out_w, C, M), per
offset: dkernel[i, j] = sum over the batch and pixels of window_ij * g, and
g . kernel[i, j] is added back into the input's pixels under that offset.
Padding, strides and output sizes are Conv2D's (TensorFlow's "same" rule).

A separable convolution is a depthwise convolution (no bias) followed by a 1x1
convolution, ``pointwise_kernel`` (1, 1, C*M, filters), and the bias.
"""

import numpy as np

from deepkit.reference import initializers
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


class Depthwise(Layer):
    """The depthwise convolution both layers start with (see the module docstring)."""

    def __init__(
        self,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        depth_multiplier=1,
        data_format=None,
        dilation_rate=(1, 1),
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(activation=activation, **kwargs)
        name = type(self).__name__
        check_channels_last(data_format)
        if pair(dilation_rate, "dilation_rate") != (1, 1):
            raise InputError(
                f"the NumPy reference's {name} supports dilation_rate=1 only, got {dilation_rate!r}"
            )
        if not isinstance(depth_multiplier, (int, np.integer)) or depth_multiplier < 1:
            raise InputError(
                f"{name} depth_multiplier must be a positive int, got {depth_multiplier!r}"
            )
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = check_padding(padding)
        self.depth_multiplier = int(depth_multiplier)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _depthwise_shape(self, input_shape):
        check_images(input_shape, type(self).__name__)
        return self.kernel_size + (input_shape[-1], self.depth_multiplier)

    def _output_size(self, input_shape):
        (oh, ow), _ = pad_and_size(input_shape, self.kernel_size, self.strides, self.padding)
        if oh < 1 or ow < 1:
            raise InputError(
                f"{type(self).__name__} kernel {self.kernel_size} is larger than its input "
                f"{tuple(input_shape[1:3])} with padding='valid'"
            )
        return oh, ow

    def _depthwise(self, inputs, kernel):
        """The depthwise convolution of ``inputs`` with ``kernel`` (kh, kw, C, M), as
        (n, out_h, out_w, C*M); what its backward pass needs is kept."""
        check_images(inputs.shape, type(self).__name__)
        c, m = kernel.shape[2:]
        if inputs.shape[-1] != c:
            raise InputError(
                f"{type(self).__name__} {self.name!r} was built for {c} input channels, "
                f"got inputs of shape {inputs.shape}"
            )
        output_size, pads = pad_and_size(inputs.shape, self.kernel_size, self.strides, self.padding)
        padded = np.pad(inputs, ((0, 0), *pads, (0, 0))) if any(map(any, pads)) else inputs
        outputs = np.zeros((len(inputs), *output_size, c, m), inputs.dtype)
        for (i, j), window in self._offsets(output_size):
            outputs += padded[window][..., None] * kernel[i, j]
        self._padded, self._pads = padded, pads
        return outputs.reshape((len(inputs), *output_size, c * m))

    def _offsets(self, output_size):
        """((i, j), the view of every window's pixel under kernel offset (i, j))."""
        return zip(
            np.ndindex(self.kernel_size),
            window_offsets(self.kernel_size, self.strides, output_size),
        )

    def _depthwise_backward(self, grad, kernel, kernel_grad):
        """dLoss/d(inputs) from ``grad`` = dLoss/d(depthwise outputs); the kernel's
        gradient is written into ``kernel_grad``."""
        padded = self._padded
        g = grad.reshape(grad.shape[:3] + kernel.shape[2:])  # (n, out_h, out_w, C, M)
        for (i, j), window in self._offsets(grad.shape[1:3]):
            kernel_grad[i, j] = np.einsum("nyxc,nyxcm->cm", padded[window], g)
        if not self.propagate:
            return None
        padded_grad = np.zeros(padded.shape, grad.dtype)
        for (i, j), window in self._offsets(grad.shape[1:3]):
            padded_grad[window] += np.einsum("nyxcm,cm->nyxc", g, kernel[i, j])
        (top, bottom), (left, right) = self._pads
        return padded_grad[:, top : padded.shape[1] - bottom, left : padded.shape[2] - right]

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "depth_multiplier": self.depth_multiplier,
            "data_format": "channels_last",
            "dilation_rate": (1, 1),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


@register
class DepthwiseConv2D(Depthwise):
    """outputs = activation(depthwise_conv2d(inputs, kernel) + bias), channels last;
    kernel (kh, kw, channels, depth_multiplier) (Keras names it "kernel", its
    regularizer ``depthwise_regularizer``, its constraint ``depthwise_constraint``),
    bias (channels * depth_multiplier,)."""

    def build(self, input_shape):
        self.add_weight(
            "kernel",
            self._depthwise_shape(input_shape),
            self.depthwise_initializer,
            regularizer=self.regularizer_arguments.get("depthwise_regularizer"),
            constraint=self.constraint_arguments.get("depthwise_constraint"),
        )
        if self.use_bias:
            self.add_weight(
                "bias", (self.kernel.shape[2] * self.depth_multiplier,), self.bias_initializer
            )
        self.built = True

    def call(self, inputs, training=False):
        outputs = self._depthwise(inputs, self.kernel)
        return outputs + self.bias if self.use_bias else outputs

    def backward(self, grad):
        if self.use_bias:
            np.sum(grad, axis=(0, 1, 2), out=self.grads["bias"])
        return self._depthwise_backward(grad, self.kernel, self.grads["kernel"])

    def compute_output_shape(self, input_shape):
        channels = self._depthwise_shape(input_shape)[2] * self.depth_multiplier
        return (input_shape[0], *self._output_size(input_shape), channels)


@register
class SeparableConv2D(Depthwise):
    """outputs = activation(depthwise_conv2d(inputs, depthwise_kernel) @ pointwise_kernel
    + bias), channels last; pointwise_kernel (1, 1, channels * depth_multiplier,
    filters). Backward: dpointwise = D^T g and dD = g pointwise^T, D the depthwise
    outputs, then the depthwise backward pass."""

    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(
            kernel_size,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            depthwise_initializer=depthwise_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        if not isinstance(filters, (int, np.integer)) or filters < 1:
            raise InputError(f"SeparableConv2D filters must be a positive int, got {filters!r}")
        self.filters = int(filters)
        self.pointwise_initializer = initializers.get(pointwise_initializer)

    def build(self, input_shape):
        shape = self._depthwise_shape(input_shape)
        self.add_weight("depthwise_kernel", shape, self.depthwise_initializer)
        pointwise = (1, 1, shape[2] * self.depth_multiplier, self.filters)
        self.add_weight("pointwise_kernel", pointwise, self.pointwise_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        self.built = True

    def call(self, inputs, training=False):
        depthwise = self._depthwise(inputs, self.depthwise_kernel)
        self._depthwise_outputs = depthwise.reshape(-1, depthwise.shape[-1])
        outputs = self._depthwise_outputs @ self.pointwise_kernel.reshape(-1, self.filters)
        if self.use_bias:
            outputs += self.bias
        return outputs.reshape(depthwise.shape[:3] + (self.filters,))

    def backward(self, grad):
        g = grad.reshape(-1, self.filters)
        pointwise = self.pointwise_kernel.reshape(-1, self.filters)
        np.matmul(
            self._depthwise_outputs.T,
            g,
            out=self.grads["pointwise_kernel"].reshape(pointwise.shape),
        )
        if self.use_bias:
            np.sum(g, axis=0, out=self.grads["bias"])
        depthwise_grad = (g @ pointwise.T).reshape(grad.shape[:3] + (-1,))
        return self._depthwise_backward(
            depthwise_grad, self.depthwise_kernel, self.grads["depthwise_kernel"]
        )

    def compute_output_shape(self, input_shape):
        self._depthwise_shape(input_shape)
        return (input_shape[0], *self._output_size(input_shape), self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
        }
