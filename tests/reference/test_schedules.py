"""The NumPy reference's learning-rate schedules against Keras's
(keras.optimizers.schedules): the value at every step of the first periods and
far beyond, in float64 (a float64 initial rate) and float32 (a Python float, as
Keras computes it), the Keras bridge both ways and the argument checks."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.reference.optimizers import schedules
from deepkit.validation import InputError

CASES = [
    ("ExponentialDecay", {"decay_steps": 7, "decay_rate": 0.96}),
    ("ExponentialDecay", {"decay_steps": 7, "decay_rate": 0.5, "staircase": True}),
    ("InverseTimeDecay", {"decay_steps": 3, "decay_rate": 0.3}),
    ("InverseTimeDecay", {"decay_steps": 3.5, "decay_rate": 0.3, "staircase": True}),
    ("PolynomialDecay", {"decay_steps": 20, "end_learning_rate": 0.003, "power": 0.7}),
    ("PolynomialDecay", {"decay_steps": 9, "power": 2.0, "cycle": True}),
    ("CosineDecay", {"decay_steps": 25, "alpha": 0.1}),
    ("CosineDecay", {"decay_steps": 25, "alpha": 0.05, "warmup_target": 0.2, "warmup_steps": 10}),
    ("CosineDecayRestarts", {"first_decay_steps": 6}),
    ("CosineDecayRestarts", {"first_decay_steps": 5, "t_mul": 1.0, "m_mul": 0.8, "alpha": 0.1}),
    ("CosineDecayRestarts", {"first_decay_steps": 4, "t_mul": 1.5, "m_mul": 0.9, "alpha": 0.05}),
    ("PiecewiseConstantDecay", {"boundaries": [5, 12], "values": [0.1, 0.05, 0.01]}),
    ("PiecewiseConstantDecay", {"boundaries": [3.7, 9], "values": [2, 1, 0]}),
]
STEPS = list(range(46)) + [100, 1000, 12345]  # three periods of each case, then far


def _arguments(arguments, dtype):
    """The case's arguments with its rate(s) as Python floats (float32 in Keras) or
    NumPy float64 (float64 in Keras); an initial rate of 0.1 unless given."""
    arguments = {"initial_learning_rate": 0.1, **arguments}
    if "values" in arguments:
        del arguments["initial_learning_rate"]
    if dtype == "float64":
        for key in ("initial_learning_rate", "values"):
            if key in arguments:
                value = arguments[key]
                arguments[key] = (
                    [np.float64(v) for v in value] if key == "values" else np.float64(value)
                )
    return arguments


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name,arguments", CASES)
def test_schedule_values_match_keras(name, arguments, dtype):
    """float64: equal to Keras's eager result to the last bit (inside a tf.function,
    TensorFlow's graph rewrites may move it by an ulp). float32: TensorFlow's float32
    cos, log and pow are not correctly rounded, the reference's are: an ulp apart
    at times."""
    arguments = _arguments(arguments, dtype)
    ours = getattr(schedules, name)(**arguments)
    theirs = getattr(keras.optimizers.schedules, name)(**arguments)
    expected = np.array([theirs(tf.constant(step, tf.int64)).numpy() for step in STEPS])
    got = np.array([ours(step) for step in STEPS])
    if expected.dtype.kind == "f":
        assert got.dtype == expected.dtype
    if dtype == "float64":
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=2.5e-7, atol=1e-30)


@pytest.mark.parametrize("name,arguments", CASES)
def test_schedule_bridge_both_ways(name, arguments):
    arguments = _arguments(arguments, "float32")
    keras_schedule = getattr(keras.optimizers.schedules, name)(**arguments)
    ours = schedules.from_keras(keras_schedule)
    assert type(ours) is getattr(schedules, name)
    again = ours.to_keras()
    assert type(again) is type(keras_schedule)
    config = keras_schedule.get_config()
    del config["name"]
    assert ours.get_config() == config
    assert {k: v for k, v in again.get_config().items() if k != "name"} == config


def test_a_schedule_is_read_at_the_iteration_count_before_the_update():
    """Keras calls the schedule with the count of updates done: 0 for the first."""
    schedule = schedules.PiecewiseConstantDecay([0], [1.0, 0.5])
    assert schedule(0) == 1.0 and schedule(1) == 0.5


@pytest.mark.parametrize(
    "make,expected",
    [
        (lambda: schedules.ExponentialDecay(1, 10, 0.9), "must be a float"),
        (lambda: schedules.ExponentialDecay(0.1, 0, 0.9), "decay_steps must be a number > 0"),
        (lambda: schedules.PolynomialDecay(0.1, -5), "decay_steps must be a number > 0"),
        (lambda: schedules.CosineDecay(0.1, 10, warmup_steps=-1), "warmup_steps must be"),
        (lambda: schedules.CosineDecayRestarts(0.1, 10, t_mul=0.0), "t_mul must be a number > 0"),
        (lambda: schedules.PiecewiseConstantDecay([1, 2], [0.1, 0.2]), "one more value"),
        (lambda: schedules.PiecewiseConstantDecay([3, 2], [0.3, 0.2, 0.1]), "strictly increasing"),
        (lambda: schedules.PiecewiseConstantDecay([1], [1, 0.5]), "values must all have one type"),
    ],
)
def test_schedule_arguments_are_checked(make, expected):
    with pytest.raises(InputError, match=expected):
        make()


def test_custom_keras_schedules_are_refused():
    class Halving(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            return 0.1 / (1 + step)

    with pytest.raises(InputError, match="no NumPy reference for the learning-rate schedule"):
        schedules.from_keras(Halving())
