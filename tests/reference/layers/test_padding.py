"""ZeroPadding1D/2D and Cropping1D/2D against Keras's (float64 at rtol 1e-12, float32 at
1e-6) for every form of their amounts (an int, a pair, a pair of pairs), inside a model
through ``from_keras``, and their refusals."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref

from ._parity import layer_matches_keras, model_step_matches_keras

CASES = [
    (lambda: keras.layers.ZeroPadding1D(), (2, 4, 3)),
    (lambda: keras.layers.ZeroPadding1D(2), (2, 4, 3)),
    (lambda: keras.layers.ZeroPadding1D((0, 3)), (2, 4, 3)),
    (lambda: keras.layers.ZeroPadding2D(), (2, 3, 4, 2)),
    (lambda: keras.layers.ZeroPadding2D(2), (2, 3, 4, 2)),
    (lambda: keras.layers.ZeroPadding2D((1, 0)), (2, 3, 4, 2)),
    (lambda: keras.layers.ZeroPadding2D(((0, 2), (3, 1))), (2, 3, 4, 2)),
    (lambda: keras.layers.Cropping1D(), (2, 5, 3)),
    (lambda: keras.layers.Cropping1D(2), (2, 5, 3)),
    (lambda: keras.layers.Cropping1D((0, 3)), (2, 5, 3)),
    (lambda: keras.layers.Cropping1D((2, 0)), (2, 5, 3)),
    (lambda: keras.layers.Cropping2D(), (2, 5, 6, 2)),
    (lambda: keras.layers.Cropping2D(1), (2, 5, 6, 2)),
    (lambda: keras.layers.Cropping2D((2, 1)), (2, 5, 6, 2)),
    (lambda: keras.layers.Cropping2D(((0, 2), (3, 1))), (2, 5, 6, 2)),
    (lambda: keras.layers.Cropping2D(((1, 0), (0, 4))), (2, 5, 6, 2)),
]


def _inputs(shape, dtype="float64"):
    return np.random.default_rng(0).normal(size=shape).astype(dtype)


@pytest.mark.parametrize("make,shape", CASES)
def test_padding_and_cropping_match_keras_float64(make, shape):
    layer_matches_keras(make, _inputs(shape), rtol=1e-12)


@pytest.mark.parametrize("make,shape", [CASES[2], CASES[6], CASES[10], CASES[14]])
def test_padding_and_cropping_match_keras_float32(make, shape):
    layer_matches_keras(make, _inputs(shape, "float32"), rtol=1e-6)


def test_amounts_are_read_as_keras_reads_them():
    assert ref.ZeroPadding1D(2).padding == keras.layers.ZeroPadding1D(2).padding == (2, 2)
    assert ref.ZeroPadding2D((1, 3)).padding == ((1, 1), (3, 3))
    assert ref.ZeroPadding2D((1, 3)).padding == keras.layers.ZeroPadding2D((1, 3)).padding
    assert ref.Cropping2D(((0, 2), 1)).cropping == ((0, 2), (1, 1))
    assert ref.Cropping2D().cropping == keras.layers.Cropping2D().cropping == ((0, 0), (0, 0))
    assert ref.Cropping1D().cropping == keras.layers.Cropping1D().cropping == (1, 1)
    assert ref.Cropping2D(1).compute_output_shape((None, None, 6, 2)) == (None, None, 4, 2)


def test_padding_and_cropping_in_a_model_step_like_keras():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.ZeroPadding1D((1, 2)),
            keras.layers.Conv1D(3, 2),
            keras.layers.Cropping1D((0, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        rng.normal(size=(4, 5, 2)),
        y,
    )
    model_step_matches_keras(
        lambda: [
            keras.layers.ZeroPadding2D(((0, 1), (2, 1))),
            keras.layers.Conv2D(2, 2),
            keras.layers.Cropping2D(((1, 0), (0, 2))),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        rng.normal(size=(4, 4, 3, 2)),
        y,
    )


def test_channels_first_bad_amounts_and_overcropping_are_refused():
    for layer in (ref.ZeroPadding1D, ref.ZeroPadding2D, ref.Cropping2D):
        with pytest.raises(ref.InputError, match="channels_first"):
            layer(data_format="channels_first")
    with pytest.raises(ref.InputError, match="non-negative int or a pair"):
        ref.ZeroPadding1D(-1)
    with pytest.raises(ref.InputError, match="non-negative int or a pair"):
        ref.Cropping1D((1, 2, 3))
    with pytest.raises(ref.InputError, match="the width entry of Cropping2D cropping"):
        ref.Cropping2D((1, (2, -1)))
    with pytest.raises(ref.InputError, match="a pair of pairs"):
        ref.ZeroPadding2D((1, 1, 1))
    with pytest.raises(ref.InputError, match="leaves nothing"):
        ref.Cropping1D((2, 3))(np.zeros((1, 5, 2)))
    with pytest.raises(ref.InputError, match="leaves nothing"):
        ref.Cropping2D(((0, 0), (3, 3))).compute_output_shape((None, 8, 6, 1))
    with pytest.raises(ref.InputError, match="expects 3-D inputs"):
        ref.ZeroPadding1D()(np.zeros((1, 4, 4, 2)))
    with pytest.raises(ref.InputError, match="expects 4-D inputs"):
        ref.Cropping2D()(np.zeros((1, 4, 2)))


def test_from_keras_refuses_a_channels_first_layer():
    model = keras.Sequential(
        [keras.Input((2, 4, 4)), keras.layers.ZeroPadding2D(data_format="channels_first")]
    )
    with pytest.raises(ref.InputError, match="channels_first"):
        ref.from_keras(model)
