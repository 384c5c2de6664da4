"""A checkpoint folder survives a kill at any instant and resumes exactly, or refuses.

A tiny training (``resume_helpers.TinyTraining``) run as a stage, its folder
copied at each write and delete step as a kill there leaves it, and each copy run
again: every time it ends bit for bit as the uninterrupted run. Each file of a
folder damaged in turn (truncated, deleted, one byte changed): every time the
rerun either ends exactly or refuses in one line naming the file.
"""

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from keras.callbacks import LambdaCallback
from resume_helpers import Stop, epochs_saved

from deepkit import atomic
from deepkit.checkpoints import Checkpoint, open_checkpoint, records
from deepkit.validation import InputError

from ._stages import FINISHED_FILES, files, outcome, run_stage


@pytest.fixture(autouse=True)
def no_fsync(monkeypatch):
    """``os.fsync`` skipped: it guards against a power cut, and these tests make kills,
    after which the next process reads whatever the kernel holds, flushed or not."""
    monkeypatch.setattr(os, "fsync", lambda descriptor: None)


class _KillPoints:
    """Every write (through ``deepkit.atomic``) and delete in the folder ``root``, as
    steps; at each, a copy of the folder in ``copies/<step>`` as a kill there leaves it:
    before the file is deleted, or with the file being written not yet renamed and its
    temporary half written."""

    def __init__(self, monkeypatch, root, copies):
        self.root, self.copies, self.steps = Path(root), Path(copies), []
        write, delete = atomic.atomic_write, records.delete

        @contextlib.contextmanager
        def copying_write(path):
            with write(path) as temporary:
                yield temporary
                self._copy(f"write {Path(path).relative_to(self.root)}", temporary)

        def copying_delete(path):
            if Path(path).exists():
                self._copy(f"delete {Path(path).relative_to(self.root)}")
            delete(path)

        monkeypatch.setattr(atomic, "atomic_write", copying_write)
        monkeypatch.setattr(records, "delete", copying_delete)

    def _copy(self, step, written=None):
        copy = self.copies / str(len(self.steps))
        self.steps.append(step)
        shutil.copytree(self.root, copy)
        if written is not None:
            temporary = copy / Path(written).relative_to(self.root)
            data = temporary.read_bytes()
            temporary.write_bytes(data[: len(data) // 2])


def test_a_kill_at_each_write_and_delete_step_resumes_exactly(tiny, tmp_path, uninterrupted):
    expected = uninterrupted[1]
    with pytest.MonkeyPatch.context() as patch:
        killed = _KillPoints(patch, tmp_path / "run", tmp_path / "killed")
        assert outcome(lambda: run_stage(tiny, tmp_path / "run"), expected) == "exact"
    steps, outcomes = killed.steps, []
    for at in range(len(steps)):
        folder = tmp_path / "killed" / str(at)
        result = outcome(lambda folder=folder: run_stage(tiny, folder), expected)
        if result == "exact" and files(folder) != FINISHED_FILES:
            result = "other: files left"  # temporaries or stale epoch files
        outcomes.append(result)
    writes = sum(step.startswith("write") for step in steps)
    counts = {
        kind: sum(o.startswith(kind) for o in outcomes) for kind in ("exact", "refused", "other")
    }
    print(
        f"\nkills at {len(steps)} steps ({writes} writes, {len(steps) - writes} deletes): "
        f"{counts['exact']} exact resumes, {counts['refused']} refusals, {counts['other']} other"
    )
    assert outcomes == ["exact"] * len(steps), [
        f"killed at {step}: {result}" for step, result in zip(steps, outcomes) if result != "exact"
    ]
    # The run's own files, then per epoch: best weights (when the epoch improves),
    # weights, generators, history, the record, then the previous epoch's files
    # deleted; then the finish: weights, generators, history, results, its record.
    assert steps[:2] == ["write owner.json", "write arguments.json"]
    assert steps[2:7] == [f"write tiny/{name}" for name in (
        "epochs/best-1.weights.h5", "epochs/1.weights.h5", "epochs/1.generators.json",
        "epochs/1.history.json", "epoch.json")]  # fmt: skip
    finish = steps.index("write tiny/final.weights.h5")
    assert steps[finish + 4] == "write tiny/finished.json"


def test_a_kill_between_the_final_weights_and_the_results_leaves_the_stage_unfinished(
    tiny, tmp_path, uninterrupted, monkeypatch
):
    """Killed when the first of the final weights and the results is written, before the
    second: a stage whose results were kept first would count as finished and be
    restored with other weights (or none); here it resumes, and ends exactly."""
    expected = uninterrupted[1]
    folder = tmp_path / "run"
    real, written = records.RecordFolder.write_file, []

    def stop_at_the_second(self, name, write):
        if name in ("final.weights.h5", "results.json"):
            written.append(name)
            if len(written) == 2:
                raise Stop
        return real(self, name, write)

    monkeypatch.setattr(records.RecordFolder, "write_file", stop_at_the_second)
    with pytest.raises(Stop):
        run_stage(tiny, folder)
    monkeypatch.setattr(records.RecordFolder, "write_file", real)
    stage = open_checkpoint(folder, {"epochs": 3}).stage("tiny")
    assert not stage.finished and stage.resumed_at == 3
    del stage
    assert outcome(lambda: run_stage(tiny, folder), expected) == "exact"
    assert written == ["final.weights.h5", "results.json"]


def _damage(path, how):
    data = path.read_bytes()
    if how == "deleted":
        path.unlink()
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # one byte changed
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])


def test_each_damaged_file_is_refused_naming_it_or_resumed_exactly(tiny, tmp_path, uninterrupted):
    expected = uninterrupted[1]
    killed, finished = tmp_path / "killed", tmp_path / "finished"

    def stop_at_the_third_epoch(epoch, logs):
        if epoch == 2:
            raise Stop

    with pytest.raises(Stop):
        run_stage(tiny, killed, before=[LambdaCallback(on_epoch_begin=stop_at_the_third_epoch)])
    assert epochs_saved(killed / "tiny") == 2
    run_stage(tiny, finished)
    counts, cases = {}, 0
    for original in (killed, finished):
        for name in files(original):
            for how in ("truncated", "deleted", "one byte changed"):
                if how != "deleted" and not (original / name).stat().st_size:
                    continue  # the empty lock file
                folder = tmp_path / "damaged" / f"{original.name}-{cases}"
                cases += 1
                shutil.copytree(original, folder)
                _damage(folder / name, how)
                result = outcome(lambda folder=folder: run_stage(tiny, folder), expected)
                counts[result] = counts.get(result, 0) + 1
                assert result in ("exact", "refused"), f"{original.name}: {name} {how}: {result}"
    print(f"\ndamaged files: {cases} cases: {counts}")
    assert counts["refused"] > counts["exact"] > 0


def test_a_refusal_names_the_file_and_what_to_do(tiny, tmp_path):
    tiny.fit(Checkpoint(tmp_path, {}), 2)
    weights = tmp_path / "epochs" / "2.weights.h5"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(InputError) as error:
        Checkpoint(tmp_path, {})
    assert str(error.value) == (
        f"checkpoint folder {tmp_path}: epochs/2.weights.h5 is not the file epoch.json "
        f"names (another SHA-256); delete the folder {tmp_path} to start over"
    )
    (tmp_path / "epoch.json").write_text('{"epoch": 2, "files": {"weigh')
    with pytest.raises(InputError, match=r"epoch.json is not a complete record \(JSONDecodeError"):
        Checkpoint(tmp_path, {})
