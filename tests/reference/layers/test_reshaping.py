"""Flatten, Reshape, Permute, RepeatVector, UpSampling1D and UpSampling2D against Keras's
(float64 at rtol 1e-7 or 1e-12, float32 at 1e-5 or 1e-6)."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref
from deepkit.reference.layers import Flatten

from ._parity import layer_matches_keras, model_step_matches_keras


@pytest.mark.parametrize("target", [(4, 6), (-1, 3), (2, 2, 6)])
def test_reshape_matches_keras(target):
    x = np.random.default_rng(0).normal(size=(3, 2, 12))
    layer_matches_keras(lambda: keras.layers.Reshape(target), x)


@pytest.mark.parametrize("size", [2, (1, 3)])
def test_upsampling2d_matches_keras(size):
    x = np.random.default_rng(0).normal(size=(2, 3, 2, 2))
    layer_matches_keras(lambda: keras.layers.UpSampling2D(size), x)
    layer_matches_keras(lambda: keras.layers.UpSampling2D(size), x.astype("float32"), rtol=1e-5)


def test_reshape_and_upsampling_in_a_model_step_like_keras():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(4, 12)), rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Reshape((2, 3, 2)),
            keras.layers.UpSampling2D(2),
            keras.layers.Conv2D(2, 2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        x,
        y,
    )


def test_bad_target_shapes_and_interpolations_are_refused():
    with pytest.raises(ref.InputError, match="at most one -1"):
        ref.layers.Reshape((-1, -1))
    with pytest.raises(ref.InputError, match=r"has 10 entries, the input \(12,\) has 12"):
        ref.layers.Reshape((2, 5))(np.zeros((1, 12)))
    with pytest.raises(ref.InputError, match="interpolation='bilinear' is not implemented"):
        ref.layers.UpSampling2D(interpolation="bilinear")


def test_flatten_matches_keras_order_and_backward(float64):
    x = np.arange(2 * 3 * 4 * 5, dtype="float64").reshape(2, 3, 4, 5)
    layer = Flatten()
    y = layer(x)
    np.testing.assert_array_equal(y, keras.layers.Flatten()(x).numpy())
    np.testing.assert_array_equal(layer.backprop(y * 2), x * 2)


@pytest.mark.parametrize(
    "make,shape",
    [
        (lambda: keras.layers.Permute((2, 1)), (2, 3, 4)),
        (lambda: keras.layers.Permute((1, 2)), (2, 3, 4)),
        (lambda: keras.layers.Permute((3, 1, 2)), (2, 3, 4, 5)),
        (lambda: keras.layers.Permute((2, 3, 1)), (2, 3, 4, 5)),
        (lambda: keras.layers.RepeatVector(1), (2, 3)),
        (lambda: keras.layers.RepeatVector(4), (2, 3)),
        (lambda: keras.layers.UpSampling1D(), (2, 3, 4)),
        (lambda: keras.layers.UpSampling1D(1), (2, 3, 4)),
        (lambda: keras.layers.UpSampling1D(3), (2, 3, 4)),
    ],
)
def test_permute_repeat_vector_and_upsampling1d_match_keras(make, shape):
    x = np.random.default_rng(0).normal(size=shape)
    layer_matches_keras(make, x, rtol=1e-12)
    layer_matches_keras(make, x.astype("float32"), rtol=1e-6)


def test_permute_repeat_vector_and_upsampling1d_in_a_model_step_like_keras():
    rng = np.random.default_rng(2)
    model_step_matches_keras(
        lambda: [
            keras.layers.Dense(3),
            keras.layers.RepeatVector(2),
            keras.layers.UpSampling1D(2),
            keras.layers.Permute((2, 1)),
            keras.layers.Conv1D(2, 2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        rng.normal(size=(4, 5)),
        rng.normal(size=(4, 1)),
    )


def test_bad_dims_repeats_and_sizes_are_refused():
    with pytest.raises(ref.InputError, match=r"permutation of 1, \.\.\., 2, got \(0, 1\)"):
        ref.Permute((0, 1))
    with pytest.raises(ref.InputError, match="Permute expects 3-D inputs"):
        ref.Permute((2, 1))(np.zeros((1, 2, 3, 4)))
    with pytest.raises(ref.InputError, match="RepeatVector n must be a positive int"):
        ref.RepeatVector(0)
    with pytest.raises(ref.InputError, match="RepeatVector expects 2-D inputs"):
        ref.RepeatVector(2)(np.zeros((1, 2, 3)))
    with pytest.raises(ref.InputError, match="UpSampling1D size must be a positive int"):
        ref.UpSampling1D(1.5)
    with pytest.raises(ref.InputError, match="UpSampling1D expects 3-D inputs"):
        ref.UpSampling1D()(np.zeros((1, 2)))
