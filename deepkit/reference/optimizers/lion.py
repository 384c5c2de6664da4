"""Lion: steps of equal size in every coordinate, the sign of an interpolated
momentum, after Chen et al. (2023) (mirrors keras/src/optimizers/lion.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast
from deepkit.validation import check_float


class Lion(Optimizer):
    """w -= lr sign(beta_1 m + (1 - beta_1) g);  then m = beta_2 m + (1 - beta_2) g
    (sign(0) = 0).

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        beta_1: the weight of the momentum in the step, in (0, 1].
        beta_2: the decay of the momentum.
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).

    Raises:
        InputError: if beta_1 is not in (0, 1] (0 would make it sign SGD).
    """

    slot_names = ("momentum",)

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, **kwargs):
        check_float(beta_1, "beta_1", 0.0, 1.0, include_min=False)
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2 = beta_1, beta_2

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        beta_1, beta_2 = keras_cast(self.beta_1, dtype), keras_cast(self.beta_2, dtype)
        m = slots["momentum"]
        np.multiply(m, beta_1, out=scratch)
        np.multiply(grad, 1.0 - beta_1, out=step)
        scratch += step
        np.sign(scratch, out=scratch)
        scratch *= dtype(learning_rate)
        variable -= scratch
        m *= beta_2
        np.multiply(grad, 1.0 - beta_2, out=scratch)
        m += scratch

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}
