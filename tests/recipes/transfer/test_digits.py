"""The digits experiment at a tiny size: it beats chance and saves the pretrained base; a run
with a checkpoint folder, killed with SIGKILL at two moments (in the middle of the fine-tune's
phase after pretraining, and in the middle of the last training) and run again each time,
ends with the weights and figures of a run without a folder, bit for bit.

The run to kill goes from process to process: each kills itself, with SIGKILL, in the middle
of a chosen epoch of a chosen stage, so the moments are exact and the epochs can be tiny.
The reference (the experiment without a folder) and the last rerun, which nothing kills,
run in this process.
"""

import contextlib
import io
import json
import re
import signal
import subprocess
import sys
import types

import h5py
import keras
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET
from resume_helpers import ENV, epochs_saved

from deepkit.recipes import transfer
from deepkit.recipes.transfer import steps
from deepkit.validation import InputError

EPOCHS = 3  # pretraining and both arms of the full-data regime
LOW_DATA_EPOCHS = 6
# the stages of a run, one per training, in order
STAGES = ("pretrain", "all_transfer", "all_scratch", "low_data_transfer", "low_data_scratch")
# where each training trains, with its epochs (a fine-tune in its phase's stage)
TRAINING = {
    "pretrain": EPOCHS,
    "all_transfer/head": EPOCHS,
    "all_scratch": EPOCHS,
    "low_data_transfer/head": LOW_DATA_EPOCHS,
    "low_data_scratch": LOW_DATA_EPOCHS,
}


def _command(save, *extra, epochs=EPOCHS):
    return [
        "run", "transfer", "--limit", "600", "--path", str(SUBSET), "--batch-size", "32",
        "--epochs", str(epochs), "--low-data", "100", "--low-data-epochs", str(LOW_DATA_EPOCHS),
        "--save-dir", str(save), *extra,
    ]  # fmt: skip


# The run to kill: ``deepkit run transfer ...`` that kills itself with SIGKILL in the
# middle (after its second batch) of epoch EPOCH (0-based) of the stage STAGE.
KILLING = r"""
import os, signal, sys
import keras
from deepkit import cli, training

stage, epoch = sys.argv[1], int(sys.argv[2])
fit = training.fit

class KillMidEpoch(keras.callbacks.Callback):
    def on_epoch_begin(self, index, logs=None):
        self.index = index
    def on_train_batch_end(self, batch, logs=None):
        if self.index == epoch and batch == 1:
            os.kill(os.getpid(), signal.SIGKILL)

def fit_then_kill(model, x, y, *, checkpoint=None, callbacks=(), **options):
    if str(checkpoint.directory).endswith("/" + stage):
        callbacks = (*callbacks, KillMidEpoch())
    return fit(model, x, y, checkpoint=checkpoint, callbacks=callbacks, **options)

training.fit = fit_then_kill
sys.exit(cli.main(sys.argv[3:]))
"""


def _run_here(argv):
    """``deepkit ARGV`` run in this process: (exit status, what it printed)."""
    from deepkit import cli

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = cli.main(argv)
    return status, printed.getvalue()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The run without a folder: its folder, holding each trained model's weights as it
    is scored (``0.weights.h5``, ... in the order of STAGES), and its report."""
    folder = tmp_path_factory.mktemp("reference")
    evaluate, kept = steps.evaluate, []

    def evaluate_and_keep(model, x, y, num_classes=10):
        kept.append(folder / f"{len(kept)}.weights.h5")
        model.save_weights(kept[-1])
        return evaluate(model, x, y, num_classes)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(steps, "evaluate", evaluate_and_keep)
        status, report = _run_here(_command(folder / "save", "--quiet"))
    assert status == 0 and len(kept) == len(STAGES), report[-2000:]
    return types.SimpleNamespace(folder=folder, report=report)


@pytest.fixture(scope="module")
def killed(reference, tmp_path_factory):
    """The run killed twice and run again to its end: its folder, the two killed processes
    and the last run's (exit status, printed text)."""
    folder = tmp_path_factory.mktemp("killed")
    command = _command(folder / "save", "--checkpoint-dir", str(folder / "checkpoint"), "--verbose")
    # 1. In the fine-tune's phase, in the middle of its second epoch.
    first = _run_killing("all_transfer/head", 1, command)
    after_first = (
        _finished(folder / "checkpoint"),
        epochs_saved(folder / "checkpoint" / "all_transfer" / "head"),
    )
    # 2. Resumed there, then killed in the last training, in the middle of its third epoch.
    second = _run_killing("low_data_scratch", 2, command)
    after_second = (
        _finished(folder / "checkpoint"),
        epochs_saved(folder / "checkpoint" / "low_data_scratch"),
    )
    # 3. Resumed to the end.
    third = _run_here(command)
    return dict(
        folder=folder / "checkpoint",
        runs=(first, second, third),
        after=(after_first, after_second),
    )


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


def _assert_same_weights(a, b, what):
    a, b = _weights(a), _weights(b)
    assert a.keys() == b.keys() and len(a) > 4, what
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=f"{what}: {key}")


def _figures(report):
    """The report without its seconds and paths: accuracies, image counts, epochs."""
    pretrain = re.search(r"test accuracy on 0-4\s+(\S+)", report).group(1)
    rows = re.findall(r"^(all|low data)\s+(\d+)\s+(\d+)\s+(\S+)\s+\S+\s+(\S+)\s+\S+$", report, re.M)
    return pretrain, rows


