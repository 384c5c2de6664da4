"""The tabular builder (``deepkit.models.tabular``): its layers for each embedding and head count,
the k heads' targets, loss and prediction, seeds, the .keras round trip, refused arguments, and
whole networks' parity with the NumPy reference (forward, loss, gradients, an AdamW step)."""

import keras
import numpy as np
import pytest

from deepkit import parity
from deepkit.models.tabular import (
    EnsembleAdapter,
    EnsembleDense,
    PeriodicEmbedding,
    PiecewiseLinearEncoding,
    head_mean,
    head_targets,
    heads_of,
    quantile_edges,
    tabular_mlp,
)
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import embeddings_numeric, ensemble  # noqa: F401 (registers them)
from deepkit.validation import InputError

X = np.random.default_rng(0).normal(size=(16, 4))
Y = (X[:, 0] + X[:, 1] ** 2 > 0.8).astype("float64")


def test_a_tabm_mini_with_plr_is_the_documented_stack():
    model = tabular_mlp(4, [8, 8, 1], embedding=PeriodicEmbedding(3, 2, seed=0), heads=5, seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "PeriodicEmbedding",
        "Flatten",
        "EnsembleAdapter",
        "Dense",
        "Dense",
        "EnsembleDense",
    ]
    assert model.output_shape == (None, 5, 1)
    assert heads_of(model) == 5
    plain = tabular_mlp(4, [8, 1], dropout=0.2)
    assert [type(layer).__name__ for layer in plain.layers] == ["Dense", "Dropout", "Dense"]
    assert plain.output_shape == (None, 1) and heads_of(plain) == 1


def test_k_head_loss_is_the_mean_of_the_heads_losses_and_prediction_their_mean():
    model = tabular_mlp(4, [6, 1], heads=3, loss="binary_crossentropy", seed=1)
    p = np.asarray(model(X))  # (16, 3, 1)
    per_head = [
        keras.losses.binary_crossentropy(Y[:, None], p[:, i]).numpy().mean() for i in range(3)
    ]
    loss = model.compute_loss(y=head_targets(Y, 3), y_pred=model(X))
    np.testing.assert_allclose(float(loss), np.mean(per_head), rtol=1e-5)
    assert len(set(np.round(per_head, 6))) == 3  # the heads differ (random-sign adapters)
    np.testing.assert_allclose(head_mean(p), p.mean(axis=1))
    assert head_targets(Y, 3).shape == (16, 3, 1) and head_targets(Y, 1) is Y


def test_same_seed_same_weights_and_keras_file_round_trip(tmp_path):
    def build():
        edges = quantile_edges(X, 4)
        return tabular_mlp(4, [6, 1], embedding=PiecewiseLinearEncoding(edges), heads=2, seed=7)

    first, second = build(), build()
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    first.save(tmp_path / "net.keras")
    loaded = keras.saving.load_model(tmp_path / "net.keras")
    np.testing.assert_allclose(np.asarray(loaded(X)), np.asarray(first(X)), rtol=1e-6)
    plr = tabular_mlp(4, [6, 1], embedding=PeriodicEmbedding(2, 3, 0.5, seed=1), seed=1)
    plr.save(tmp_path / "plr.keras")
    np.testing.assert_allclose(
        np.asarray(keras.saving.load_model(tmp_path / "plr.keras")(X)),
        np.asarray(plr(X)),
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "network",
    [
        lambda: tabular_mlp(
            4, [6, 5, 1], embedding=PeriodicEmbedding(3, 2, 0.5, seed=2), heads=4, seed=2,
            optimizer=keras.optimizers.AdamW(0.01, weight_decay=0.01), loss="binary_crossentropy",
        ),
        lambda: tabular_mlp(
            4, [6, 1], embedding=PiecewiseLinearEncoding(quantile_edges(X, 5)), heads=3, seed=3,
            optimizer="adam", learning_rate=0.01, loss="binary_crossentropy",
        ),
    ],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_whole_networks_match_the_numpy_reference(network, dtype):
    """Each layer's outputs, the loss, every gradient and one optimizer step, within the
    dtype's tolerance (1e-7 float64, 1e-5 float32)."""
    with keras_float_dtype(dtype):
        model = network()
        y = head_targets(Y, heads_of(model)).astype(dtype)
        report = parity.compare(model, X.astype(dtype), y)
    assert report.passed, str(report)
    if dtype == "float64":
        assert report.max_ratio() < 1e-3  # well inside 1e-7: agreement to ~1e-10


BAD = [
    (dict(heads=0), "heads must be"),
    (dict(dropout=1.0), r"dropout must be in \[0, 1\)"),
    (dict(units=[]), "units must be a non-empty list"),
    (dict(embedding="plr"), "embedding must be a Keras layer or None"),
    (dict(learning_rate=0.1), "learning_rate needs loss="),
]


@pytest.mark.parametrize("change,message", BAD)
def test_bad_arguments_are_refused_before_building(change, message, no_building):
    with pytest.raises(InputError, match=message):
        tabular_mlp(**{"input_dim": 4, "units": [3, 1], **change})


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda: PeriodicEmbedding(0), "num_frequencies must be"),
        (lambda: PeriodicEmbedding(2, 2, sigma=0), "sigma must be"),
        (lambda: EnsembleAdapter(0), "heads must be"),
        (lambda: EnsembleDense(0), "units must be"),
    ],
)
def test_bad_layer_arguments_are_refused(make, message):
    with pytest.raises(InputError, match=message):
        make()
