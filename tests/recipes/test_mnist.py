"""Tiny runs of the mnist recipe (Keras and the NumPy reference) on the committed MNIST subset."""

import re

from mnist_recipe_checks import SUBSET, check_consistent

from deepkit.recipes import mnist


def test_mlp_keras_beats_chance_and_saves_misclassified_digits(tmp_path):
    result = mnist.run(limit=2000, epochs=3, path=SUBSET, seed=0, plot=tmp_path / "wrong.png")
    check_consistent(result)
    assert result.n_train == 2000 and result.n_test == 333
    assert result.accuracy > 0.8  # chance is 0.10
    assert (tmp_path / "wrong.png").read_bytes()[:4] == b"\x89PNG"


def test_t1_mlp_on_the_numpy_reference_learns():
    result = mnist.run(
        config="t1", engine="numpy", limit=1200, epochs=8, batch_size=16, path=SUBSET, seed=0
    )
    check_consistent(result)
    assert result.engine == "numpy" and type(result.model).__module__.startswith(
        "deepkit.reference"
    )
    assert result.accuracy > 0.7


def test_mnist_shows_keras_progress_when_asked(capsys):
    mnist.run(config="t1", limit=600, epochs=1, path=SUBSET, verbose=2)
    assert re.search(r"\d+/\d+ - .* - accuracy: .* - val_accuracy: ", capsys.readouterr().out)