def _finished(folder):
    return [name for name in STAGES if (folder / name / "finished.json").exists()]


def _run_killing(stage, epoch, command):
    return subprocess.run(
        [sys.executable, "-u", "-c", KILLING, stage, str(epoch), *command],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )


def _epochs(stdout):
    return re.findall(r"^Epoch (\d+)/(\d+)$", stdout, re.M)


def test_each_kill_happens_where_chosen_and_each_rerun_restores_or_resumes(killed):
    first, second, third = killed["runs"]
    (finished, saved), (finished_then, saved_then) = killed["after"]
    assert first.returncode == second.returncode == -signal.SIGKILL, second.stderr[-2000:]
    status, printed = third
    assert status == 0, printed[-2000:]
    assert finished == ["pretrain"] and saved == 1  # killed in all_transfer/head's 2nd epoch
    assert finished_then == list(STAGES[:-1]) and saved_then == 2  # in low_data_scratch's 3rd

    assert "pretrain: finished in an earlier run" in second.stdout
    assert _epochs(second.stdout)[0] == ("2", str(EPOCHS))  # the killed epoch again
    for name in STAGES[:-1]:
        assert f"{name}: finished in an earlier run" in printed
    epochs = _epochs(printed)
    assert epochs[0] == ("3", str(LOW_DATA_EPOCHS)) and len(epochs) == LOW_DATA_EPOCHS - 2
    for name, budget in TRAINING.items():
        history = json.loads((killed["folder"] / name / "history.json").read_text())
        assert len(history) == budget, name


def test_a_run_killed_twice_and_resumed_ends_with_the_weights_of_a_run_without_a_folder(
    killed, reference
):
    report = reference.report
    for index, name in enumerate(STAGES):
        _assert_same_weights(
            reference.folder / f"{index}.weights.h5",
            killed["folder"] / name / "final.weights.h5",
            name,
        )
    for name in ("all_transfer", "low_data_transfer"):  # the fine-tune's phase: the same model
        _assert_same_weights(
            killed["folder"] / name / "final.weights.h5",
            killed["folder"] / name / "head" / "final.weights.h5",
            name,
        )
    _, resumed = killed["runs"][2]
    assert _figures(resumed) == _figures(report) and len(_figures(report)[1]) == 2


def test_transfer_beats_chance_and_saves_the_base(reference):
    report = reference.report
    pretrain, rows = _figures(report)
    assert float(pretrain) > 0.8  # 5 classes: chance is 0.2
    assert [row[:3] for row in rows] == [("all", "281", "3"), ("low data", "100", "6")]
    # The trivial baseline: always the most frequent of the 45 test digits 5-9 (0.333).
    y_test = np.load(SUBSET)["y_test"][: 600 // 6]
    majority = np.bincount(y_test[y_test >= 5]).max() / np.count_nonzero(y_test >= 5)
    for _, _, _, transfer_accuracy, scratch_accuracy in rows:
        # measured: transfer 0.7333 / 0.6000, scratch 0.6222 / 0.5333
        assert float(transfer_accuracy) > majority + 0.15
        assert float(scratch_accuracy) > majority + 0.15
    base = keras.models.load_model(reference.folder / "save" / "cnn_digits_0_4.keras")
    assert base.output_shape == (None, 5)
    assert "transfer acc" in report


def test_a_folder_of_another_run_is_refused_before_any_training(killed, capsys):
    from deepkit import cli

    folder = killed["folder"]
    command = _command(folder.parent / "save", "--checkpoint-dir", str(folder), epochs=EPOCHS + 1)
    assert cli.main(command) == 2
    assert "holds a run with other arguments (epochs: 3 then 4)" in capsys.readouterr().err


def test_low_data_must_be_below_the_training_images_of_5_to_9():
    with pytest.raises(InputError, match="low_data=281 must be below the 281 training images"):
        transfer.run(limit=600, path=str(SUBSET), batch_size=32, low_data=281)


def test_the_numpy_reference_runs_the_whole_experiment(tmp_path):
    """``engine="numpy"``: the pretraining, both fine-tunes (base frozen) and both arms
    from scratch train on the NumPy reference; the Keras models hold what it trained, so
    the base is saved and loads, with its frozen layers unchanged by the fine-tune."""
    result = transfer.run(
        engine="numpy", limit=600, path=str(SUBSET), batch_size=32, epochs=EPOCHS,
        low_data=100, low_data_epochs=LOW_DATA_EPOCHS, save_dir=str(tmp_path),
    )  # fmt: skip
    assert result.pretrain_accuracy > 0.8  # 5 classes: chance is 0.2
    y_test = np.load(SUBSET)["y_test"][: 600 // 6]
    majority = np.bincount(y_test[y_test >= 5]).max() / np.count_nonzero(y_test >= 5)
    for row in result.rows:  # measured: transfer 0.7333 / 0.5556, scratch 0.6889 / 0.4889
        assert row["transfer_accuracy"] > majority + 0.1
        assert row["scratch_accuracy"] > majority + 0.1
    base = keras.models.load_model(result.base_path)
    assert base.output_shape == (None, 5)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(application="MobileNetV2"), "engine='numpy' trains the digits experiment"),
        (dict(checkpoint_dir="runs"), "application and checkpoint_dir are Keras's"),
    ],
)
def test_the_numpy_engine_refuses_what_only_keras_runs(overrides, message):
    with pytest.raises(InputError, match=message):
        transfer.run(engine="numpy", path="/nonexistent", **overrides)
