"""``run()`` on the committed MNIST subset, at a tiny size: it beats the majority
baseline and reports every figure; a run with a checkpoint folder ends, bit for bit,
where the same run without one ends; a run killed with SIGKILL twice, once while
pretraining and once while fine-tuning, and run again ends with the same stages, bit
for bit, as a run never interrupted; a folder of other settings is refused."""

import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET
from resume_helpers import ENV, epochs_saved

from deepkit.checkpoints import FINAL_FILES, FINISHED_RECORD, Checkpoint
from deepkit.recipes import dbn
from deepkit.recipes.mnist_classifier import load

TINY = dict(
    sizes=(16,),
    pretrain_epochs=2,
    finetune_epochs=2,  # x5 with few labels
    batch_size=25,
    finetune_learning_rates=(1.0,),  # the target's validation accuracy peaks, then stops
    patience=2,
    labels=100,
    limit=300,
    path=str(SUBSET),
    digits=False,
)
# The fine-tuning stage the second kill hits; it stops early, `patience` epochs after its best.
TARGET = "100_labels_pretrained_lr_1"
STAGES = [
    "rbm_0",
    "all_labels_pretrained_lr_1",
    "all_labels_pretrained_refit",
    "all_labels_random_init_lr_1",
    "all_labels_random_init_refit",
    TARGET,
    "100_labels_random_init_lr_1",
]


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """The tiny run without a checkpoint folder, with the AIS estimate and the pictures."""
    plots = tmp_path_factory.mktemp("plots")
    return dbn.run(**TINY, ais_runs=10, ais_betas=200, plot=str(plots))


@pytest.fixture(scope="module")
def with_folder(tmp_path_factory):
    """The same run with a checkpoint folder, never interrupted: (result, folder)."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    return dbn.run(**TINY, ais_runs=10, ais_betas=200, checkpoint_dir=str(folder)), folder


def _weights(path):
    """Every array of a .weights.h5 file (the model's and its optimizer's), by name."""
    arrays = {}
    with h5py.File(path, "r") as file:
        file.visititems(
            lambda name, item: (
                arrays.update({name: item[()]}) if isinstance(item, h5py.Dataset) else None
            )
        )
    return arrays


def _figures(report):
    """The report's lines without the seconds and the pictures' paths."""
    return [line for line in report.splitlines() if not line.startswith(("seconds", "plot"))]


def test_a_small_run_beats_the_majority_baseline_and_reports(plain):
    (_, y_train), (_, y_test) = load(TINY["limit"], SUBSET)
    majority_error = float(np.mean(y_test != np.bincount(y_train).argmax()))
    assert plain.errors["pretrained"] < majority_error - 0.3
    assert set(plain.errors) == set(plain.low_label_errors) == {"pretrained", "random init"}
    # log p(v) of a 784-pixel binary image: negative, above the uniform model's -784 log 2
    assert -784 * np.log(2) < plain.log_likelihood < 0 and plain.log_likelihood_stderr > 0
    report = plain.report()
    for line in ("test error, all labels, pretrained", "100 labels, random init", "AIS", "(lr 1)"):
        assert line in report
    assert [Path(p).name for p in plain.plots] == ["rbm_filters.png", "rbm_samples.png"]
    assert all(Path(p).stat().st_size > 0 for p in plain.plots)


# Runs `deepkit run dbn ARGS...` and kills itself with SIGKILL in the stage named by its
# first argument, after the first batches of the epoch (0-based) its second argument names:
# that epoch's updates are done, not saved.
KILLER = """
import importlib, os, signal, sys
import keras
from deepkit import cli, training

stage, epoch = sys.argv[1], int(sys.argv[2])
fit = training.fit


class Kill(keras.callbacks.Callback):
    def on_epoch_begin(self, e, logs=None):
        self.epoch = e

    def on_train_batch_end(self, batch, logs=None):
        if self.epoch == epoch:
            os.kill(os.getpid(), signal.SIGKILL)


def fit_or_die(model, *args, checkpoint=None, callbacks=(), **kwargs):
    if checkpoint and checkpoint.directory.name == stage:
        callbacks = [*callbacks, Kill()]
    return fit(model, *args, checkpoint=checkpoint, callbacks=callbacks, **kwargs)


