"""Tiny runs of the cnn recipe (Keras and the NumPy reference) on the committed MNIST subset."""

import keras
import pytest
from mnist_recipe_checks import SUBSET, check_consistent

from deepkit.recipes import cnn


def test_cnn_keras_beats_chance():
    result = cnn.run(limit=1200, epochs=3, batch_size=32, path=SUBSET, seed=0)
    check_consistent(result)
    assert isinstance(result.model, keras.Model)
    assert result.accuracy > 0.8


def test_cnn_numpy_reference_learns():
    result = cnn.run(
        engine="numpy",
        limit=360,
        epochs=2,
        batch_size=32,
        validation_split=0.0,
        path=SUBSET,
        seed=0,
    )
    check_consistent(result)
    assert result.accuracy > 0.4


def test_shifts_are_refused_on_the_numpy_reference():
    with pytest.raises(ValueError, match="Keras-only"):
        cnn.run(engine="numpy", shift=0.1, path=SUBSET)
