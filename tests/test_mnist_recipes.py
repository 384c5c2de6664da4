"""Tiny runs of the mnist, cnn and transfer recipes on the committed MNIST subset."""

from pathlib import Path

import keras
import numpy as np
import pytest

from deepkit.recipes import cnn, mnist, mnist_steps, transfer

SUBSET = Path(__file__).parent / "data" / "mnist_subset.npz"


def check_consistent(result):
    matrix = result.confusion_matrix
    assert matrix.shape == (10, 10) and matrix.sum() == result.n_test
    assert np.isclose(result.accuracy, np.trace(matrix) / result.n_test)
    assert len(result.misclassified) == result.n_test - np.trace(matrix)
    assert "test accuracy" in result.report() and f"{result.accuracy:.4f}" in result.report()


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


def test_cnn_keras_beats_chance():
    result = cnn.run(limit=1200, epochs=3, batch_size=32, path=SUBSET, seed=0)
    check_consistent(result)
    assert isinstance(result.model, keras.Model)
    assert result.accuracy > 0.8


def test_cnn_numpy_twin_learns():
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


def test_transfer_cli_refuses_low_data_options_with_application(monkeypatch):
    import argparse

    def never_run(*args, **kwargs):
        raise AssertionError("training started")

    monkeypatch.setattr(transfer, "run_application", never_run)
    monkeypatch.setattr(transfer, "run", never_run)
    parser = argparse.ArgumentParser()
    transfer.add_arguments(parser)
    for extra, named in (
        (["--low-data", "100"], "--low-data$"),
        (["--low-data-epochs", "5"], "--low-data-epochs$"),
        (["--low-data", "500", "--low-data-epochs", "30"], "--low-data, --low-data-epochs$"),
    ):
        with pytest.raises(ValueError, match=f"--application has no low-data regime; drop {named}"):
            transfer.main(parser.parse_args(["--application", "MobileNetV2", *extra]))
    # without --application they reach run(), unset ones left to run()'s defaults
    calls = []
    monkeypatch.setattr(transfer, "run", lambda **kwargs: calls.append(kwargs) or never_run())
    with pytest.raises(AssertionError, match="training started"):
        transfer.main(parser.parse_args(["--low-data", "100"]))
    assert calls[0]["low_data"] == 100 and "low_data_epochs" not in calls[0]


def test_transfer_beats_chance_and_saves_the_base(tmp_path):
    result = transfer.run(
        epochs=2,
        low_data=100,
        low_data_epochs=4,
        batch_size=64,
        limit=2400,
        path=SUBSET,
        save_dir=tmp_path,
        seed=0,
    )
    assert result.pretrain_accuracy > 0.8  # 5 classes: chance is 0.2
    assert [row["regime"] for row in result.rows] == ["all", "low data"]
    assert [row["n_train"] for row in result.rows] == [1178, 100]
    # The trivial baseline: always the most frequent of the 185 test digits 5-9 (0.227).
    y_test = np.load(SUBSET)["y_test"][: 2400 // 6]
    majority = np.bincount(y_test[y_test >= 5]).max() / np.count_nonzero(y_test >= 5)
    for row in result.rows:  # measured: transfer 0.81 / 0.54, scratch 0.88 / 0.48
        assert row["transfer_accuracy"] > majority + 0.15
        assert row["scratch_accuracy"] > majority + 0.15
    base = keras.models.load_model(result.base_path)
    assert base.output_shape == (None, 5)
    assert "transfer acc" in result.report()


def test_digits_become_padded_rgb_for_keras_applications():
    x = np.zeros((2, 28, 28, 1), "float32")
    x[0, 0, 0, 0] = 1.0
    rgb = transfer.to_rgb32(x)
    assert rgb.shape == (2, 32, 32, 3)
    np.testing.assert_array_equal(rgb[0, 2, 2], [1.0, 1.0, 1.0])
    assert rgb.sum() == 3.0
    images, labels = transfer.split_digits(np.arange(10), np.arange(10), 5)
    np.testing.assert_array_equal(images, [5, 6, 7, 8, 9])
    np.testing.assert_array_equal(labels, [0, 1, 2, 3, 4])
