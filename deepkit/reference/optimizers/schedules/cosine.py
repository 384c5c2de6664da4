"""Cosine decay, with warmup, and with warm restarts (SGDR; mirror
keras/src/optimizers/schedules/learning_rate_schedule.py)."""

import math

import numpy as np

from deepkit.reference.optimizers.casting import keras_cast
from deepkit.reference.optimizers.schedules.base import (
    Decay,
    LearningRateSchedule,
    float64_op,
    tensor_dtype,
)
from deepkit.validation import check_float


def _cosine(fraction, alpha, dtype):
    """(1 - alpha) (1 + cos(pi fraction)) / 2 + alpha, in Keras's order."""
    cosine = 0.5 * (1.0 + float64_op(math.cos, dtype, dtype(math.pi) * fraction))
    return dtype(1 - alpha) * cosine + dtype(alpha)


class CosineDecay(Decay):
    """Without warmup: lr0 ((1 - alpha) (1 + cos(pi t / decay_steps)) / 2 + alpha),
    t capped at decay_steps. With ``warmup_target`` w: lr0 + (w - lr0) t / warmup_steps
    while t < warmup_steps, then the cosine from w at t - warmup_steps (t capped at
    decay_steps + warmup_steps).

    Args:
        initial_learning_rate: lr0, a float.
        decay_steps: the steps of the cosine.
        alpha: the final rate as a fraction of the cosine's starting rate.
        warmup_target: the rate the warmup reaches (None: no warmup).
        warmup_steps: the warmup's steps.
    """

    def __init__(
        self, initial_learning_rate, decay_steps, alpha=0.0, warmup_target=None, warmup_steps=0
    ):
        super().__init__(initial_learning_rate, decay_steps)
        check_float(alpha, "alpha")
        if warmup_target is not None:
            check_float(warmup_target, "warmup_target")
        check_float(warmup_steps, "warmup_steps", min_value=0)
        self.alpha, self.warmup_target, self.warmup_steps = alpha, warmup_target, warmup_steps

    def __call__(self, step):
        d = self.dtype
        lr0, t, steps = self._start(step)
        if self.warmup_target is None:
            return lr0 * _cosine(min(t, steps) / steps, self.alpha, d)
        target, warmup = keras_cast(self.warmup_target, d), keras_cast(self.warmup_steps, d)
        t = min(t, steps + warmup)
        if t < warmup:
            return (target - lr0) * (t / warmup) + lr0
        return target * _cosine((t - warmup) / steps, self.alpha, d)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


class CosineDecayRestarts(LearningRateSchedule):
    """The cosine of ``CosineDecay`` over periods of first_decay_steps t_mul^i steps,
    the i-th scaled by m_mul^i: with f = t / first_decay_steps, restart
    i = floor(log(1 - f (1 - t_mul)) / log(t_mul)) (floor(f) when t_mul = 1) and
    the fraction of that period done (f - (1 - t_mul^i) / (1 - t_mul)) / t_mul^i,
    lr = lr0 ((1 - alpha) m_mul^i (1 + cos(pi fraction)) / 2 + alpha).

    Args:
        initial_learning_rate: lr0, a float.
        first_decay_steps: the first period's steps.
        t_mul: each period's length over the previous one's.
        m_mul: each restart's rate over the previous one's.
        alpha: the final rate of each period as a fraction of lr0.
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0):
        self.dtype = tensor_dtype(initial_learning_rate, "initial_learning_rate")
        check_float(first_decay_steps, "first_decay_steps", min_value=0, include_min=False)
        check_float(t_mul, "t_mul", min_value=0, include_min=False)
        check_float(m_mul, "m_mul")
        check_float(alpha, "alpha")
        self.initial_learning_rate, self.first_decay_steps = (
            initial_learning_rate,
            first_decay_steps,
        )
        self.t_mul, self.m_mul, self.alpha = t_mul, m_mul, alpha

    def __call__(self, step):
        d = self.dtype
        alpha, t_mul, m_mul = (keras_cast(v, d) for v in (self.alpha, self.t_mul, self.m_mul))
        fraction = d(step) / keras_cast(self.first_decay_steps, d)
        if t_mul == 1:
            restart = np.floor(fraction)
            fraction -= restart
        else:
            restart = np.floor(
                float64_op(math.log, d, 1.0 - fraction * (1.0 - t_mul))
                / float64_op(math.log, d, t_mul)
            )
            growth = float64_op(math.pow, d, t_mul, restart)
            fraction = (fraction - (1.0 - growth) / (1.0 - t_mul)) / growth
        scale = 0.5 * float64_op(math.pow, d, m_mul, restart)
        cosine = scale * (1.0 + float64_op(math.cos, d, d(math.pi) * fraction))
        return d(self.initial_learning_rate) * ((1 - alpha) * cosine + alpha)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self.t_mul,
            "m_mul": self.m_mul,
            "alpha": self.alpha,
        }
