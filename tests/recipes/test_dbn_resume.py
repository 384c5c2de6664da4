"""Kill and resume the dbn recipe: a run killed with SIGKILL in the middle of a
fine-tuning stage (the RBM and two nets already finished) and run again ends with
the same epochs, the same report and, bit for bit, the same weights in every stage
as a run that was never interrupted; a folder of other arguments is refused. An
interrupted pretraining checks the RBM's Gibbs generator (in process: faster)."""

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

from deepkit.checkpoints import Checkpoint
from deepkit.recipes import dbn
from deepkit.recipes.mnist_steps import load

SUBSET = Path(__file__).parents[1] / "data" / "mnist_subset.npz"
OPTIONS = dict(
    sizes=(16,),
    pretrain_epochs=2,
    finetune_epochs=2,  # x5 with few labels
    batch_size=25,
    finetune_learning_rates=(3.0,),  # the target's validation accuracy peaks at epoch 5 of 9
    patience=4,
    labels=100,
    limit=300,
    path=str(SUBSET),
)
# The fourth of five stages; it peaks, then stops after `patience` epochs without progress.
TARGET = "100_labels_pretrained_lr_3"


def _command(folder):
    flags = []
    for name, value in OPTIONS.items():
        flags += [f"--{name.replace('_', '-')}", *map(str, np.atleast_1d(value))]
    return [sys.executable, "-m", "deepkit", "run", "dbn", *flags, "--ais-runs", "0",
            "--no-digits", "--checkpoint-dir", str(folder)]  # fmt: skip


def _epochs_done(stage):
    try:
        return json.loads((stage / "backup" / "training_metadata.json").read_text())["epoch"]
    except (OSError, ValueError):
        return 0


def _arrays(weights_file):
    """Every array of a .weights.h5 file (the weights and the optimizer's state)."""
    arrays = {}

    def keep(name, item):
        if isinstance(item, h5py.Dataset):
            arrays[name] = item[()]

    with h5py.File(weights_file) as f:
        f.visititems(keep)
    return arrays


def test_a_run_killed_while_fine_tuning_resumes_to_the_same_stages(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    expected = dbn.run(**OPTIONS, ais_runs=0, digits=False, checkpoint_dir=whole)
    history = json.loads((whole / TARGET / "history.json").read_text())
    accuracy = [epoch["val_accuracy"] for epoch in history]
    best = int(np.argmax(accuracy))  # 0-based; kill after it, before the stage ends
    assert best + 1 < len(history) < OPTIONS["finetune_epochs"] * 5, accuracy

    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        _command(killed), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 240
    while _epochs_done(killed / TARGET) <= best and process.poll() is None:
        assert time.monotonic() < deadline, "the stage to kill never started"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    stopped_at = _epochs_done(killed / TARGET)
    assert process.returncode == -signal.SIGKILL
    assert best < stopped_at < len(history), (best, stopped_at, len(history))

    resumed = subprocess.run(_command(killed), capture_output=True, text=True, env=env)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    # The finished stages were restored and the target went on from its backup.
    epochs = re.findall(r"Epoch (\d+)/(\d+)", resumed.stdout)
    assert epochs[0] == (str(stopped_at + 1), str(OPTIONS["finetune_epochs"] * 5))

    def figures(report):
        return [line for line in report.splitlines() if not line.startswith("seconds")]

    assert figures(resumed.stdout.split("Deep belief net")[-1]) == figures(
        expected.report().split("Deep belief net")[-1]
    )
    stages = sorted(path.name for path in whole.iterdir() if path.is_dir())
    assert stages == sorted(path.name for path in killed.iterdir() if path.is_dir())
    assert len(stages) == 5
    for stage in stages:
        for name in ("history.json", "results.json"):
            assert (killed / stage / name).read_text() == (whole / stage / name).read_text()
        a = _arrays(whole / stage / "final.weights.h5")
        b = _arrays(killed / stage / "final.weights.h5")
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{stage}: {key}")


def never_load(path=None):
    raise AssertionError("MNIST was loaded before the checkpoint folder was checked")


def test_a_folder_of_other_arguments_is_refused_before_mnist_loads(tmp_path, monkeypatch):
    Checkpoint(tmp_path, {**OPTIONS, "sizes": [16], "learning_rate": 0.1, "seed": 0})
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=r"other arguments \(.*seed: 0 then 1"):
        dbn.run(**{**OPTIONS, "seed": 1}, checkpoint_dir=tmp_path)


class Interrupt(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise KeyboardInterrupt


def test_an_interrupted_pretraining_resumes_the_rbm_generator(tmp_path, monkeypatch):
    """An RBM stops after 2 of 4 epochs; the rerun resumes it, and its Gibbs uniforms
    must go on from where they were (Keras's backup alone holds only the weights)."""
    models = importlib.import_module("deepkit.models.dbn")
    (x, _), _ = load(200, SUBSET)
    x = (x.reshape(len(x), -1) / 255.0).astype("float32")
    options = dict(epochs=4, batch_size=50, switch_epoch=1)
    (expected,) = models.pretrain(x, (16,), **options, checkpoint=Checkpoint(tmp_path / "a", {}))

    fit = models.fit

    def interrupted(model, *args, callbacks=(), **kwargs):
        return fit(model, *args, callbacks=[*callbacks, Interrupt()], **kwargs)

    monkeypatch.setattr(models, "fit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        models.pretrain(x, (16,), **options, checkpoint=Checkpoint(tmp_path / "b", {}))
    monkeypatch.setattr(models, "fit", fit)
    run = Checkpoint(tmp_path / "b", {})
    assert run.stage("rbm_0").resumed_at == 2
    (rbm,) = models.pretrain(x, (16,), **options, checkpoint=run)
    assert len(rbm.get_weights()) == 4  # kernel, biases, chains: the generator is apart
    for a, b in zip(rbm.get_weights(), expected.get_weights()):
        np.testing.assert_array_equal(a, b)
