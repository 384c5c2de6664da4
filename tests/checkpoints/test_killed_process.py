"""Real kills: a small two-stage run in a process of its own
(``tests/scripts/checkpoint_run.py``), caught early in its first stage and killed
with SIGKILL late in its second, resumes exactly."""

import importlib.util
import os
import shutil
import signal
import sys
import time
from pathlib import Path

import numpy as np
from resume_helpers import TinyTraining, epochs_saved, kill_when, start

SCRIPT = Path(__file__).parents[1] / "scripts" / "checkpoint_run.py"
STAGES_EPOCHS = {"first": 5, "second": 6}  # the epochs the script's stages train


def _script():
    spec = importlib.util.spec_from_file_location("checkpoint_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stop_when(process, ready, timeout=240):
    """SIGSTOP ``process`` as soon as ``ready()`` is true (polled every 10 ms); return once
    it has stopped. Fails if it ends first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the run ended before the point to stop it"
        assert time.monotonic() < deadline, "the run timed out before the point to stop it"
        time.sleep(0.01)
    process.send_signal(signal.SIGSTOP)
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    assert os.WIFSTOPPED(status)


def test_a_run_killed_early_or_late_resumes_exactly(tmp_path, monkeypatch):
    """One process: stopped (SIGSTOP) after the first epoch of the first stage while its
    folder is copied, the copy being the folder a kill there leaves; then let go, and
    killed with SIGKILL late in the second stage (after its fourth epoch; its best epoch
    is the fifth, it stops after the sixth). Both folders are then run again to their
    end in process (a new process would import TensorFlow again), as is the
    uninterrupted run that gives the expected arrays; the three runs share each stage's
    model, reset to its initial state and its seed set as a new one would be."""
    folder, log = tmp_path / "late", tmp_path / "run.log"
    process = start([sys.executable, str(SCRIPT), str(folder), str(tmp_path / "out.npz")], log)
    try:
        _stop_when(process, lambda: epochs_saved(folder / "first") >= 1)
        assert 1 <= epochs_saved(folder / "first") < STAGES_EPOCHS["first"]
        shutil.copytree(folder, tmp_path / "early")
        process.send_signal(signal.SIGCONT)
        kill_when(process, lambda: epochs_saved(folder / "second") >= 4, log)
        assert 4 <= epochs_saved(folder / "second") < STAGES_EPOCHS["second"]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    script, models = _script(), {}

    def tiny_training(seed):
        import keras

        if seed not in models:
            models[seed] = TinyTraining(seed)
        keras.utils.set_random_seed(seed)
        return models[seed]

    monkeypatch.setattr(script, "TinyTraining", tiny_training)
    arrays, results = script.train_all(tmp_path / "whole")
    for when in ("early", "late"):
        got, got_results = script.train_all(tmp_path / when)
        assert got_results == results and sorted(got) == sorted(arrays)
        for key, expected in arrays.items():
            np.testing.assert_array_equal(got[key], expected, err_msg=f"{when}: {key}")
