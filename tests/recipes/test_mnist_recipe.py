"""Tiny runs of the mnist recipe (Keras and the twin) on the committed MNIST subset, and the
argument checks it shares with cnn through deepkit.recipes.mnist_steps."""

import numpy as np
import pytest
from mnist_recipe_checks import SUBSET, check_consistent

from deepkit.recipes import cnn, mnist, mnist_steps


def test_mlp_keras_beats_chance_and_saves_misclassified_digits(tmp_path):
    result = mnist.run(limit=2000, epochs=3, path=SUBSET, seed=0, plot=tmp_path / "wrong.png")
    check_consistent(result)
    assert result.n_train == 2000 and result.n_test == 333
    assert result.accuracy > 0.8  # chance is 0.10
    assert (tmp_path / "wrong.png").read_bytes()[:4] == b"\x89PNG"


def test_t1_mlp_on_the_numpy_twin_learns():
    result = mnist.run(
        config="t1", engine="numpy", limit=1200, epochs=8, batch_size=16, path=SUBSET, seed=0
    )
    check_consistent(result)
    assert result.engine == "numpy" and type(result.model).__module__.startswith(
        "deepkit.reference"
    )
    assert result.accuracy > 0.7


def test_bad_options_fail_before_training():
    with pytest.raises(ValueError, match="Keras-only"):
        cnn.run(engine="numpy", shift=0.1, path=SUBSET)
    with pytest.raises(ValueError, match="engine must be one of"):
        mnist.run(engine="torch", path=SUBSET)
    with pytest.raises(ValueError, match="epochs must be an int >= 1"):
        mnist.run(epochs=0, path=SUBSET)
    with pytest.raises(ValueError, match="limit must be an int >= 60"):
        cnn.run(limit=10, path=SUBSET)
    with pytest.raises(ValueError, match=r"images must have shape \(n, 28, 28\)"):
        mnist_steps.prepare(np.zeros((3, 784), "uint8"), flat=True)


def never_load(path=None):
    raise AssertionError("MNIST was loaded before the arguments were checked")


@pytest.mark.parametrize("limit", [10, 2.5, "100"])
def test_bad_limit_fails_before_mnist_is_loaded(monkeypatch, limit):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=f"limit must be an int >= 60.*got {limit!r}"):
        mnist.run(limit=limit)
    with pytest.raises(ValueError, match="limit must be an int >= 60"):
        cnn.run(limit=limit)
