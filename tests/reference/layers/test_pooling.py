"""MaxPooling1D/2D, AveragePooling1D/2D and the global poolings against Keras's and
TensorFlow's (2-D and global: float64 at rtol 1e-7, float32 at 1e-5; 1-D: float64
at 1e-12, float32 at 1e-6), ties and "same" padding included; MaxPooling2D's
backward pass also against central finite differences."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.reference.layers import LAYERS, AveragePooling1D, MaxPooling1D, MaxPooling2D
from deepkit.validation import InputError

from ._parity import (
    backward_matches_finite_differences,
    keras_forward_and_grads,
    layer_matches_keras,
    model_step_matches_keras,
)

POOL_CASES = [
    ((8, 8), (2, 2), None, "valid"),
    ((7, 9), (2, 2), None, "same"),
    ((7, 7), (3, 3), (2, 2), "valid"),
    ((6, 7), (3, 2), (2, 1), "same"),
    ((5, 8), (2, 3), (1, 2), "valid"),
]


def _images(dtype="float64", shape=(2, 5, 6, 3)):
    return np.random.default_rng(0).normal(size=shape).astype(dtype)


@pytest.mark.parametrize(
    "pool,strides,padding",
    [((2, 2), None, "valid"), ((3, 2), (2, 1), "same"), ((2, 3), (1, 2), "valid"), (3, 2, "same")],
)
def test_average_pooling2d_matches_keras_float64(pool, strides, padding):
    layer_matches_keras(
        lambda: keras.layers.AveragePooling2D(pool, strides=strides, padding=padding), _images()
    )


GLOBAL = [
    (lambda: keras.layers.GlobalAveragePooling1D(), (2, 5, 3)),
    (lambda: keras.layers.GlobalAveragePooling1D(keepdims=True), (2, 5, 3)),
    (lambda: keras.layers.GlobalAveragePooling2D(), (2, 4, 3, 3)),
    (lambda: keras.layers.GlobalAveragePooling2D(keepdims=True), (2, 4, 3, 3)),
    (lambda: keras.layers.GlobalMaxPooling1D(), (2, 5, 3)),
    (lambda: keras.layers.GlobalMaxPooling2D(), (2, 4, 3, 3)),
    (lambda: keras.layers.GlobalMaxPooling2D(keepdims=True), (2, 4, 3, 3)),
]


@pytest.mark.parametrize("make,shape", GLOBAL)
def test_global_pooling_matches_keras_float64(make, shape):
    layer_matches_keras(make, _images(shape=shape))


def test_global_max_pooling_splits_the_gradient_between_ties_like_tensorflow():
    x = np.zeros((2, 4, 3, 2))
    x[0, 1, 2, 0] = x[0, 3, 0, 0] = 1.0  # two tied maxima in one channel; the rest all tie
    layer_matches_keras(lambda: keras.layers.GlobalMaxPooling2D(), x)
    layer_matches_keras(lambda: keras.layers.GlobalMaxPooling1D(), x[:, :, :, 0])


@pytest.mark.parametrize("make,shape", [GLOBAL[0], GLOBAL[5]])
def test_pooling_matches_keras_float32(make, shape):
    layer_matches_keras(make, _images("float32", shape), rtol=1e-5)
    layer_matches_keras(
        lambda: keras.layers.AveragePooling2D(3, 2, "same"), _images("float32"), rtol=1e-5
    )


def test_pooling_in_a_model_step_like_keras():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(4, 6, 6, 2)), rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Conv2D(3, 3, padding="same"),
            keras.layers.AveragePooling2D(2),
            keras.layers.Conv2D(2, 2),
            keras.layers.GlobalMaxPooling2D(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        steps=2,
    )
    model_step_matches_keras(
        lambda: [
            keras.layers.Dense(3),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1),
        ],
        x[:, 0],
        y,
    )


@pytest.mark.parametrize("size, pool, strides, padding", POOL_CASES)
def test_max_pooling2d_forward_and_gradient_float64(float64, size, pool, strides, padding):
    rng = np.random.default_rng(2)
    keras_layer = keras.layers.MaxPooling2D(pool, strides=strides, padding=padding)
    x = rng.normal(size=(2, *size, 3))
    layer = MaxPooling2D(pool, strides=strides, padding=padding)
    layer.build((None,) + x.shape[1:])
    y = layer(x)
    dy = rng.normal(size=y.shape)
    keras_y, (keras_dx,) = keras_forward_and_grads(keras_layer, x, dy)
    assert y.shape == layer.compute_output_shape(x.shape) == keras_y.shape
    np.testing.assert_allclose(y, keras_y, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(layer.backprop(dy), keras_dx, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    "pool, strides, padding",
    [((2, 2), None, "valid"), ((3, 3), (2, 2), "same"), ((2, 2), (1, 1), "valid")],
)
def test_max_pooling2d_ties_route_the_gradient_like_tensorflow(pool, strides, padding):
    rng = np.random.default_rng(8)
    x = rng.integers(0, 3, size=(2, 7, 7, 3)).astype("float64")  # many equal maxima
    layer = MaxPooling2D(pool, strides=strides, padding=padding)
    layer.dtype = "float64"
    y = layer(x)
    dy = rng.normal(size=y.shape)
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        objective = tf.reduce_sum(
            tf.nn.max_pool2d(x_t, pool, strides or pool, padding.upper()) * dy
        )
    np.testing.assert_allclose(
        layer.backprop(dy), tape.gradient(objective, x_t).numpy(), rtol=1e-12, atol=1e-12
    )


def test_max_pooling2d_backward_pass_matches_finite_differences():
    backward_matches_finite_differences(MaxPooling2D((2, 2), strides=(1, 2), padding="same"))


def test_max_pooling2d_refuses_channels_first():
    with pytest.raises(ValueError, match="channels_last"):
        MaxPooling2D(data_format="channels_first")


POOL1D_CASES = [
    (7, 2, None, "valid"),
    (7, 2, None, "same"),
    (8, 3, 2, "same"),
    (8, 3, 1, "valid"),
    (7, 2, 3, "same"),
    (6, (4,), (1,), "same"),
]


@pytest.mark.parametrize("kind", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("steps, pool, strides, padding", POOL1D_CASES)
def test_pooling1d_matches_keras_float64(kind, steps, pool, strides, padding):
    layer_matches_keras(
        lambda: getattr(keras.layers, kind)(pool, strides=strides, padding=padding),
        _images(shape=(2, steps, 3)),
        rtol=1e-12,
    )


@pytest.mark.parametrize("kind", ["MaxPooling1D", "AveragePooling1D"])
@pytest.mark.parametrize("steps, pool, strides, padding", POOL1D_CASES[1:3])
def test_pooling1d_matches_keras_float32(kind, steps, pool, strides, padding):
    layer_matches_keras(
        lambda: getattr(keras.layers, kind)(pool, strides=strides, padding=padding),
        _images("float32", shape=(2, steps, 3)),
        rtol=1e-6,
    )


@pytest.mark.parametrize("pool, strides, padding", [(2, None, "valid"), (3, 1, "same")])
def test_max_pooling1d_ties_route_the_gradient_like_keras(pool, strides, padding):
    x = np.random.default_rng(8).integers(0, 3, size=(2, 9, 3)).astype("float64")
    layer_matches_keras(
        lambda: keras.layers.MaxPooling1D(pool, strides=strides, padding=padding), x, rtol=1e-12
    )


def test_pooling1d_in_a_model_step_like_keras():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(4, 9, 2)), rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Conv1D(3, 2, padding="same"),
            keras.layers.MaxPooling1D(2, padding="same"),
            keras.layers.Conv1D(2, 2),
            keras.layers.AveragePooling1D(3, strides=1, padding="same"),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        steps=2,
    )


def test_pooling1d_config_round_trip_and_refusals():
    layer = LAYERS["MaxPooling1D"].from_keras(keras.layers.MaxPooling1D(3, 2, "same"))
    assert (layer.get_config()["pool_size"], layer.get_config()["strides"]) == ((3,), (2,))
    assert layer.to_keras().get_config()["pool_size"] == (3,)
    assert layer.compute_output_shape((None, 7, 4)) == (None, 4, 4)
    assert layer.compute_output_shape((None, None, 4)) == (None, None, 4)
    assert AveragePooling1D().strides == (1, 2)
    with pytest.raises(InputError, match="channels_last"):
        MaxPooling1D(data_format="channels_first")
    with pytest.raises(InputError, match="padding"):
        AveragePooling1D(padding="causal")
    with pytest.raises(InputError, match="pool_size"):
        MaxPooling1D(pool_size=(2, 2))
    with pytest.raises(InputError, match="3-D inputs"):
        MaxPooling1D()(np.zeros((2, 4, 4, 1)))
    with pytest.raises(InputError, match="longer than its input"):
        AveragePooling1D(5).compute_output_shape((None, 4, 1))
