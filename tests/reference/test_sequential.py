"""The twin's Sequential structure (deepkit.reference.models): summary, weights, float64,
the Keras bridge both ways, tutorial-style ``input_dim``."""

import contextlib
import io

import keras
import numpy as np
import pytest
from twin_churn import churn_like, churn_net

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference import optimizers


def test_summary_weights_and_float64():
    model = churn_net(dtype="float64")
    model.build()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    text = out.getvalue()
    assert "Total params: 121" in text and "(None, 6)" in text
    assert model.count_params() == 121
    assert all(w.dtype == np.float64 for w in model.get_weights())
    x, y = churn_like(40)
    model.fit(x, y, batch_size=10, epochs=1, verbose=0)
    assert model.predict(x).dtype == np.float64


def test_keras_bridge_round_trip():
    keras_model = keras.Sequential(
        [
            keras.Input((11,)),
            keras.layers.Dense(6, activation="relu", kernel_initializer="uniform"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    keras_model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    twin = ref.from_keras(keras_model)
    assert [type(layer).__name__ for layer in twin.layers] == ["Dense", "Dropout", "Dense"]
    assert twin.layers[0].kernel_initializer.get_config()["maxval"] == 0.05
    assert isinstance(twin.optimizer, optimizers.Adam)
    assert twin.optimizer.learning_rate == pytest.approx(0.01)
    assert twin.loss.name == "binary_crossentropy" and twin.metrics == ["accuracy"]
    x, _ = churn_like(20)
    np.testing.assert_allclose(
        twin.predict(x), keras_model.predict(x, verbose=0), rtol=1e-5, atol=1e-7
    )
    back = twin.to_keras()
    assert [type(layer).__name__ for layer in back.layers] == ["Dense", "Dropout", "Dense"]
    assert back.layers[1].rate == 0.1
    np.testing.assert_allclose(back.predict(x, verbose=0), twin.predict(x), rtol=1e-5, atol=1e-7)
    # a layer without a counterpart is named, with its class
    with pytest.raises(ValueError, match=r"layer 'masking' \(Masking\): no NumPy reference"):
        ref.from_keras(
            keras.Sequential([keras.Input((3, 2)), keras.layers.Masking(name="masking")])
        )


def test_float64_twin_to_keras_keeps_dtype_and_outputs():
    model = ref.Sequential(
        [ref.Input((3,)), ref.Dense(4, activation="elu"), ref.Dense(2)], seed=3, dtype="float64"
    )
    x = np.random.default_rng(0).normal(size=(5, 3))
    with keras_float_dtype("float64"):
        keras_model = model.to_keras()
        assert all(w.dtype == "float64" for w in keras_model.weights)
        np.testing.assert_allclose(keras_model.predict(x, verbose=0), model.predict(x), rtol=1e-13)


def test_tutorial_style_input_dim_builds_at_once_like_keras():
    x, y = churn_like(40)
    model = ref.Sequential(
        [
            ref.Dense(6, kernel_initializer="uniform", activation="relu", input_dim=11),
            ref.Dense(6, kernel_initializer="uniform", activation="relu"),
            ref.Dense(1, kernel_initializer="uniform", activation="sigmoid"),
        ],
        seed=0,
    )
    # Keras 3 builds a Sequential whose first layer declares its input at once.
    assert model.input_shape == (None, 11) and model.built and model.count_params() == 121
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=10, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    fresh = ref.Sequential([ref.Dense(6, kernel_initializer="uniform", input_dim=11)], seed=0)
    assert 0.04 < np.abs(fresh.layers[0].kernel).max() <= 0.05  # "uniform": U(-0.05, 0.05)
