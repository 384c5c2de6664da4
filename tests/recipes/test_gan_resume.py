"""Kill and resume the GAN recipe: a run killed with SIGKILL in its second stage (the GAN's
training, after the classifier's) and run again with the same command ends with the same
epochs, bit for bit the same weights, and the same logs and measures for every epoch as a
run that was never interrupted."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from deepkit.checkpoints import Checkpoint
from deepkit.models.gan import build_gan
from deepkit.recipes import gan as recipe
from deepkit.validation import InputError

SUBSET = Path(__file__).parents[1] / "data" / "mnist_subset.npz"
EPOCHS = 4


def _command(folder, epochs=EPOCHS):
    return [
        sys.executable, "-m", "deepkit", "run", "gan", "--conditional",
        "--limit", "600", "--path", str(SUBSET), "--epochs", str(epochs), "--batch-size", "32",
        "--samples", "100", "--measure-every", "1",
        "--classifier", str(folder / "classifier.keras"), "--classifier-epochs", "1",
        "--classifier-filters", "8", "16",
        "--checkpoint-dir", str(folder / "checkpoint"), "--save", str(folder / "gan.keras"),
    ]  # fmt: skip


ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def _run(folder, epochs=EPOCHS):
    return subprocess.run(
        _command(folder, epochs), capture_output=True, text=True, env=ENV, timeout=600
    )


def _gan_epochs_done(folder):
    path = folder / "checkpoint" / "gan" / "backup" / "training_metadata.json"
    try:
        return json.loads(path.read_text())["epoch"]
    except (OSError, ValueError):
        return 0


def _report(stdout):
    """The recipe's table without the lines that differ between runs (time, model path)."""
    table = stdout[stdout.index("GAN on MNIST") :].splitlines()
    return [line for line in table if not line.startswith(("training seconds", "model "))]


