"""Adam and AdamW (mirror keras/src/optimizers/adam.py and adamw.py)."""

import numpy as np

from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast
from deepkit.validation import InputError


class Adam(Optimizer):
    """With t the 1-based step:
    alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t);
    m += (g - m)(1 - beta_1);  v += (g^2 - v)(1 - beta_2);
    (amsgrad: v^ = max(v^, v), used for v below)
    w -= m alpha / (sqrt(v) + epsilon)   (epsilon outside the square root, added
    to sqrt(v) rather than sqrt(v_hat): Keras's form, with epsilon 1e-7).

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        beta_1: the decay of the gradient average.
        beta_2: the decay of the squared-gradient average.
        epsilon: added to sqrt(v).
        amsgrad: whether to divide by the largest v so far (AMSGrad).
        **kwargs: the base options of ``Optimizer`` (clipping, weight decay, EMA).
    """

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        **kwargs,
    ):
        super().__init__(learning_rate, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self.amsgrad = bool(amsgrad)
        self.slot_names = ("momentum", "velocity") + (("velocity_hat",) if amsgrad else ())

    def begin_step(self, dtype, learning_rate):
        t = dtype(self.iterations + 1)
        self._alpha = (
            dtype(learning_rate)
            * np.sqrt(1 - keras_cast(self.beta_2, dtype) ** t)
            / (1 - keras_cast(self.beta_1, dtype) ** t)
        )

    def update_step(self, grad, variable, learning_rate, slots, scratch):
        scratch, step = scratch
        # Python floats act in the array's dtype (NumPy's weak scalars), as the
        # Python floats of Keras's update_step do.
        m, v = slots["momentum"], slots["velocity"]
        np.subtract(grad, m, out=scratch)
        scratch *= 1 - self.beta_1
        m += scratch
        np.multiply(grad, grad, out=scratch)
        scratch -= v
        scratch *= 1 - self.beta_2
        v += scratch
        if self.amsgrad:
            v = np.maximum(slots["velocity_hat"], v, out=slots["velocity_hat"])
        np.sqrt(v, out=scratch)
        scratch += self.epsilon
        np.multiply(m, self._alpha, out=step)
        step /= scratch
        variable -= step

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "amsgrad": self.amsgrad,
        }


class AdamW(Adam):
    """Adam with decoupled weight decay: w -= w weight_decay lr before each Adam
    update (Keras's default weight_decay 0.004).

    Args:
        learning_rate: a float or a ``LearningRateSchedule``.
        weight_decay: the decay per unit of learning rate; required.
        **kwargs: Adam's arguments and the base options of ``Optimizer``.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, **kwargs):
        if weight_decay is None:
            raise InputError("AdamW needs a weight_decay (a number); use Adam for none")
        super().__init__(learning_rate, weight_decay=weight_decay, **kwargs)
