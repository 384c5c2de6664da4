"""Dropout (mirrors keras/src/layers/regularization/dropout.py)."""

import numpy as np

from deepkit.reference.layers.base import Layer, register
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
            raise InputError(f"Dropout rate must be in [0, 1], got {rate!r}")
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