def test_a_gan_run_killed_in_its_second_stage_resumes_to_the_same_weights_and_history(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir(), killed.mkdir()
    # The uninterrupted run and the run to kill side by side (wall time: they share the cores).
    uninterrupted = subprocess.Popen(_command(whole), env=ENV, stdout=subprocess.PIPE, text=True)
    process = subprocess.Popen(
        _command(killed), env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 300
        while _gan_epochs_done(killed) < 2 and process.poll() is None:
            assert time.monotonic() < deadline, "the GAN stage did not back up 2 epochs in 300 s"
            time.sleep(0.05)
        assert process.poll() is None, f"the run ended (code {process.returncode}) unkilled"
        process.send_signal(signal.SIGKILL)
        process.wait()
        done = uninterrupted.communicate(timeout=300)[0]
    finally:
        for started in (process, uninterrupted):
            if started.poll() is None:
                started.kill()
                started.wait()
    assert uninterrupted.returncode == 0
    stopped_at = _gan_epochs_done(killed)
    assert process.returncode == -signal.SIGKILL and 2 <= stopped_at < EPOCHS
    assert (killed / "checkpoint" / "classifier" / "results.json").exists()  # stage 1 finished
    assert not (killed / "gan.keras").exists()

    resumed = _run(killed)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    # It went on from the saved epoch of the GAN stage; it did not train anything again.
    assert re.findall(r"Epoch (\d+)/", resumed.stdout)[0] == str(stopped_at + 1)
    assert f"training images / epochs                   600 / {EPOCHS}" in resumed.stdout
    a = keras.models.load_model(whole / "gan.keras").get_weights()
    b = keras.models.load_model(killed / "gan.keras").get_weights()
    assert len(a) == len(b) == 12
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    # Every epoch's logs and measures (full precision, from the finished stage) and the table.
    logs = [json.loads((f / "checkpoint/gan/results.json").read_text())["epochs"]
            for f in (whole, killed)]  # fmt: skip
    assert len(logs[0]) == EPOCHS and [len(e) for e in logs[0]] == [9, 9, 9, 2]
    assert logs[0] == logs[1]
    assert _report(done) == _report(resumed.stdout)
    assert "trend (epoch: Fréchet, precision, recall)" in resumed.stdout

    # The same folder with other arguments is refused before any work.
    other = _run(killed, epochs=EPOCHS + 1)
    assert other.returncode == 2
    assert f"holds a run with other arguments (epochs: {EPOCHS} then {EPOCHS + 1})" in other.stderr


class _Interrupt(Exception):
    pass


def _train(data, stage, stop_after=None):
    """An unconditional GAN of latent_dim 8 trained 4 epochs by the recipe's ``train``."""
    gan = build_gan("mlp", latent_dim=8, seed=3)

    def on_epoch_end(epoch, logs):
        if epoch == stop_after:  # before the stage's backup of this epoch: a kill
            raise _Interrupt

    try:
        logged = recipe.train(gan, *data, 4, 32, 3, 0, on_epoch_end, stage)
    except _Interrupt:
        return None, None
    return gan, logged


def test_the_gan_stage_restores_both_optimizers_and_the_noise_generator(tmp_path):
    rng = np.random.default_rng(0)
    data = rng.uniform(-1, 1, (160, 784)).astype("float32"), rng.integers(0, 10, 160)
    whole, whole_logs = _train(data, Checkpoint(tmp_path / "a", {}).stage("gan"))
    assert _train(data, Checkpoint(tmp_path / "b", {}).stage("gan"), stop_after=2) == (None, None)
    stage = Checkpoint(tmp_path / "b", {}).stage("gan")
    assert stage.resumed_at == 2 and len(stage.history) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed, resumed_logs = _train(data, stage)
    # Nothing in the backup is skipped (Keras's default optimizer, were it kept, would be).
    assert not [w for w in caught if "Skipping variable loading" in str(w.message)]
    assert resumed_logs == whole_logs and len(whole_logs) == 4
    np.testing.assert_array_equal(whole.seed_generator.state, resumed.seed_generator.state)
    for x, y in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_array_equal(x, y)


def test_a_classifier_changed_since_the_run_began_is_refused(tmp_path):
    path = tmp_path / "classifier.keras"
    keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    ).save(path)
    stage = Checkpoint(tmp_path / "run", {}).stage("classifier")
    recipe.load_classifier(str(path), None, None, 1, 0, 0, stage)
    assert stage.finished
    recipe.load_classifier(str(path), None, None, 1, 0, 0, stage)  # the same file: loaded
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(InputError, match="classifier: .* not the file this checkpointed run"):
        recipe.load_classifier(str(path), None, None, 1, 0, 0, stage)


def test_the_checkpoint_folder_is_checked_before_loading_anything(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="checkpoint_dir: .* cannot be a folder"):
        recipe.run(checkpoint_dir=str(tmp_path / "file" / "run"), path="/nonexistent")


def test_a_finished_run_is_restored_and_equals_a_run_without_checkpoints(tmp_path):
    settings = dict(
        epochs=2, batch_size=32, samples=100, classifier=str(tmp_path / "classifier.keras"),
        classifier_epochs=1, classifier_filters=(8, 16), limit=300, path=str(SUBSET),
    )  # fmt: skip
    first = recipe.run(**settings, checkpoint_dir=str(tmp_path / "run"))
    again = recipe.run(**settings, checkpoint_dir=str(tmp_path / "run"))
    plain = recipe.run(**settings)
    assert again.seconds == first.seconds  # restored from the finished stage, not trained again
    assert first.history == again.history == plain.history and len(plain.history["d_loss"]) == 2
    for row in first.quality:
        assert first.quality[row]["frechet"] == plain.quality[row]["frechet"]
    for x, y, z in zip(first.gan.get_weights(), again.gan.get_weights(), plain.gan.get_weights()):
        np.testing.assert_array_equal(x, y)
        np.testing.assert_array_equal(x, z)


@pytest.mark.parametrize("filters", [5, (), (8, 0)])
def test_bad_classifier_filters_are_refused_before_loading_anything(filters):
    with pytest.raises(InputError, match="classifier_filters"):
        recipe.run(classifier_filters=filters, path="/nonexistent")
