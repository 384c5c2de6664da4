"""Rescaling against Keras's: the same operations, so float64 agrees to rtol 1e-12
(Keras's float32 rounding of a Python scale included) and float32 to 1e-6."""

import keras
import numpy as np
import pytest

from ._parity import layer_matches_keras, model_step_matches_keras


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
