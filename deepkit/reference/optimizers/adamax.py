"""Adamax: Adam with the infinity norm of the gradients in place of their
second moment (mirrors keras/src/optimizers/adamax.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast


class Adamax(Optimizer):
    """With t the 1-based step:
    m += (g - m)(1 - beta_1);  u = max(beta_2 u, |g|);
    w -= lr m / ((1 - beta_1^t)(u + epsilon)).

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        beta_1: the decay of the gradient average.
        beta_2: the decay of the infinity norm.
        epsilon: added to u.
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    slot_names = ("momentum", "norm")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def begin_step(self, dtype, learning_rate):
        t = dtype(self.iterations + 1)
        self._correction = 1 - keras_cast(self.beta_1, dtype) ** t

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        m, u = slots["momentum"], slots["norm"]
        np.subtract(grad, m, out=scratch)
        scratch *= dtype(1 - self.beta_1)
        m += scratch
        u *= dtype(self.beta_2)
        np.abs(grad, out=scratch)
        np.maximum(u, scratch, out=u)
        np.add(u, dtype(self.epsilon), out=scratch)
        scratch *= self._correction
        np.multiply(m, dtype(learning_rate), out=step)
        step /= scratch
        variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
