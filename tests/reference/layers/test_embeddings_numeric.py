"""PeriodicEmbedding (PLR) and PiecewiseLinearEncoding (PLE) against their Keras layers
(``deepkit.models.tabular``): forward, input and weight gradients (tf.GradientTape), the hand
backward passes against finite differences, and SGD steps of a small model via ``from_keras``."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref
from deepkit.models.tabular import PeriodicEmbedding, PiecewiseLinearEncoding
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import embeddings_numeric
from deepkit.validation import InputError

from ._parity import (
    backward_matches_finite_differences,
    layer_matches_keras,
    model_step_matches_keras,
)

TOLERANCES = [("float64", 1e-10), ("float32", 1e-5)]
EDGES = [[-1.0, -0.2, 0.5, 1.5], [0.0, 1.0, 1.0, 1.0], [-2.0, 0.0, 0.1, 2.0]]


def inputs(dtype, shape=(6, 3), seed=0):
    """Normal rows away from the edges (the clip's gradient is judged off its bounds)."""
    x = np.random.default_rng(seed).normal(size=shape)
    return (x + 0.013 * (np.isin(np.round(x, 1), (0.0, 1.0)))).astype(dtype)


@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_periodic_embedding_matches_keras(dtype, rtol):
    keras_layer, layer = layer_matches_keras(
        lambda: PeriodicEmbedding(5, 4, sigma=0.7, seed=3), inputs(dtype), rtol=rtol
    )
    assert [w.shape for w in layer.weights] == [(3, 5), (3, 10, 4), (3, 4)]
    assert layer.weight_names == ["frequencies", "kernel", "bias"]


@pytest.mark.parametrize("dtype,rtol", TOLERANCES)
def test_piecewise_linear_encoding_matches_keras(dtype, rtol):
    x = inputs(dtype, (8, 3)) * 1.5
    _, layer = layer_matches_keras(lambda: PiecewiseLinearEncoding(EDGES), x, rtol=rtol)
    out = layer(x)
    assert out.shape == (8, 3, 3)
    assert np.all(out[:, 1, 1:] == 0)  # the binary feature's empty bins


def test_piecewise_linear_encoding_values():
    """x = 0.15 against edges -1, -0.2, 0.5, 1.5: the first bin full, the second half, the
    third empty; below the first edge zeros, above the last ones."""
    layer = embeddings_numeric.PiecewiseLinearEncoding([[-1.0, -0.2, 0.5, 1.5]])
    out = layer(np.array([[0.15], [-3.0], [9.0]]))[:, 0]
    np.testing.assert_allclose(out, [[1.0, 0.5, 0.0], [0, 0, 0], [1, 1, 1]])


@pytest.mark.parametrize(
    "layer",
    [
        lambda: embeddings_numeric.PeriodicEmbedding(3, 2, sigma=0.5),
        lambda: embeddings_numeric.PeriodicEmbedding(3, 2, sigma=0.5, activation=None),
        lambda: embeddings_numeric.PiecewiseLinearEncoding(EDGES),
    ],
)
def test_backward_matches_finite_differences(layer):
    backward_matches_finite_differences(layer(), input_shape=(4, 3))


def test_embedding_models_step_like_keras():
    rng = np.random.default_rng(1)
    x, y = inputs("float64", (12, 3), seed=2), rng.normal(size=(12, 1))
    for embedding in (
        lambda: PeriodicEmbedding(4, 3, sigma=0.5, seed=1),
        lambda: PiecewiseLinearEncoding(EDGES),
    ):
        with keras_float_dtype("float64"):  # Keras's predict, at the end, in float64 too
            model_step_matches_keras(
                lambda e=embedding: [e(), keras.layers.Flatten(), keras.layers.Dense(1)],
                x,
                y,
                rtol=1e-10,
                steps=2,
            )


def test_to_keras_and_from_keras_round_trip_the_config():
    layer = embeddings_numeric.PeriodicEmbedding(6, 5, sigma=0.25, name="plr")
    keras_layer = layer.to_keras()
    assert isinstance(keras_layer, PeriodicEmbedding)
    assert (keras_layer.num_frequencies, keras_layer.units, keras_layer.sigma) == (6, 5, 0.25)
    back = embeddings_numeric.PeriodicEmbedding.from_keras(keras_layer)
    assert (back.num_frequencies, back.units, back.sigma, back.name) == (6, 5, 0.25, "plr")
    assert back.activation.name == "relu"
    assert isinstance(
        embeddings_numeric.PiecewiseLinearEncoding(EDGES).to_keras(), PiecewiseLinearEncoding
    )
    assert "PeriodicEmbedding" in ref.layers.LAYERS


@pytest.mark.parametrize(
    "edges,message",
    [
        ([[0.0, 1.0, 0.5]], "must not decrease"),
        ([0.0, 1.0], r"got shape \(2,\)"),
        ([[0.0, np.nan]], "finite"),
    ],
)
def test_bad_edges_are_refused(edges, message):
    with pytest.raises(InputError, match=message):
        embeddings_numeric.PiecewiseLinearEncoding(edges)
    with pytest.raises(InputError, match=message):
        PiecewiseLinearEncoding(edges)


def test_edges_for_other_features_than_the_inputs_are_refused():
    with pytest.raises(InputError, match="edges for 3 features, the inputs have 2"):
        embeddings_numeric.PiecewiseLinearEncoding(EDGES)(np.zeros((2, 2)))
