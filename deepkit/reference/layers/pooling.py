"""Pooling layers, channels last (mirror keras/src/layers/pooling/): MaxPooling2D and
AveragePooling2D over windows, and the global poolings over every timestep or pixel.

- MaxPooling2D: the maximum of each window; the gradient goes to the first
  maximum of the window (row-major order), "same" padding pads with -inf.
- AveragePooling2D: the mean of each window over its *valid* positions (as
  TensorFlow's avg_pool: with "same" padding an edge window divides by the
  number of real inputs it covers); the gradient g / count to each of them.
- GlobalAveragePooling1D/2D: the mean over the steps axis (1) or the spatial
  axes (1, 2); gradient g / count everywhere.
- GlobalMaxPooling1D/2D: the maximum over the same axes; as TensorFlow's
  reduce_max, the gradient is split evenly between tied maxima.

``keepdims=True`` keeps the pooled axes with size 1. MaxPooling1D and
AveragePooling1D (``pooling1d.py``) are these 2-D poolings on a height-1 image.
"""

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
        self._padded, self._pads, self._slices, self._outputs = inputs, pads, slices, outputs
        return outputs

    def backward(self, grad):
        padded, outputs = self._padded, self._outputs
        grads = np.zeros_like(padded)
        unclaimed = np.ones(outputs.shape, bool)
        disjoint = all(s >= p for s, p in zip(self.strides, self.pool_size))
        for window in self._slices:
            winner = padded[window] == outputs
            winner &= unclaimed
            unclaimed ^= winner
            if disjoint:  # each input in one window: write, not add
                np.multiply(grad, winner, out=grads[window])
            else:
                grads[window] += grad * winner
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


@register
class AveragePooling2D(Layer):
    """out[n, y, x, c] = mean of the valid inputs under window (y, x), channels last.

    Args:
        pool_size: an int or a pair (Keras's (2, 2)).
        strides: an int or a pair; None means ``pool_size``.
        padding: "valid" or "same" (padded positions are left out of the mean).
        data_format: only "channels_last".
    """

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.padding = check_padding(padding)

    def call(self, inputs, training=False):
        check_images(inputs.shape, "AveragePooling2D")
        output_size, pads = pad_and_size(inputs.shape, self.pool_size, self.strides, self.padding)
        slices = list(window_offsets(self.pool_size, self.strides, output_size))
        padded = np.pad(inputs, ((0, 0), *pads, (0, 0))) if any(map(any, pads)) else inputs
        total = padded[slices[0]].copy()
        for window in slices[1:]:
            total += padded[window]
        if any(map(any, pads)):  # edge windows count only their real inputs
            ones = np.pad(
                np.ones((1,) + inputs.shape[1:3] + (1,), inputs.dtype), ((0, 0), *pads, (0, 0))
            )
            count = sum(ones[window] for window in slices)
        else:
            count = inputs.dtype.type(len(slices))
        self._padded_shape, self._pads, self._slices, self._count = (
            padded.shape,
            pads,
            slices,
            count,
        )
        return total / count

    def backward(self, grad):
        share = grad / self._count
        grads = np.zeros(self._padded_shape, grad.dtype)
        disjoint = all(s >= p for s, p in zip(self.strides, self.pool_size))
        for window in self._slices:
            if disjoint:  # each input in one window: write, not add
                grads[window] = share
            else:
                grads[window] += share
        (top, bottom), (left, right) = self._pads
        return grads[:, top : grads.shape[1] - bottom, left : grads.shape[2] - right]

    def compute_output_shape(self, input_shape):
        check_images(input_shape, "AveragePooling2D")
        (oh, ow), _ = pad_and_size(input_shape, self.pool_size, self.strides, self.padding)
        if oh < 1 or ow < 1:
            raise InputError(
                f"AveragePooling2D pool {self.pool_size} is larger than its input "
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


class _GlobalPooling(Layer):
    """Pooling over every position of axes ``AXES`` (inputs of rank ``RANK``)."""

    RANK = None
    AXES = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        check_channels_last(data_format)
        self.keepdims = bool(keepdims)

    def _check(self, shape):
        if len(shape) != self.RANK:
            raise InputError(
                f"{type(self).__name__} expects {self.RANK}-D inputs (batch, "
                f"{'steps' if self.RANK == 3 else 'height, width'}, channels), "
                f"got shape {tuple(shape)}"
            )

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        self._inputs = inputs
        return self._reduce(inputs)

    def _expand(self, grad):
        return grad if self.keepdims else np.expand_dims(grad, self.AXES)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        if self.keepdims:
            return tuple(1 if i in self.AXES else d for i, d in enumerate(input_shape))
        return (input_shape[0], input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "data_format": "channels_last", "keepdims": self.keepdims}


class _GlobalAverage(_GlobalPooling):
    def _reduce(self, inputs):
        return inputs.mean(axis=self.AXES, keepdims=self.keepdims)

    def backward(self, grad):
        count = np.prod([self._inputs.shape[a] for a in self.AXES])
        share = self._expand(grad) / grad.dtype.type(count)
        return np.broadcast_to(share, self._inputs.shape).copy()


class _GlobalMax(_GlobalPooling):
    def _reduce(self, inputs):
        return inputs.max(axis=self.AXES, keepdims=self.keepdims)

    def backward(self, grad):
        x = self._inputs
        ties = x == x.max(axis=self.AXES, keepdims=True)
        share = ties / ties.sum(axis=self.AXES, keepdims=True)
        return (share * self._expand(grad)).astype(grad.dtype)


@register
class GlobalAveragePooling1D(_GlobalAverage):
    """outputs[n, c] = mean_t inputs[n, t, c].

    Args:
        data_format: only "channels_last".
        keepdims: keep the steps axis with size 1.
    """

    RANK, AXES = 3, (1,)


@register
class GlobalAveragePooling2D(_GlobalAverage):
    """outputs[n, c] = mean_{y, x} inputs[n, y, x, c].

    Args:
        data_format: only "channels_last".
        keepdims: keep the spatial axes with size 1.
    """

    RANK, AXES = 4, (1, 2)


@register
class GlobalMaxPooling1D(_GlobalMax):
    """outputs[n, c] = max_t inputs[n, t, c]; ties share the gradient evenly.

    Args:
        data_format: only "channels_last".
        keepdims: keep the steps axis with size 1.
    """

    RANK, AXES = 3, (1,)


@register
class GlobalMaxPooling2D(_GlobalMax):
    """outputs[n, c] = max_{y, x} inputs[n, y, x, c]; ties share the gradient evenly.

    Args:
        data_format: only "channels_last".
        keepdims: keep the spatial axes with size 1.
    """

    RANK, AXES = 4, (1, 2)
