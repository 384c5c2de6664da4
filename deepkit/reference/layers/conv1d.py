"""Conv1D (mirrors keras/src/layers/convolutional/conv1d.py): Conv2D's im2col on a
height-1 image (``convolutional.py``), with "causal" padding besides "valid" and "same"."""

import numpy as np

from deepkit.reference import initializers
from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import (
    check_channels_last,
    conv_padding,
    scatter_products,
    single,
    windows,
)
from deepkit.validation import InputError


@register
class Conv1D(Layer):
    """outputs = activation(conv1d(inputs, kernel) + bias), inputs (batch, steps, channels).

    out[n, t, f] = sum_{i, c} pad(inputs)[n, t*s + i, c] * kernel[i, c, f] + bias[f],
    kernel (kernel_size, in_channels, filters) as in Keras. It is Conv2D's
    im2col on a height-1 image: the same products forward and backward.
    "causal" padding pads kernel_size - 1 steps before the sequence only, so
    output t sees inputs up to t; "same" splits as TensorFlow does.

    Args:
        filters: the number of output channels.
        kernel_size: an int (or a 1-tuple).
        strides: an int (or a 1-tuple).
        padding: "valid", "same" or "causal".
        data_format: only "channels_last".
        dilation_rate: only 1.
        groups: only 1.
        activation: as Dense's.
        use_bias: as Dense's.
        kernel_initializer: as Dense's.
        bias_initializer: as Dense's.

    Raises:
        InputError: for a setting outside those.
    """

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        groups=1,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(activation=activation, **kwargs)
        if not isinstance(filters, (int, np.integer)) or filters < 1:
            raise InputError(f"Conv1D filters must be a positive int, got {filters!r}")
        check_channels_last(data_format)
        if single(dilation_rate, "dilation_rate") != 1 or groups != 1:
            raise InputError(
                f"the NumPy reference's Conv1D supports dilation_rate=1 and groups=1 "
                f"only, got dilation_rate={dilation_rate!r}, groups={groups!r}"
            )
        self.filters = int(filters)
        self.kernel_size = single(kernel_size, "kernel_size")
        self.strides = single(strides, "strides")
        self.padding = str(padding).lower()
        if self.padding not in ("valid", "same", "causal"):
            raise InputError(f"padding must be 'valid', 'same' or 'causal', got {padding!r}")
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _check(self, shape):
        if len(shape) != 3:
            raise InputError(
                f"Conv1D expects 3-D inputs (batch, steps, channels), got shape {tuple(shape)}"
            )

    def build(self, input_shape):
        self._check(input_shape)
        shape = (self.kernel_size, input_shape[-1], self.filters)
        self.add_weight("kernel", shape, self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.filters,), self.bias_initializer)
        self.built = True

    def _size_and_pads(self, steps):
        """(output steps, (pad before, pad after))."""
        if self.padding == "causal":
            return (steps - 1) // self.strides + 1, (self.kernel_size - 1, 0)
        return conv_padding(steps, self.kernel_size, self.strides, self.padding)

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        size, pads = self._size_and_pads(inputs.shape[1])
        padded = np.pad(inputs, ((0, 0), pads, (0, 0))) if any(pads) else inputs
        kernel = self.kernel.reshape(-1, self.filters)
        view = windows(padded[:, None], (1, self.kernel_size), (1, self.strides), (1, size))
        self._cols = view.reshape(-1, len(kernel))
        self._padded_shape, self._pads = padded.shape, pads
        outputs = self._cols @ kernel
        if self.use_bias:
            outputs += self.bias
        return outputs.reshape(len(inputs), size, self.filters)

    def backward(self, grad):
        g = grad.reshape(-1, self.filters)
        np.matmul(self._cols.T, g, out=self.grads["kernel"].reshape(-1, self.filters))
        if self.use_bias:
            np.sum(g, axis=0, out=self.grads["bias"])
        if not self.propagate:
            return None
        n, steps, c = self._padded_shape
        padded = scatter_products(
            g, self.kernel[None], (1, self.strides), (1, grad.shape[1]), (n, 1, steps, c)
        )[:, 0]
        before, after = self._pads
        return padded[:, before : steps - after]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        if input_shape[1] is None:
            return (input_shape[0], None, self.filters)
        size, _ = self._size_and_pads(input_shape[1])
        if size < 1:
            raise InputError(
                f"Conv1D kernel {self.kernel_size} is longer than its input "
                f"({input_shape[1]} steps) with padding='valid'"
            )
        return (input_shape[0], size, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": (self.kernel_size,),
            "strides": (self.strides,),
            "padding": self.padding,
            "data_format": "channels_last",
            "dilation_rate": (1,),
            "groups": 1,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }
