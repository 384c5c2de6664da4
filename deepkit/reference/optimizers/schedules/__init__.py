"""Learning-rate schedules (mirror keras/src/optimizers/schedules/learning_rate_schedule.py).

A schedule is called with the optimizer's iteration count t (0 on the first
update) and returns the learning rate for that update:

- ExponentialDecay: lr0 rate^(t / steps) (``staircase``: floor(t / steps));
- PiecewiseConstantDecay: values[i] where boundaries[i-1] < t <= boundaries[i];
- PolynomialDecay: (lr0 - end) (1 - t / steps)^power + end, t capped at steps
  (``cycle``: steps multiplied by ceil(t / steps) instead);
- InverseTimeDecay: lr0 / (1 + rate t / steps) (``staircase`` as above);
- CosineDecay: lr0 ((1 - alpha) (1 + cos(pi t / steps)) / 2 + alpha), t capped
  at steps; with ``warmup_target``, first a line from lr0 to the target over
  ``warmup_steps``, then the cosine from the target;
- CosineDecayRestarts: the cosine over periods of steps, steps t_mul, steps
  t_mul^2, ..., each restart scaled by m_mul.

Precision, as Keras computes it: in the dtype of ``initial_learning_rate`` (or
of ``values[0]``) as a tensor, so a Python float gives float32 even when the
model is float64 (the optimizer casts the result to the weights' dtype);
``numpy.float64(0.1)`` gives float64. The other float settings go through
float32 as ``ops.cast`` takes them (``keras_cast``); Python floats in the
formulas act in the compute dtype. cos, log and pow are computed in float64
and rounded: equal to TensorFlow's eager results in float64 (inside a
tf.function, graph rewrites may move Keras's by an ulp), within an ulp in float32
(TensorFlow's float32 cos and log are not correctly rounded).
"""

from deepkit.reference.optimizers.schedules.base import LearningRateSchedule
from deepkit.reference.optimizers.schedules.cosine import CosineDecay, CosineDecayRestarts
from deepkit.reference.optimizers.schedules.decay import (
    ExponentialDecay,
    InverseTimeDecay,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from deepkit.validation import InputError

SCHEDULES = {
    cls.__name__: cls
    for cls in (
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def from_keras(keras_schedule):
    """The NumPy reference's counterpart of a Keras learning-rate schedule.

    Raises:
        InputError: for a schedule class the NumPy reference does not implement
            (a custom one, for example).
    """
    name = type(keras_schedule).__name__
    cls = SCHEDULES.get(name)
    if cls is None or type(keras_schedule).__module__.split(".")[0] != "keras":
        raise InputError(
            f"no NumPy reference for the learning-rate schedule {name}; "
            f"supported: {', '.join(SCHEDULES)}"
        )
    config = keras_schedule.get_config()
    config.pop("name", None)
    return cls(**config)


__all__ = [
    "SCHEDULES",
    "CosineDecay",
    "CosineDecayRestarts",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LearningRateSchedule",
    "PiecewiseConstantDecay",
    "PolynomialDecay",
    "from_keras",
]
