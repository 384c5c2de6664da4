"""Rescaling and Normalization against Keras's: the same operations, so float64 agrees
to rtol 1e-12 (Keras's float32 rounding of a Python scale included) and float32 to 1e-6."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype

from ._parity import assert_close, layer_matches_keras, model_step_matches_keras


@pytest.mark.parametrize("scale,offset", [(1 / 255, 0.0), (2.0, -1.0), ([0.5, 2.0, -1.0], 0.25)])
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-6)])
def test_rescaling_matches_keras(scale, offset, dtype, rtol):
    x = np.random.default_rng(0).uniform(0, 255, size=(2, 4, 3)).astype(dtype)
    layer_matches_keras(lambda: keras.layers.Rescaling(scale, offset), x, rtol=rtol)


def test_rescaling_in_a_model_step_like_keras():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 255, size=(5, 4)), rng.normal(size=(5, 1))
    model_step_matches_keras(
        lambda: [keras.layers.Rescaling(1 / 127.5, offset=-1), keras.layers.Dense(1)], x, y
    )


def _normalization_pair(x, dtype, **kwargs):
    """A Keras Normalization adapted on ``x`` (unless given its statistics), and its
    counterpart through ``from_keras``; both in ``dtype``."""
    with keras_float_dtype(dtype):
        keras_layer = keras.layers.Normalization(**kwargs)
        if "mean" in kwargs:
            keras_layer.build(x.shape)
        else:
            keras_layer.adapt(x)
        layer = ref.layers.LAYERS["Normalization"].from_keras(keras_layer)
        layer.dtype = dtype
        layer.build((None,) + x.shape[1:])
        layer.set_weights(keras_layer.get_weights())
    return keras_layer, layer


NORMALIZATIONS = [
    {"axis": -1},
    {"axis": None},
    {"axis": (1, 2)},
    {"axis": -1, "invert": True},
    {"axis": -1, "mean": 2.0, "variance": 9.0},
    {"axis": (1, 2), "mean": [1.0, 2.0, 3.0], "variance": [4.0, 0.0, 1.0]},  # right-aligned
]


@pytest.mark.parametrize("kwargs", NORMALIZATIONS)
@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-6)])
def test_normalization_forward_and_input_gradient_match_keras(kwargs, dtype, rtol):
    rng = np.random.default_rng(2)
    x = (rng.normal(3.0, 2.0, size=(6, 4, 3)) * [1.0, 0.01, 5.0]).astype(dtype)
    x[:, 1, 0] = 7.0  # a constant column: variance 0, divided by eps = 1e-7 instead
    keras_layer, layer = _normalization_pair(x, dtype, **kwargs)
    dy = rng.normal(size=x.shape).astype(dtype)
    inputs = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        objective = tf.reduce_sum(keras_layer(inputs) * dy)
    keras_dx = tape.gradient(objective, inputs).numpy()
    out = layer(x)
    assert out.dtype == x.dtype
    assert_close(out, keras_layer(x).numpy(), rtol)
    assert_close(layer.backprop(dy), keras_dx, rtol)
    assert not layer.trainable_weights  # fixed statistics: no optimizer moves them


def test_normalization_adapt_computes_keras_statistics_and_count_stays_an_integer():
    x = np.random.default_rng(3).normal(3.0, 2.0, size=(30, 5, 2))
    with keras_float_dtype("float64"):
        keras_layer = keras.layers.Normalization(axis=(1, 2))
        keras_layer.adapt(x)
    layer = ref.layers.LAYERS["Normalization"](axis=(1, 2), dtype="float64")
    layer.adapt(x)
    for ours, theirs in zip(layer.get_weights(), keras_layer.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype
    model = ref.Sequential([ref.Input((5, 2)), layer], dtype="float64")
    back = model.to_keras()  # Keras's Normalization reads its weights again
    np.testing.assert_allclose(back(x).numpy(), layer(x), rtol=1e-12)
    np.testing.assert_allclose(back(x).numpy().mean(axis=0), 0.0, atol=1e-12)


def test_normalization_in_a_model_step_like_keras():
    rng = np.random.default_rng(4)
    x, y = rng.normal(10.0, 3.0, size=(8, 3)), rng.normal(size=(8, 1))
    model_step_matches_keras(
        lambda: [keras.layers.Normalization(mean=[10.0, 9.0, 11.0], variance=[9.0, 4.0, 1.0]),
                 keras.layers.Dense(1)], x, y, steps=2
    )  # fmt: skip


def test_normalization_refuses_half_given_statistics_and_bad_axes():
    normalization = ref.layers.LAYERS["Normalization"]
    with pytest.raises(ref.InputError, match="both mean and variance"):
        normalization(mean=1.0)
    with pytest.raises(ref.InputError, match=r"axis \(3,\) out of range for inputs of rank 2"):
        normalization(axis=3).build((None, 4))
    with pytest.raises(ref.InputError, match="adapt\\(\\) on a layer given mean and variance"):
        normalization(mean=0.0, variance=1.0).adapt(np.zeros((3, 2)))
