"""Adadelta: per-coordinate steps scaled by the ratio of the root mean squares
of past steps and past gradients, after Zeiler (2012) (mirrors
keras/src/optimizers/adadelta.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer


class Adadelta(Optimizer):
    """With rms(x) = sqrt(x + epsilon):
    a = rho a + (1 - rho) g^2;  d = -rms(s) g / rms(a);
    s = rho s + (1 - rho) d^2;  w += lr d
    (a the accumulated gradient, s the accumulated step; lr 1.0 is the paper's form).

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        rho: the decay of both averages.
        epsilon: added under the square roots.
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    slot_names = ("accumulated_grad", "accumulated_delta_var")

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        rho, one_minus_rho, epsilon = dtype(self.rho), dtype(1 - self.rho), dtype(self.epsilon)
        a, s = slots["accumulated_grad"], slots["accumulated_delta_var"]
        a *= rho
        np.multiply(grad, grad, out=scratch)
        scratch *= one_minus_rho
        a += scratch
        np.add(s, epsilon, out=step)
        np.sqrt(step, out=step)
        step *= grad
        np.add(a, epsilon, out=scratch)
        np.sqrt(scratch, out=scratch)
        step /= scratch  # -d
        s *= rho
        np.multiply(step, step, out=scratch)
        scratch *= one_minus_rho
        s += scratch
        step *= dtype(learning_rate)
        variable -= step

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
