"""The base ``LearningRateSchedule`` and the dtype rules every schedule shares:
Keras computes a schedule in the dtype of its ``initial_learning_rate`` as a
tensor (float32 for a Python float), casts other float settings through
float32, and lets Python floats act in that dtype."""

import numpy as np

from deepkit.reference.optimizers.casting import keras_cast
from deepkit.validation import InputError, check_float


def tensor_dtype(value, name):
    """The NumPy float type Keras's ``convert_to_tensor(value)`` gives: float32 for
    a Python float, a NumPy float's own type.

    Raises:
        InputError: for anything else; an int would make Keras compute in
            integer arithmetic.
    """
    if type(value) is float:
        return np.float32
    if isinstance(value, np.floating):
        return type(value)
    raise InputError(
        f"{name} must be a float (with an int, Keras computes the schedule in integer "
        f"arithmetic), got {value!r}"
    )


def float64_op(fn, dtype, *args):
    """``fn`` (a math function) of ``args`` in float64, rounded to ``dtype``."""
    return dtype(fn(*map(float, args)))


class LearningRateSchedule:
    """Base class: ``schedule(step)`` is the learning rate at iteration ``step``, a
    NumPy scalar in the schedule's compute dtype."""

    def __call__(self, step):
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    def to_keras(self):
        import keras

        return getattr(keras.optimizers.schedules, type(self).__name__)(**self.get_config())


class Decay(LearningRateSchedule):
    """A schedule from ``initial_learning_rate`` over ``decay_steps`` steps."""

    def __init__(self, initial_learning_rate, decay_steps):
        self.dtype = tensor_dtype(initial_learning_rate, "initial_learning_rate")
        check_float(decay_steps, "decay_steps", min_value=0, include_min=False)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps

    def _start(self, step):
        """(lr0, t, steps) in the compute dtype."""
        d = self.dtype
        return d(self.initial_learning_rate), d(step), keras_cast(self.decay_steps, d)
