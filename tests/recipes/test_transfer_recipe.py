"""The transfer recipe: a tiny run on the committed MNIST subset, its CLI checks, its digit helpers.
(Kill and resume: test_transfer_resume.py.)"""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit.recipes import transfer


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
    with pytest.raises(ValueError, match="--application trains without checkpoints; drop --ch"):
        transfer.main(parser.parse_args(["--application", "MobileNetV2", "--checkpoint-dir", "d"]))
    # without --application they reach run(), unset ones left to run()'s defaults
    calls = []
    monkeypatch.setattr(transfer, "run", lambda **kwargs: calls.append(kwargs) or never_run())
    with pytest.raises(AssertionError, match="training started"):
        transfer.main(parser.parse_args(["--low-data", "100"]))
    assert calls[0]["low_data"] == 100 and "low_data_epochs" not in calls[0]


def test_checkpoint_dir_is_checked_before_data_or_tensorflow_load(tmp_path, monkeypatch):
    from deepkit.recipes import mnist_steps

    def no_data(*args, **kwargs):
        raise AssertionError("data loaded")

    folder, file = tmp_path / "run", tmp_path / "file"
    file.write_text("")
    monkeypatch.setattr(mnist_steps, "load", no_data)
    with pytest.raises(AssertionError, match="data loaded"):  # a new folder: the run starts
        transfer.run(epochs=2, checkpoint_dir=folder)
    # In a fresh interpreter (this one has TensorFlow loaded): refused before it loads.
    script = f"""if True:
        import json, sys
        from deepkit.recipes import transfer
        errors = []
        for kwargs in (dict(checkpoint_dir={str(file / "run")!r}),
                       dict(epochs=3, checkpoint_dir={str(folder)!r})):
            try:
                transfer.run(**kwargs)
            except ValueError as error:
                errors.append(str(error))
        print(json.dumps([errors, "tensorflow" in sys.modules, "keras" in sys.modules]))
    """
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    errors, tensorflow, keras_loaded = json.loads(done.stdout)
    assert errors[0] == f"checkpoint_dir: {file / 'run'} cannot be a folder: {file} is a file"
    assert "holds a run with other arguments (epochs: 2 then 3)" in errors[1]
    assert not tensorflow and not keras_loaded


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
