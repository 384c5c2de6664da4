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


@pytest.mark.parametrize("shift", [0.0, 0.1])
def test_cnn_numpy_reference_learns(shift):
    result = cnn.run(
        engine="numpy",
        limit=360,
        epochs=2,
        batch_size=32,
        validation_split=0.0,
        shift=shift,
        path=SUBSET,
        seed=0,
    )
    check_consistent(result)
    assert result.accuracy > 0.4
    names = [layer.name for layer in result.model.layers]
    assert ("shift" in names) == (shift > 0)  # the reference's own RandomTranslation
