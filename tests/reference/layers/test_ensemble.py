"""EnsembleAdapter and EnsembleDense, the TabM-mini ensemble's layers, against their Keras layers
(``deepkit.models.tabular``): forward, gradients, finite differences, and SGD steps of a small
k-head model with the binary cross-entropy via ``from_keras``."""

import keras
import numpy as np
import pytest

from deepkit.models.tabular import EnsembleAdapter, EnsembleDense, RandomSigns, head_targets
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import ensemble

from ._parity import (
    backward_matches_finite_differences,
    layer_matches_keras,
    model_step_matches_keras,
)

TOLERANCES = [("float64", 1e-10), ("float32", 1e-5)]


@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_ensemble_adapter_matches_keras(dtype, rtol):
    x = np.random.default_rng(0).normal(size=(5, 4)).astype(dtype)
    keras_layer, layer = layer_matches_keras(lambda: EnsembleAdapter(3, seed=1), x, rtol=rtol)
    assert layer(x).shape == (5, 3, 4)
    assert set(np.unique(keras_layer.get_weights()[0])) == {-1.0, 1.0}


@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_ensemble_dense_matches_keras(dtype, rtol):
    x = np.random.default_rng(0).normal(size=(5, 3, 4)).astype(dtype)
    _, layer = layer_matches_keras(lambda: EnsembleDense(2, activation="tanh"), x, rtol=rtol)
    assert [w.shape for w in layer.weights] == [(3, 4, 2), (3, 2)]


def test_each_head_has_its_own_dense_layer():
    """Head i of EnsembleDense is Dense with kernel[i] and bias[i] on inputs[:, i]."""
    layer = ensemble.EnsembleDense(2)
    x = np.random.default_rng(0).normal(size=(5, 3, 4))
    out = layer(x)
    for head in range(3):
        np.testing.assert_allclose(out[:, head], x[:, head] @ layer.kernel[head] + layer.bias[head])


@pytest.mark.parametrize(
    "layer,shape",
    [(lambda: ensemble.EnsembleAdapter(3), (4, 5)), (lambda: ensemble.EnsembleDense(2), (4, 3, 5))],
)
def test_backward_matches_finite_differences(layer, shape):
    backward_matches_finite_differences(layer(), input_shape=shape)


def test_k_head_model_steps_like_keras():
    """Adapter -> shared Dense -> per-head sigmoid outputs, trained on the mean of the heads'
    cross-entropies (targets repeated per head): losses and weights equal after 3 SGD steps."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(10, 4))
    y = head_targets((rng.random(10) < 0.4).astype("float64"), 3)
    with keras_float_dtype("float64"):  # Keras's predict, at the end, in float64 too
        model_step_matches_keras(
            lambda: [
                EnsembleAdapter(3, seed=2),
                keras.layers.Dense(5, activation="relu"),
                EnsembleDense(1, activation="sigmoid"),
            ],
            x,
            y,
            rtol=1e-10,
            steps=3,
            loss="binary_crossentropy",
        )


def test_random_signs_are_plus_or_minus_one_and_both():
    keras_signs = np.asarray(RandomSigns(seed=4)((200,)))
    numpy_signs = ensemble.RandomSigns()((200,), rng=np.random.default_rng(4))
    for signs in (keras_signs, numpy_signs):
        assert set(np.unique(signs)) == {-1.0, 1.0}
        assert 60 < (signs > 0).sum() < 140
