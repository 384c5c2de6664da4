"""Conv1D against Keras's: every padding ("causal" too), odd and even kernels and strides,
float64 at rtol 1e-7 and float32 at 1e-5, and a model step; what it does not implement
is refused."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref

from ._parity import layer_matches_keras, model_step_matches_keras


@pytest.mark.parametrize(
    "kernel,strides,padding",
    [(3, 1, "valid"), (3, 2, "same"), (2, 3, "same"), (3, 1, "causal"), (4, 2, "causal")],
)
def test_conv1d_matches_keras_float64(kernel, strides, padding):
    x = np.random.default_rng(0).normal(size=(2, 7, 3))
    layer_matches_keras(
        lambda: keras.layers.Conv1D(
            4, kernel, strides=strides, padding=padding, bias_initializer="random_normal"
        ),
        x,
    )


def test_conv1d_matches_keras_float32():
    x = np.random.default_rng(0).normal(size=(2, 7, 3)).astype("float32")
    layer_matches_keras(lambda: keras.layers.Conv1D(4, 3, padding="same"), x, rtol=1e-5)


def test_conv1d_in_a_model_step_like_keras():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 8, 2)), rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Conv1D(3, 3, activation="relu", padding="causal"),
            keras.layers.Conv1D(2, 2, strides=2),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        steps=2,
    )


def test_conv1d_refuses_what_it_does_not_implement():
    with pytest.raises(ref.InputError, match="dilation_rate=1 and groups=1"):
        ref.layers.Conv1D(2, 3, dilation_rate=2)
    with pytest.raises(ref.InputError, match="longer than its input"):
        ref.Sequential([ref.Input((2, 1)), ref.layers.Conv1D(2, 3)])
