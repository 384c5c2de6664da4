"""Adagrad (mirrors keras/src/optimizers/adagrad.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast


class Adagrad(Optimizer):
    """a += g^2;  w -= lr g / sqrt(a + epsilon); a starts at initial_accumulator_value.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        initial_accumulator_value: the accumulator's starting value.
        epsilon: added under the square root.
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def _initial_slot(self, name, variable):
        return np.full_like(
            variable, keras_cast(self.initial_accumulator_value, variable.dtype.type)
        )

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        a = slots["accumulator"]
        np.multiply(grad, grad, out=scratch)
        a += scratch
        np.add(a, dtype(self.epsilon), out=scratch)
        np.sqrt(scratch, out=scratch)
        np.multiply(grad, dtype(learning_rate), out=step)
        step /= scratch
        variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "epsilon": self.epsilon,
            "initial_accumulator_value": self.initial_accumulator_value,
        }
