"""AveragePooling2D and the global poolings against Keras's (float64 at rtol 1e-7,
float32 at 1e-5), ties and "same" padding included."""

import keras
import numpy as np
import pytest

from ._parity import layer_matches_keras, model_step_matches_keras


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
