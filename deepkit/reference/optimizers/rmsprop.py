"""RMSprop (mirrors keras/src/optimizers/rmsprop.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer


class RMSprop(Optimizer):
    """v = rho v + (1 - rho) g^2;  (centered: a = rho a + (1 - rho) g, v - a^2 below)
    step = lr g / sqrt(v + epsilon);  with momentum: m = momentum m + step, w -= m;
    else w -= step.

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        rho: the decay of the squared-gradient average.
        momentum: the momentum of the steps (0: none).
        epsilon: added under the square root.
        centered: whether to divide by the gradient's estimated variance rather
            than its second moment.
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    def __init__(
        self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, **kwargs
    ):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered
        self.slot_names = (
            ("velocity",)
            + (("momentum",) if momentum > 0 else ())
            + (("average_gradient",) if centered else ())
        )

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        rho, one_minus_rho = dtype(self.rho), dtype(1 - self.rho)
        v = slots["velocity"]
        v *= rho
        np.multiply(grad, grad, out=scratch)
        scratch *= one_minus_rho
        v += scratch
        if self.centered:
            a = slots["average_gradient"]
            a *= rho
            np.multiply(grad, one_minus_rho, out=scratch)
            a += scratch
            np.multiply(a, a, out=scratch)
            np.subtract(v, scratch, out=scratch)
            scratch += dtype(self.epsilon)
        else:
            np.add(v, dtype(self.epsilon), out=scratch)
        np.sqrt(scratch, out=scratch)
        np.multiply(grad, dtype(learning_rate), out=step)
        step /= scratch
        if self.momentum > 0:
            m = slots["momentum"]
            m *= dtype(self.momentum)
            m += step
            variable -= m
        else:
            variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "rho": self.rho,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "centered": self.centered,
        }
