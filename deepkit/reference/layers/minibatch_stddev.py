"""``MinibatchStdDev`` (Karras et al. 2018): the NumPy reference of
``deepkit.models.gan.MinibatchStdDev``.

Forward, for a batch x of n rows of F features (F = h w c for images), c = x - mean_b x:

    sd_f = sqrt(mean_b c_bf^2 + epsilon),   s = mean_f sd_f,   y = [x, s] (s on every row).

Backward, with g = dLoss/dy and G = the sum of g's last feature over the batch (and over
the pixels of images) = dLoss/ds; d sd_f / d x_bf = c_bf / (n sd_f), because the mean's
own derivative sums to zero over the batch:

    dLoss/dx_bf = g_bf + G c_bf / (n F sd_f).

It registers with ``LAYERS`` when imported; ``to_keras`` builds the Keras layer of
``deepkit.models.gan.layers``.
"""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.validation import check_float


@register
class MinibatchStdDev(Layer):
    """Appends s, the mean over features of each feature's standard deviation over the batch:
    ``(batch, ..., channels) -> (batch, ..., channels + 1)``. Arguments as Keras's
    ``deepkit.models.gan.MinibatchStdDev``."""

    def __init__(self, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = check_float(epsilon, "epsilon", 0.0, include_min=False)

    def call(self, inputs, training=False):
        self._centred = inputs - inputs.mean(axis=0)
        self._deviation = np.sqrt((self._centred**2).mean(axis=0) + self.epsilon)
        feature = np.full(inputs.shape[:-1] + (1,), self._deviation.mean(), dtype=inputs.dtype)
        return np.concatenate([inputs, feature], axis=-1)

    def backward(self, grad):
        if not self.propagate:
            return None
        n, features = len(self._centred), self._deviation.size
        through_s = grad[..., -1].sum() * self._centred / (n * features * self._deviation)
        return grad[..., :-1] + through_s.astype(grad.dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}

    def to_keras(self):
        from deepkit.models.gan.layers import MinibatchStdDev as KerasMinibatchStdDev

        return KerasMinibatchStdDev.from_config(self.get_config())
