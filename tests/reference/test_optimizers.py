"""The NumPy reference's optimizer updates against Keras's, in place, and the optimizer bridge."""

import tracemalloc

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.parity import keras_float_dtype
from deepkit.reference import optimizers

OPTIMIZER_CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.5, "epsilon": 1e-3}),
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 2e-6)])
@pytest.mark.parametrize("name,kwargs", OPTIMIZER_CASES)
def test_optimizer_steps_match_keras(name, kwargs, dtype, rtol):
    rng = np.random.default_rng(4)
    start = [rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)]
    grads = [
        [(rng.normal(size=w.shape) * 10.0 ** rng.integers(-4, 1)).astype(dtype) for w in start]
        for _ in range(5)
    ]
    ours = [w.copy() for w in start]
    theirs = [tf.Variable(w) for w in start]
    reference = getattr(optimizers, name)(**kwargs)
    with keras_float_dtype(dtype):
        keras_optimizer = getattr(keras.optimizers, name)(**kwargs)
        for step_grads in grads:
            reference.apply(step_grads, ours)
            keras_optimizer.apply_gradients(zip([tf.constant(g) for g in step_grads], theirs))
    assert reference.iterations == 5
    for w, v in zip(ours, theirs):
        assert w.dtype == np.dtype(dtype)
        np.testing.assert_allclose(w, v.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name,kwargs", OPTIMIZER_CASES)
def test_optimizer_steps_update_in_place_without_temporaries(name, kwargs):
    """After the first step (which builds the slots), a step allocates no array:
    everything runs in the slots and the two scratch buffers."""
    rng = np.random.default_rng(5)
    variable, grad = rng.normal(size=100_000), rng.normal(size=100_000)
    reference = getattr(optimizers, name)(**kwargs)
    reference.apply([grad], [variable])
    before = variable.copy()
    tracemalloc.start()
    try:
        reference.apply([grad], [variable])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < variable.nbytes / 10, f"{name} allocated {peak} bytes in one step"
    assert not np.array_equal(variable, before)


def test_optimizer_bridge_and_errors():
    reference = optimizers.from_keras(keras.optimizers.Adam(learning_rate=0.02, beta_2=0.99))
    assert isinstance(reference, optimizers.Adam) and reference.beta_2 == 0.99
    assert reference.learning_rate == pytest.approx(0.02)
    assert isinstance(reference.to_keras(), keras.optimizers.Adam)
    with pytest.raises(ValueError, match="clipnorm"):
        optimizers.from_keras(keras.optimizers.SGD(clipnorm=1.0))
    with pytest.raises(ValueError, match="Nadam"):
        optimizers.from_keras(keras.optimizers.Nadam())
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get("adamant")
