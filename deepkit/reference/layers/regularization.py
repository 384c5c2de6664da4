"""Dropout and the other noise layers (mirror keras/src/layers/regularization/): the
identity at inference, random in training only, drawing from the model's rng.

- Dropout(rate): outputs = inputs * mask / (1 - rate), mask ~ Bernoulli(1 - rate)
  per element (or per ``noise_shape`` entry, broadcast).
- SpatialDropout1D/2D(rate): Dropout whose mask has one entry per sample and
  channel, shared by every step (noise_shape (n, 1, c)) or pixel ((n, 1, 1, c)):
  whole feature maps are dropped, the kept ones scaled by 1 / (1 - rate).
- GaussianNoise(stddev): outputs = inputs + stddev z, z ~ N(0, 1) per element;
  the gradient passes unchanged.
- GaussianDropout(rate): outputs = inputs * (1 + s z), s = sqrt(rate / (1 - rate)),
  so the factor is N(1, rate / (1 - rate)); the gradient is multiplied by the
  same factor.
"""

import math

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.reference.layers.convolutional import check_channels_last
from deepkit.validation import InputError


@register
class Dropout(Layer):
    """Inverted dropout: in training, outputs = inputs * mask / (1 - rate),
    mask ~ Bernoulli(1 - rate) per element (drawn from the model's rng);
    at inference outputs = inputs. Backward: grad * mask / (1 - rate).

    For tests, set ``fixed_mask`` (a boolean keep-mask, broadcastable to the
    inputs) to use it instead of drawing; ``mask`` holds the last mask used.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise InputError(f"{type(self).__name__} rate must be in [0, 1], got {rate!r}")
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self.fixed_mask = None
        self.mask = None

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            self._scale = None
            return inputs
        if self.rate == 1:
            self._scale = inputs.dtype.type(0)
            return np.zeros_like(inputs)
        if self.fixed_mask is not None:
            self.mask = np.asarray(self.fixed_mask, dtype=bool)
        else:
            if self.rng is None:
                self.rng = np.random.default_rng(self.seed)
            shape = (
                inputs.shape
                if self.noise_shape is None
                else tuple(
                    n if n is not None else s for n, s in zip(self.noise_shape, inputs.shape)
                )
            )
            self.mask = self.rng.random(shape) >= self.rate
        self._scale = self.mask * inputs.dtype.type(1 / (1 - self.rate))
        return inputs * self._scale

    def backward(self, grad):
        return grad if self._scale is None else grad * self._scale

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": self.noise_shape,
            "seed": self.seed,
        }


class _SpatialDropout(Dropout):
    """Dropout of whole channels of inputs of rank ``RANK`` (channels last)."""

    RANK = None

    def __init__(self, rate, seed=None, **kwargs):
        noise_shape = (None,) + (1,) * (self.RANK - 2) + (None,)
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)

    def _check(self, shape):
        if len(shape) != self.RANK:
            raise InputError(
                f"{type(self).__name__} expects {self.RANK}-D inputs, got shape {tuple(shape)}"
            )

    def call(self, inputs, training=False):
        self._check(inputs.shape)
        return super().call(inputs, training=training)

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        return tuple(input_shape)

    def get_config(self):
        config = {"rate": self.rate, "seed": self.seed, "name": self.name}
        if self.dtype is not None:
            config["dtype"] = self.dtype
        return config


@register
class SpatialDropout1D(_SpatialDropout):
    """Dropout of whole channels of (batch, steps, channels): one keep-mask entry per
    sample and channel (shape (n, 1, c)), kept channels scaled by 1 / (1 - rate).

    Args:
        rate: the fraction of channels dropped, in [0, 1].
        seed: the seed of the layer's own rng (when no model gives it one).

    Raises:
        InputError: for a rate outside [0, 1], or inputs not 3-D.
    """

    RANK = 3


@register
class SpatialDropout2D(_SpatialDropout):
    """Dropout of whole channels of (batch, height, width, channels): one keep-mask
    entry per sample and channel (shape (n, 1, 1, c)), kept channels scaled by
    1 / (1 - rate).

    Args:
        rate: the fraction of channels dropped, in [0, 1].
        data_format: only "channels_last".
        seed: the seed of the layer's own rng (when no model gives it one).

    Raises:
        InputError: for a rate outside [0, 1], another data_format, or inputs not 4-D.
    """

    RANK = 4

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        check_channels_last(data_format)
        super().__init__(rate, seed=seed, **kwargs)

    def get_config(self):
        return {**super().get_config(), "data_format": "channels_last"}


class _GaussianNoiseLayer(Layer):
    """A layer driven by standard normal draws z of the inputs' shape, in training only.

    For tests, set ``fixed_noise`` (the z to use, broadcastable to the inputs)
    instead of drawing; ``noise`` holds the last z used.
    """

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.fixed_noise = None
        self.noise = None

    def _draw(self, inputs):
        if self.fixed_noise is not None:
            z = np.asarray(self.fixed_noise, dtype=inputs.dtype)
            self.noise = np.broadcast_to(z, inputs.shape)
        else:
            if self.rng is None:
                self.rng = np.random.default_rng(self.seed)
            self.noise = self.rng.standard_normal(inputs.shape).astype(inputs.dtype)
        return self.noise

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


@register
class GaussianNoise(_GaussianNoiseLayer):
    """In training, outputs = inputs + stddev * z, z ~ N(0, 1) per element; at inference
    outputs = inputs. The gradient passes unchanged.

    Args:
        stddev: the standard deviation of the noise, in [0, 1] (as Keras).
        seed: the seed of the layer's own rng (when no model gives it one).

    Raises:
        InputError: for a stddev outside [0, 1].
    """

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if not 0 <= stddev <= 1:
            raise InputError(f"GaussianNoise stddev must be in [0, 1], got {stddev!r}")
        self.stddev = stddev

    def call(self, inputs, training=False):
        if not training or self.stddev == 0:
            return inputs
        return inputs + self._draw(inputs) * inputs.dtype.type(self.stddev)

    def backward(self, grad):
        return grad

    def get_config(self):
        return {**super().get_config(), "stddev": self.stddev}


@register
class GaussianDropout(_GaussianNoiseLayer):
    """In training, outputs = inputs * (1 + s z), s = sqrt(rate / (1 - rate)),
    z ~ N(0, 1) per element; at inference outputs = inputs. Backward: the gradient
    times the same factor 1 + s z.

    Args:
        rate: the drop probability it imitates, in [0, 1); the factor has variance
            rate / (1 - rate).
        seed: the seed of the layer's own rng (when no model gives it one).

    Raises:
        InputError: for a rate outside [0, 1) (rate 1 gives an infinite variance,
            which Keras only fails on when training).
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if not 0 <= rate < 1:
            raise InputError(f"GaussianDropout rate must be in [0, 1), got {rate!r}")
        self.rate = rate

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            self._factor = None
            return inputs
        kind = inputs.dtype.type
        stddev = kind(math.sqrt(self.rate / (1 - self.rate)))
        self._factor = self._draw(inputs) * stddev + kind(1)
        return inputs * self._factor

    def backward(self, grad):
        return grad if self._factor is None else grad * self._factor

    def get_config(self):
        return {**super().get_config(), "rate": self.rate}