# the pretraining imported fit by name (and deepkit.models.dbn names the builder function)
training.fit = importlib.import_module("deepkit.models.dbn").fit = fit_or_die
sys.exit(cli.main(sys.argv[3:]))
"""


def _start_killed_in(stage, epoch, folder):
    """Start the tiny recipe with ``folder``, to kill itself in ``stage`` at ``epoch``."""
    flags = []
    for name, value in TINY.items():
        if name != "digits":
            flags += [f"--{name.replace('_', '-')}", *map(str, np.atleast_1d(value))]
    command = ["run", "dbn", *flags, "--no-digits", "--ais-runs", "0", "--verbose"]
    return subprocess.Popen(
        [sys.executable, "-c", KILLER, stage, str(epoch), *command, "--checkpoint-dir", folder],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=ENV,
    )


def _killed(process):
    """The output of a process started by ``_start_killed_in``, once it has killed itself."""
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL, stderr[-2000:]
    return stdout


def _finished(folder):
    """The stages of the run in ``folder`` whose finished record is written."""
    return [name for name in STAGES if (folder / name / FINISHED_RECORD).exists()]


def test_a_run_killed_while_pretraining_and_while_fine_tuning_resumes_to_the_same_stages(
    request, tmp_path, capsys
):
    killed = tmp_path / "killed"
    # 1. Killed in the second epoch of the RBM: one epoch saved, nothing finished.
    first = _start_killed_in("rbm_0", 1, str(killed))
    expected, whole = request.getfixturevalue("with_folder")  # trains meanwhile, if not yet
    _killed(first)
    assert epochs_saved(killed / "rbm_0") == 1 and _finished(killed) == []

    history = json.loads((whole / TARGET / "history.json").read_text())
    best = int(np.argmax([epoch["val_accuracy"] for epoch in history]))  # 0-based
    # the target stops early, after its best epoch: the second kill falls between the two
    assert best + 1 < len(history) < TINY["finetune_epochs"] * 5, history

    # 2. The rerun resumes the RBM at its second epoch; killed after the target's best epoch.
    printed = _killed(_start_killed_in(TARGET, best + 1, str(killed)))
    assert re.findall(r"^Epoch (\d+)/(\d+)", printed, re.M)[0] == ("2", "2")
    assert _finished(killed) == STAGES[:5] and epochs_saved(killed / TARGET) == best + 1

    # 3. The last rerun restores the finished stages and resumes the target after its best.
    capsys.readouterr()
    resumed = dbn.run(**TINY, ais_runs=10, ais_betas=200, checkpoint_dir=str(killed), verbose=2)
    epochs = re.findall(r"^Epoch (\d+)/(\d+)", capsys.readouterr().out, re.M)
    assert epochs[0] == (str(best + 2), str(TINY["finetune_epochs"] * 5))

    assert _figures(resumed.report()) == _figures(expected.report())
    assert sorted(p.name for p in killed.iterdir() if p.is_dir()) == sorted(STAGES)
    for stage in STAGES:
        for name in FINAL_FILES:  # the weights, generators, history and results it keeps
            if name.endswith(".h5"):
                a, b = _weights(whole / stage / name), _weights(killed / stage / name)
                assert a.keys() == b.keys() and a, stage
                for key in a:
                    np.testing.assert_array_equal(a[key], b[key], err_msg=f"{stage}: {key}")
            else:
                assert (killed / stage / name).read_text() == (whole / stage / name).read_text()


def test_a_run_with_a_checkpoint_folder_ends_where_the_run_without_one_ends(plain, with_folder):
    result, folder = with_folder
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == sorted(STAGES)
    assert result.histories == plain.histories
    assert (result.errors, result.low_label_errors) == (plain.errors, plain.low_label_errors)
    for name in ("pretrained", "random init"):
        for a, b in zip(result.models[name].get_weights(), plain.models[name].get_weights()):
            np.testing.assert_array_equal(a, b, err_msg=name)
    (rbm,), (plain_rbm,) = result.models["rbms"], plain.models["rbms"]
    assert len(rbm.get_weights()) == 4  # kernel, biases, chains: the Gibbs generator is apart
    for a, b in zip(rbm.get_weights(), plain_rbm.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert _figures(result.report()) == _figures(plain.report())


def never_load(*args):
    raise AssertionError("MNIST was loaded before the checkpoint folder was checked")


def test_a_folder_of_other_settings_is_refused_before_mnist_loads(tmp_path, monkeypatch):
    Checkpoint.open(tmp_path, dbn.Settings(**TINY).record())
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=r"other arguments \(.*seed: 0 then 1"):
        dbn.run(**TINY, seed=1, checkpoint_dir=str(tmp_path))
    # the settings that no stage reads may change
    monkeypatch.setattr("deepkit.recipes.dbn.recipe.load", never_load)
    with pytest.raises(AssertionError, match="MNIST was loaded"):
        dbn.run(**TINY, ais_runs=0, checkpoint_dir=str(tmp_path))


def test_the_checkpoint_record_leaves_out_what_no_stage_reads():
    record = dbn.Settings(**TINY).record()
    assert {"ais_runs", "ais_betas", "digits", "plot", "checkpoint_dir"}.isdisjoint(record)
    assert record["sizes"] == (16,) and record["finetune_learning_rates"] == (1.0,)
    assert json.loads(json.dumps(record))["sizes"] == [16]
