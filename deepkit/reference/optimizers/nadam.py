"""Nadam: Adam with Nesterov momentum, after Dozat (2015), with a momentum
schedule (mirrors keras/src/optimizers/nadam.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast


class Nadam(Optimizer):
    """With t the 1-based step, the momentum schedule
    u_t = beta_1 (1 - 0.5 0.96^t) and its running product P_t = u_1 ... u_t
    (one scalar for all weights, updated before the weights at each step):
    m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
    m^ = u_(t+1) m / (1 - P_t u_(t+1)) + (1 - u_t) g / (1 - P_t);
    v^ = v / (1 - beta_2^t);  w -= m^ lr / (sqrt(v^) + epsilon).

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        beta_1: the decay of the gradient average.
        beta_2: the decay of the squared-gradient average.
        epsilon: added to sqrt(v^).
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    slot_names = ("momentum", "velocity")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        super().build(variables)
        self._u_product = variables[0].dtype.type(1.0)

    def begin_step(self, dtype, learning_rate):
        # Keras's running product takes beta_1 and 0.96 in the weights' dtype
        # directly; the update below takes them cast through float32 (ops.cast).
        t, next_t = dtype(self.iterations + 1), dtype(self.iterations + 2)
        self._u_product = self._u_product * dtype(self.beta_1) * (1.0 - 0.5 * dtype(0.96) ** t)
        beta_1, beta_2 = keras_cast(self.beta_1, dtype), keras_cast(self.beta_2, dtype)
        decay = keras_cast(0.96, dtype)
        u_t = beta_1 * (1.0 - 0.5 * decay**t)
        self._u_next = beta_1 * (1.0 - 0.5 * decay**next_t)
        self._momentum_denominator = 1 - self._u_product * self._u_next
        self._gradient_factor = 1 - u_t
        self._gradient_denominator = 1 - self._u_product
        self._velocity_denominator = 1 - beta_2**t
        self._one_minus_beta_1, self._one_minus_beta_2 = 1 - beta_1, 1 - beta_2

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        dtype = variable.dtype.type
        m, v = slots["momentum"], slots["velocity"]
        np.subtract(grad, m, out=scratch)
        scratch *= self._one_minus_beta_1
        m += scratch
        np.multiply(grad, grad, out=scratch)
        scratch -= v
        scratch *= self._one_minus_beta_2
        v += scratch
        np.multiply(m, self._u_next, out=step)
        step /= self._momentum_denominator
        np.multiply(grad, self._gradient_factor, out=scratch)
        scratch /= self._gradient_denominator
        step += scratch
        np.divide(v, self._velocity_denominator, out=scratch)
        np.sqrt(scratch, out=scratch)
        scratch += dtype(self.epsilon)
        step *= dtype(learning_rate)
        step /= scratch
        variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
        }
