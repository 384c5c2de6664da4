"""Exponential, inverse-time, polynomial and piecewise-constant decay (mirror
keras/src/optimizers/schedules/learning_rate_schedule.py)."""

import math
import numbers

import numpy as np

from deepkit.reference.optimizers.casting import keras_cast
from deepkit.reference.optimizers.schedules.base import (
    Decay,
    LearningRateSchedule,
    float64_op,
    tensor_dtype,
)
from deepkit.validation import InputError, check_float


class _RateDecay(Decay):
    """A decay by ``decay_rate`` per ``decay_steps`` steps, optionally in whole steps."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False):
        super().__init__(initial_learning_rate, decay_steps)
        check_float(decay_rate, "decay_rate")
        self.decay_rate = decay_rate
        self.staircase = bool(staircase)

    def _progress(self, step):
        """(lr0, t / decay_steps floored if ``staircase``, decay_rate) in the compute dtype."""
        lr0, t, steps = self._start(step)
        p = t / steps
        return lr0, np.floor(p) if self.staircase else p, keras_cast(self.decay_rate, self.dtype)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
        }


class ExponentialDecay(_RateDecay):
    """lr0 decay_rate^(t / decay_steps); ``staircase`` floors the exponent.

    Args:
        initial_learning_rate: lr0, a float.
        decay_steps: the steps over which the rate is multiplied by ``decay_rate``.
        decay_rate: the factor per ``decay_steps`` steps.
        staircase: whether the rate drops at whole multiples of ``decay_steps`` only.
    """

    def __call__(self, step):
        lr0, p, rate = self._progress(step)
        return lr0 * float64_op(math.pow, self.dtype, rate, p)


class InverseTimeDecay(_RateDecay):
    """lr0 / (1 + decay_rate t / decay_steps); ``staircase`` floors t / decay_steps.

    Args:
        initial_learning_rate: lr0, a float.
        decay_steps: the steps per unit of decay.
        decay_rate: how fast the rate falls.
        staircase: whether the rate drops at whole multiples of ``decay_steps`` only.
    """

    def __call__(self, step):
        lr0, p, rate = self._progress(step)
        return lr0 / (self.dtype(1) + rate * p)


class PolynomialDecay(Decay):
    """(lr0 - end) (1 - t / decay_steps)^power + end, with t capped at decay_steps;
    with ``cycle``, decay_steps times ceil(t / decay_steps) (1 at t = 0) instead.

    Args:
        initial_learning_rate: lr0, a float.
        decay_steps: the steps to reach ``end_learning_rate``.
        end_learning_rate: the rate after ``decay_steps`` steps.
        power: the polynomial's power (1: linear).
        cycle: whether to start again from lr0 after each ``decay_steps`` multiple.
    """

    def __init__(
        self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False
    ):
        super().__init__(initial_learning_rate, decay_steps)
        check_float(end_learning_rate, "end_learning_rate")
        check_float(power, "power")
        self.end_learning_rate, self.power = end_learning_rate, power
        self.cycle = bool(cycle)

    def __call__(self, step):
        d = self.dtype
        lr0, t, steps = self._start(step)
        end, power = keras_cast(self.end_learning_rate, d), keras_cast(self.power, d)
        if self.cycle:
            steps = steps * (d(1) if t == 0 else np.ceil(t / d(self.decay_steps)))
        else:
            t = min(t, steps)
        p = t / steps
        return (lr0 - end) * float64_op(math.pow, d, 1 - p, power) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
        }


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while t <= boundaries[0], values[i] while boundaries[i-1] < t <=
    boundaries[i], values[-1] after the last boundary.

    Args:
        boundaries: strictly increasing step counts (ints; a float is truncated,
            as Keras casts it to the step's integer type).
        values: one more rate than boundaries, all floats (float32 for Python
            floats, as in Keras) or all ints.
    """

    def __init__(self, boundaries, values):
        boundaries, values = list(boundaries), list(values)
        if len(boundaries) + 1 != len(values):
            raise InputError(
                f"PiecewiseConstantDecay needs one more value than boundaries, got "
                f"{len(boundaries)} boundaries and {len(values)} values"
            )
        for b in boundaries:
            check_float(b, "each boundary")
        if any(int(b) >= int(c) for b, c in zip(boundaries, boundaries[1:])):
            raise InputError(f"boundaries must be strictly increasing, got {boundaries}")
        kinds = {type(v) for v in values}
        if len(kinds) > 1 or isinstance(values[0], bool):
            raise InputError(
                f"values must all have one type (Keras adds them as tensors), got {values}"
            )
        if isinstance(values[0], numbers.Integral):
            self.dtype = np.float64  # an int is exact in float64, as in Keras's int32
        else:
            self.dtype = tensor_dtype(values[0], "values")
        self.boundaries, self.values = boundaries, values

    def __call__(self, step):
        index = sum(step > int(b) for b in self.boundaries)
        return self.dtype(self.values[index])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values}
