"""Kill and resume: a recipe killed with SIGKILL in the middle of training and run
again with the same command ends with the same epochs and, bit for bit, the
same weights as a run that was never interrupted (T1's MLP: no dropout; the
data order of each epoch depends on (seed, epoch) alone)."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np

SUBSET = Path(__file__).parent / "data" / "mnist_subset.npz"
EPOCHS = 5


def _command(folder, epochs=EPOCHS):
    return [
        sys.executable,
        "-m",
        "deepkit",
        "run",
        "mnist",
        "--config",
        "t1",
        "--limit",
        "600",
        "--path",
        str(SUBSET),
        "--epochs",
        str(epochs),
        "--patience",
        "0",
        "--batch-size",
        "32",
        "--checkpoint-dir",
        str(folder / "checkpoint"),
        "--save",
        str(folder / "model.keras"),
    ]


def _run(folder, epochs=EPOCHS):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        _command(folder, epochs), capture_output=True, text=True, env=env, timeout=600
    )


def _epochs_done(folder):
    path = folder / "checkpoint" / "backup" / "training_metadata.json"
    try:
        return json.loads(path.read_text())["epoch"]
    except (OSError, ValueError):
        return 0


def test_a_killed_run_resumes_to_the_same_weights(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    whole.mkdir(), killed.mkdir()
    done = _run(whole)
    assert done.returncode == 0, done.stderr[-2000:]

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        _command(killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while _epochs_done(killed) < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stopped_at = _epochs_done(killed)
    assert process.returncode == -signal.SIGKILL and 2 <= stopped_at < EPOCHS
    assert not (killed / "model.keras").exists()

    resumed = _run(killed)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    # It went on from the saved epoch, it did not start again.
    assert re.search(r"Epoch (\d+)/", resumed.stdout).group(1) == str(stopped_at + 1)
    for report in (done.stdout, resumed.stdout):
        assert re.search(r"epochs run\s+(\d+)", report).group(1) == str(EPOCHS)
    a = keras.models.load_model(whole / "model.keras").get_weights()
    b = keras.models.load_model(killed / "model.keras").get_weights()
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    history = json.loads((killed / "checkpoint" / "history.json").read_text())
    assert len(history) == EPOCHS

    # The same folder with other arguments is refused before any training.
    other = _run(killed, epochs=EPOCHS + 1)
    assert other.returncode == 2
    assert "holds a run with other arguments (epochs: 5 then 6)" in other.stderr


def _dense(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])


def test_a_finished_stage_restores_its_weights_and_results(tmp_path):
    from deepkit.checkpoints import Checkpoint

    run = Checkpoint(tmp_path, {"seed": 0})
    stage = run.stage("pretrain")
    assert not stage.finished
    trained = _dense(1)
    stage.finish(trained, accuracy=0.75, rates=[0.1, 0.01])

    again = Checkpoint(tmp_path, {"seed": 0}).stage("pretrain")
    assert again.finished
    fresh = _dense(2)
    assert not np.array_equal(fresh.get_weights()[0], trained.get_weights()[0])
    assert again.restore(fresh) == {"accuracy": 0.75, "rates": [0.1, 0.01]}
    for x, y in zip(fresh.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(x, y)
    # Weights saved but no results (killed while saving): the stage is not finished.
    (tmp_path / "pretrain" / "results.json").unlink()
    assert not Checkpoint(tmp_path, {"seed": 0}).stage("pretrain").finished
    assert not (tmp_path / "pretrain" / "arguments.json").exists()  # the run folder checks them
