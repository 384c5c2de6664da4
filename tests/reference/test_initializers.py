"""The NumPy reference's initializers against Keras's, by distribution: bounds, truncation, seeds, configs."""

import keras
import numpy as np
import pytest

from deepkit.parity import keras_float_dtype
from deepkit.reference import initializers


def _keras_sample(name, shape):
    return keras.initializers.get(name)(shape).numpy()


@pytest.mark.parametrize(
    "name,shape",
    [
        ("glorot_uniform", (300, 200)),
        ("glorot_normal", (300, 200)),
        ("he_normal", (400, 100)),
        ("he_uniform", (400, 100)),
        ("uniform", (200, 200)),
        ("normal", (200, 200)),
        ("glorot_uniform", (3, 3, 16, 32)),
    ],
)
def test_initializer_distribution_matches_keras(name, shape):
    ours = initializers.get(name)(shape, rng=np.random.default_rng(0))
    theirs = _keras_sample(name, shape)
    assert ours.shape == shape and ours.dtype == np.float32
    assert abs(ours.mean()) < 0.05 * theirs.std() + 1e-3
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    assert np.abs(ours).max() <= np.abs(theirs).max() * 1.05 or name == "normal"


@pytest.mark.parametrize(
    "name,kwargs,shape",
    [
        ("TruncatedNormal", {"mean": 0.5, "stddev": 0.2}, (300, 200)),
        ("VarianceScaling", {}, (3, 3, 16, 32)),
        (
            "VarianceScaling",
            {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"},
            (300, 200),
        ),
        (
            "VarianceScaling",
            {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"},
            (300, 200),
        ),
    ],
)
def test_configured_initializer_distribution_matches_keras(name, kwargs, shape):
    """Same distribution as Keras: mean, std, extremes and quantiles of 60,000 draws."""
    ours = getattr(initializers, name)(**kwargs)(shape, rng=np.random.default_rng(2))
    theirs = getattr(keras.initializers, name)(**kwargs, seed=2)(shape).numpy()
    std = float(theirs.std())
    assert ours.shape == shape and ours.dtype == np.float32
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.02 * std)
    assert ours.std() == pytest.approx(std, rel=0.02)
    quantiles = [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999]
    np.testing.assert_allclose(
        np.quantile(ours, quantiles), np.quantile(theirs, quantiles), atol=0.1 * std
    )
    if kwargs.get("distribution") != "untruncated_normal":  # bounded: the same bounds
        assert ours.min() == pytest.approx(theirs.min(), abs=0.02 * std)
        assert ours.max() == pytest.approx(theirs.max(), abs=0.02 * std)


@pytest.mark.parametrize("value", [0.3, np.float64(0.3), 2])
def test_constant_initializer_matches_keras(value):
    """Bit for bit: a Python float passes through float32 in Keras, a NumPy one does not."""
    ours = initializers.Constant(value)((4, 3), dtype="float64")
    with keras_float_dtype("float64"):
        theirs = keras.initializers.Constant(value)((4, 3)).numpy()
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)
    assert (ours[0, 0] == value) == (type(value) is not float)
    config = keras.initializers.Constant(-1.5).get_config()
    reference = initializers.get({"class_name": "Constant", "config": config})
    np.testing.assert_array_equal(reference((2,)), keras.initializers.Constant(-1.5)((2,)).numpy())


def test_initializer_bounds_and_truncation():
    rng = np.random.default_rng(1)
    fan_in, fan_out = 300, 200
    limit = np.sqrt(6 / (fan_in + fan_out))
    w = initializers.GlorotUniform()((fan_in, fan_out), rng=rng)
    assert -limit <= w.min() < -0.99 * limit and 0.99 * limit < w.max() <= limit
    std = np.sqrt(2 / (fan_in + fan_out)) / 0.87962566103423978
    w = initializers.GlorotNormal()((fan_in, fan_out), rng=rng)
    assert np.abs(w).max() <= 2 * std
    assert w.std() == pytest.approx(np.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    w = initializers.HeUniform()((fan_in, fan_out), rng=rng)
    assert np.abs(w).max() <= np.sqrt(6 / fan_in)
    w = initializers.get("uniform")((100, 100), rng=rng)
    assert (
        -0.05 <= w.min()
        and w.max() <= 0.05
        and w.std() == pytest.approx(0.1 / np.sqrt(12), rel=0.03)
    )
    w = initializers.RandomNormal(mean=1.0, stddev=0.1)((200, 200), rng=rng)
    assert w.mean() == pytest.approx(1.0, abs=0.002) and w.std() == pytest.approx(0.1, rel=0.02)
    assert np.all(initializers.get("zeros")((3, 2)) == 0)
    assert np.all(initializers.get("ones")((3, 2), dtype="float64") == 1)


def test_initializer_seed_and_keras_config():
    a = initializers.GlorotUniform(seed=5)((4, 3))
    b = initializers.GlorotUniform(seed=5)((4, 3))
    np.testing.assert_array_equal(a, b)
    config = keras.initializers.RandomUniform(-0.1, 0.2).get_config()
    reference = initializers.get({"class_name": "RandomUniform", "config": config})
    assert (reference.minval, reference.maxval) == (-0.1, 0.2)
    assert isinstance(reference.to_keras(), keras.initializers.RandomUniform)
    with pytest.raises(ValueError, match="initializer"):
        initializers.get("lecun_magic")
