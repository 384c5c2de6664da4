"""The steps both transfer experiments take: the two tasks split from MNIST, a training as a
checkpoint stage (restored once finished), the pretrained model saved without leaving an
empty temporary folder when saving fails."""

import tempfile

import keras
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.transfer import steps


def test_digits_split_into_two_five_way_tasks():
    images, labels = steps.split_digits(np.arange(10), np.arange(10), 5)
    np.testing.assert_array_equal(images, [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(labels, [0, 1, 2, 3, 4])
    tasks = steps.load_tasks(600, str(SUBSET))
    y_train = np.load(SUBSET)["y_train"][:600]
    assert len(tasks.source[0]) + len(tasks.target[0]) == 600
    assert len(tasks.target[0]) == np.count_nonzero(y_train >= 5) == 281
    for x, y in tasks:
        assert x.shape[1:] == (28, 28, 1) and x.dtype == np.float32 and 0 <= x.min() <= x.max() <= 1
        assert set(np.unique(y)) == set(range(5))
    assert steps.load_tasks(600, str(SUBSET), rgb=True).target_test[0].shape[1:] == (32, 32, 3)


def test_digits_become_padded_rgb_for_keras_applications():
    x = np.zeros((2, 28, 28, 1), "float32")
    x[0, 0, 0, 0] = 1.0
    rgb = steps.to_rgb32(x)
    assert rgb.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(rgb[0, 2, 2], [1.0, 1.0, 1.0])
    assert rgb.sum() == 3.0


def _tiny_classifier():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def test_a_stage_is_trained_and_scored_once_then_restored(tmp_path, capsys):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 4)).astype("float32"), np.arange(40) % 5
    calls = []

    def fit(model):
        def train(stage):
            calls.append(stage)
            model.fit(x, y, epochs=2, verbose=0, callbacks=stage.callbacks())

        return train

    checkpoint = Checkpoint.open(tmp_path / "run", {"test": "stage"})
    model = _tiny_classifier()
    results = steps.scored_stage(checkpoint, "train", model, fit(model), (x, y), verbose=1)
    assert len(calls) == 1 and set(results) == {"accuracy", "seconds"}
    assert results["accuracy"] == np.mean(model.predict(x, verbose=0).argmax(1) == y)
    assert "finished in an earlier run" not in capsys.readouterr().out

    again = _tiny_classifier()
    restored = steps.scored_stage(checkpoint, "train", again, fit(again), (x, y), verbose=1)
    assert len(calls) == 1 and restored == results
    for a, b in zip(model.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    out = capsys.readouterr().out
    assert f"train: finished in an earlier run, restored from {tmp_path / 'run' / 'train'}" in out


def test_the_save_folder_is_made_only_to_save_and_removed_if_the_save_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()

    def failing(path):
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        steps.save_into(None, "model.keras", failing)
    with pytest.raises(OSError, match="disk full"):
        steps.save_into(tmp_path / "new" / "folder", "model.keras", failing)
    assert list((tmp_path / "tmp").iterdir()) == [] and not (tmp_path / "new").exists()

    path = steps.save_into(None, "model.txt", lambda path: path.write_text("saved"))
    assert path.parent.parent == tmp_path / "tmp" and path.read_text() == "saved"
    existing = tmp_path / "mine"
    existing.mkdir()
    with pytest.raises(OSError):
        steps.save_into(existing, "model.keras", failing)
    assert existing.is_dir()  # the user's own folder stays
