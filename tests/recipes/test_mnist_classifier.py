"""The MNIST classifier steps the mnist, cnn and rnn recipes share: checks before any data
loads, one training path whether or not a checkpoint folder is given, and a finished
folder's result given back without training."""

import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit.recipes import cnn, mnist, rnn
from deepkit.recipes.mnist_classifier import prepare


def never_load(path=None):
    raise AssertionError("MNIST was loaded before the arguments were checked")


@pytest.mark.parametrize(
    "recipe, kwargs, message",
    [
        (mnist, {"engine": "torch"}, "engine must be one of"),
        (mnist, {"epochs": 0}, "epochs must be an int >= 1"),
        (cnn, {"limit": 10}, "limit must be an int >= 60"),
        (mnist, {"limit": 2.5}, "limit must be an int >= 60.*got 2.5"),
        (mnist, {"limit": "100"}, "limit must be an int >= 60.*got '100'"),
        (mnist, {"seed": 2**32}, "seed must be an int >= 0 and <= 4294967295"),
        (mnist, {"engine": "numpy", "checkpoint_dir": "runs/x"}, "with engine='keras'"),
        (rnn, {"cell": "rnn"}, "cell must be one of lstm, gru, simple, got 'rnn'"),
        (rnn, {"units": 0}, "units must be an int >= 1"),
        (rnn, {"dropout": 1.5}, r"dropout must be a number >= 0.0 and < 1.0, got 1.5"),
        (mnist, {"epoch": 3}, "Settings has no setting 'epoch'; the settings are"),
        (
            cnn,
            {"strategy": "mirrored", "cpu_replicas": 1000},
            "cpu_replicas must be an int >= 1 and <= 16",
        ),
        (cnn, {"strategy": "pipelined"}, "strategy must be one of default, mirrored, multiworker"),
    ],
)
def test_bad_settings_fail_before_mnist_is_loaded(monkeypatch, recipe, kwargs, message):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=message):
        recipe.run(**kwargs)


def test_prepare_refuses_images_of_another_shape():
    with pytest.raises(ValueError, match=r"images must have shape \(n, 28, 28\)"):
        prepare(np.zeros((3, 784), "uint8"), flat=True)


def test_a_run_with_a_checkpoint_folder_ends_with_the_weights_of_a_run_without(tmp_path):
    options = dict(cell="gru", units=8, limit=300, epochs=3, batch_size=64, path=SUBSET)
    plain = rnn.run(**options)
    saved = rnn.run(checkpoint_dir=tmp_path / "run", **options)
    for a, b in zip(plain.model.get_weights(), saved.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert plain.history == saved.history and plain.accuracy == saved.accuracy
    # rerun on the finished folder: the same result, without training again
    again = rnn.run(checkpoint_dir=tmp_path / "run", **options)
    assert again.history == plain.history and again.accuracy == plain.accuracy
    with pytest.raises(ValueError, match="units: 8 then 9"):
        rnn.run(checkpoint_dir=tmp_path / "run", **{**options, "units": 9})
