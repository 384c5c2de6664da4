"""Kill and resume the transfer recipe: killed with SIGKILL in the middle of its third
training (digits 5-9 from scratch, after pretraining and the fine-tune have finished) and
run again with the same command, it restores the two finished trainings, resumes the third
at its saved epoch and ends with every training's weights equal, bit for bit, to those of
an uninterrupted run, and with the same report (seconds aside)."""

import json
import re
import sys

import h5py
import numpy as np
from mnist_recipe_checks import SUBSET
from resume_helpers import epochs_saved, kill_when, run, start

EPOCHS = 3  # pretraining and both arms of the full-data regime
LOW_DATA_EPOCHS = 2
STAGES = {
    "pretrain": EPOCHS,
    "all_transfer/head": EPOCHS,
    "all_scratch": EPOCHS,
    "low_data_transfer/head": LOW_DATA_EPOCHS,
    "low_data_scratch": LOW_DATA_EPOCHS,
}
TARGET = "all_scratch"


def _command(folder, epochs=EPOCHS):
    return [
        sys.executable, "-m", "deepkit", "run", "transfer",
        "--limit", "600", "--path", str(SUBSET), "--batch-size", "32",
        "--epochs", str(epochs), "--low-data", "60", "--low-data-epochs", str(LOW_DATA_EPOCHS),
        "--checkpoint-dir", str(folder / "checkpoint"), "--save-dir", str(folder / "save"),
    ]  # fmt: skip


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
    """The report without its seconds and paths: accuracies, image counts, epochs."""
    pretrain = re.search(r"test accuracy on 0-4\s+(\S+)", report).group(1)
    rows = re.findall(r"^(all|low data)\s+(\d+)\s+(\d+)\s+(\S+)\s+\S+\s+(\S+)\s+\S+$", report, re.M)
    return pretrain, rows


def test_a_transfer_run_killed_in_a_later_training_resumes_to_the_same_weights(tmp_path):
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    # The uninterrupted run goes alongside the killed one (each has its own folders).
    uninterrupted = start(_command(whole), tmp_path / "whole.log")
    process = start(_command(killed), tmp_path / "killed.log")
    target = killed / "checkpoint" / TARGET
    kill_when(process, lambda: epochs_saved(target) >= 1, tmp_path / "killed.log")
    stopped_at = epochs_saved(target)
    assert 1 <= stopped_at < EPOCHS
    finished = [name for name in STAGES if (killed / "checkpoint" / name / "results.json").exists()]
    assert finished == ["pretrain", "all_transfer/head"]

    resumed = run(_command(killed))
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert uninterrupted.wait(timeout=300) == 0, (tmp_path / "whole.log").read_text()[-2000:]
    # The finished trainings were restored, the killed one went on from its saved epoch.
    assert "pretrain: finished in an earlier run" in resumed.stdout
    assert "all_transfer: finished in an earlier run" in resumed.stdout
    epochs = re.findall(r"^Epoch (\d+)/(\d+)$", resumed.stdout, re.M)
    assert epochs[0] == (str(stopped_at + 1), str(EPOCHS))
    assert len(epochs) == EPOCHS - stopped_at + 2 * LOW_DATA_EPOCHS

    for name, budget in STAGES.items():
        history = json.loads((killed / "checkpoint" / name / "history.json").read_text())
        assert len(history) == budget, name
        a = _weights(whole / "checkpoint" / name / "final.weights.h5")
        b = _weights(killed / "checkpoint" / name / "final.weights.h5")
        assert a.keys() == b.keys() and len(a) > 4, name
        for key in a:
            np.testing.assert_array_equal(a[key], b[key], err_msg=f"{name}: {key}")
    report = (tmp_path / "whole.log").read_text()
    assert _figures(report) == _figures(resumed.stdout)
    assert len(_figures(report)[1]) == 2

    # The same folder with other arguments is refused before any training.
    other = run(_command(killed, epochs=EPOCHS + 1))
    assert other.returncode == 2
    assert "holds a run with other arguments (epochs: 3 then 4)" in other.stderr
