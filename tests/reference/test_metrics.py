"""The twin's metrics against Keras's."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref


def test_categorical_accuracy_matches_keras():
    """One-hot and soft targets, and tied predictions (both take the first maximum)."""
    rng = np.random.default_rng(7)
    y_pred = rng.random((60, 4)).astype("float32")
    y_pred[:10] = y_pred[:10].round(0)  # rows with ties
    y_true = np.eye(4, dtype="float32")[rng.integers(0, 4, 60)]
    y_true[40:] = rng.dirichlet(np.ones(4), 20)
    keras_metric = keras.metrics.CategoricalAccuracy()
    keras_metric.update_state(y_true, y_pred)
    ours = ref.metrics.categorical_accuracy(y_true, y_pred)
    assert ours / len(y_pred) == pytest.approx(float(keras_metric.result()), abs=1e-7)
    per_sample = keras.metrics.categorical_accuracy(y_true, y_pred).numpy()
    assert ours == per_sample.sum() and 0 < ours < 60
    assert (
        ref.metrics.get("accuracy", y_true.shape, y_pred.shape)[1]
        is ref.metrics.categorical_accuracy
    )
