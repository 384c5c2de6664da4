"""Stochastic gradient descent (mirrors keras/src/optimizers/sgd.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast
from deepkit.validation import InputError


class SGD(Optimizer):
    """Without momentum: w -= lr g.  With momentum: m = momentum m - lr g, then
    w += m, or with nesterov w += momentum m - lr g.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        momentum: in [0, 1]; 0 is plain gradient descent.
        nesterov: whether to apply Nesterov momentum.
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    slot_names = ("momentum",)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, **kwargs):
        if not 0 <= momentum <= 1:
            raise InputError(f"momentum must be in [0, 1], got {momentum!r}")
        super().__init__(learning_rate, **kwargs)
        self.momentum, self.nesterov = momentum, nesterov
        if momentum == 0:
            self.slot_names = ()

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, nesterov_step = scratch
        dtype = variable.dtype.type
        np.multiply(grad, dtype(learning_rate), out=scratch)  # lr g
        if self.momentum == 0:
            variable -= scratch
            return
        momentum = keras_cast(self.momentum, dtype)
        m = slots["momentum"]
        m *= momentum
        m -= scratch
        if self.nesterov:
            np.multiply(m, momentum, out=nesterov_step)
            nesterov_step -= scratch
            variable += nesterov_step
        else:
            variable += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
