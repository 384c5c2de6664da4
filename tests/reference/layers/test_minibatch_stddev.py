"""MinibatchStdDev, the discriminator's minibatch standard deviation feature (Karras et al.
2018), against its Keras layer (``deepkit.models.gan``): forward, gradients, finite
differences, the value of the feature by hand, and a discriminator's SGD steps."""

import keras
import numpy as np
import pytest

from deepkit.models.gan import MinibatchStdDev
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import minibatch_stddev
from deepkit.validation import InputError

from ._parity import (
    backward_matches_finite_differences,
    layer_matches_keras,
    model_step_matches_keras,
)

TOLERANCES = [("float64", 1e-10), ("float32", 1e-5)]


@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
@pytest.mark.parametrize("shape", [(6, 5), (4, 3, 3, 2)], ids=["features", "images"])
def test_minibatch_stddev_matches_keras(dtype, rtol, shape):
    x = np.random.default_rng(0).normal(size=shape).astype(dtype)
    _, layer = layer_matches_keras(lambda: MinibatchStdDev(epsilon=1e-6), x, rtol=rtol)
    assert layer(x).shape == shape[:-1] + (shape[-1] + 1,)


def test_the_feature_is_the_mean_over_features_of_each_ones_std_over_the_batch():
    """Feature 0 takes 0 and 2 (std 1), feature 1 stays at 1 (std 0 + epsilon): s = 1/2."""
    x = np.array([[0.0, 1.0], [2.0, 1.0]])
    out = minibatch_stddev.MinibatchStdDev(epsilon=1e-12)(x)
    np.testing.assert_allclose(out, [[0.0, 1.0, 0.5 + 5e-7], [2.0, 1.0, 0.5 + 5e-7]], rtol=1e-12)
    images = np.random.default_rng(1).normal(size=(5, 2, 3, 4))
    out = minibatch_stddev.MinibatchStdDev()(images)
    np.testing.assert_allclose(out[..., -1], np.full((5, 2, 3), images.std(axis=0).mean()))


@pytest.mark.parametrize("shape", [(5, 4), (3, 2, 2, 3)], ids=["features", "images"])
def test_backward_matches_finite_differences(shape):
    backward_matches_finite_differences(minibatch_stddev.MinibatchStdDev(), input_shape=shape)


def test_a_discriminator_with_the_feature_steps_like_keras():
    """Dense -> MinibatchStdDev -> Dense(1): three SGD steps of the cross-entropy from the
    logit, on a batch whose spread the feature sees."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(8, 5))
    y = (rng.random((8, 1)) < 0.5).astype("float64")
    with keras_float_dtype("float64"):  # the loss and Keras's predict in float64 too
        model_step_matches_keras(
            lambda: [keras.layers.Dense(4, "tanh"), MinibatchStdDev(), keras.layers.Dense(1)],
            x,
            y,
            rtol=1e-10,
            steps=3,
            loss=keras.losses.BinaryCrossentropy(from_logits=True),
        )


@pytest.mark.parametrize("layer", [MinibatchStdDev, minibatch_stddev.MinibatchStdDev])
def test_a_bad_epsilon_is_refused(layer):
    with pytest.raises(InputError, match="epsilon must be a number > 0.0, got 0"):
        layer(epsilon=0)
