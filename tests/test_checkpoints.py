"""A checkpoint folder survives a kill at any instant and resumes exactly, or refuses.

In process: a tiny training (``resume_helpers.TinyTraining``) run as a stage,
killed at each write and delete step of its folder in turn (a ``Stop`` raised
there), then run again: every time it ends bit for bit as the uninterrupted run.
Each file of a folder damaged in turn (truncated, deleted, one byte changed):
every time the rerun either ends exactly or refuses in one line naming the file.
With subprocesses: a second process on a folder in use is refused naming the
first, and a small two-stage run killed with SIGKILL early and late resumes
exactly.
"""

import contextlib
import importlib.util
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from resume_helpers import (
    ENV,
    Stop,
    TinyTraining,
    assert_same,
    epochs_saved,
    kill_when,
    same,
    start,
)

from deepkit import atomic, checkpoints
from deepkit.checkpoints import Checkpoint, NoCheckpoint, open_checkpoint
from deepkit.validation import InputError

SCORES = [3.0, 1.0, 2.0]  # the monitored log: best at the second of three epochs
SCRIPT = Path(__file__).parent / "scripts" / "checkpoint_run.py"
STAGES_EPOCHS = {"first": 5, "second": 6}  # the epochs the script's stages train


@pytest.fixture(scope="module")
def tiny():
    return TinyTraining()


def _run_stage(tiny, folder, before=()):
    """The stage "tiny" of a run in ``folder`` (or none): 3 epochs, early stopping on
    ``SCORES`` with a patience that never stops it; the state and the results."""
    run = open_checkpoint(folder, {"epochs": 3})

    def train(stage):
        return {"history": tiny.fit(stage, 3, scores=SCORES, patience=5, before=before)}

    tiny.reset()
    results = run.stage("tiny").run(tiny.model, train)
    return tiny.state(), results


@pytest.fixture(scope="module")
def uninterrupted(tiny, tmp_path_factory):
    """The state and results of the stage run without a folder, and the same with one."""
    plain = _run_stage(tiny, None)
    kept = _run_stage(tiny, tmp_path_factory.mktemp("whole"))
    return plain, kept


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


FINISHED_FILES = [
    ".lock",
    "arguments.json",
    "owner.json",
    "tiny/final.generators.json",
    "tiny/final.weights.h5",
    "tiny/finished.json",
    "tiny/history.json",
    "tiny/results.json",
]


def test_a_stage_with_a_folder_equals_the_stage_without(uninterrupted):
    (plain_state, plain_results), (state, results) = uninterrupted
    assert_same(plain_state, state)  # weights, optimizer state and generator states
    assert results == plain_results and len(results["history"]["score"]) == 3


def test_a_finished_stage_returns_its_results_without_training(tiny, tmp_path, uninterrupted):
    _, (state, results) = uninterrupted
    folder = tmp_path / "run"
    assert _run_stage(tiny, folder)[1] == results
    assert _files(folder) == FINISHED_FILES

    def train(stage):
        raise AssertionError("a finished stage trained again")

    tiny.reset()
    stage = open_checkpoint(folder, {"epochs": 3}).stage("tiny")
    assert stage.finished and stage.run(tiny.model, train) == results
    assert_same(tiny.state(), state)
    # The run folder is a stage too: a run of one training keeps its results.
    single = tmp_path / "single"
    tiny.reset()
    assert open_checkpoint(single, {}).run(tiny.model, lambda stage: {"epochs": 0}) == {"epochs": 0}
    assert open_checkpoint(single, {}).run(tiny.model, train) == {"epochs": 0}
    # Without a folder, run trains: train gets the NoCheckpoint.
    assert NoCheckpoint().run(tiny.model, lambda stage: {"got": type(stage).__name__}) == {
        "got": "NoCheckpoint"
    }


def test_a_folder_whose_training_ended_trains_nothing_again(tiny, tmp_path):
    """Without ``finish`` (``deepkit.training.fit`` alone): the rerun trains no epoch."""
    first = tiny.fit(Checkpoint(tmp_path, {}), 3)
    state = tiny.state()
    epochs = []
    from keras.callbacks import LambdaCallback

    counter = LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs.append(epoch))
    again = tiny.fit(Checkpoint(tmp_path, {}), 3, before=[counter])
    assert epochs == [] and again == first and len(first["loss"]) == 3
    assert_same(tiny.state(), state)


class _Faults:
    """Every write (through ``deepkit.atomic``) and delete in a checkpoint folder, counted;
    at step ``at``, a kill: the file being written is left half written (the
    temporary, unless the write is not atomic) and ``Stop`` is raised."""

    def __init__(self, monkeypatch, root, at=None):
        self.root, self.at, self.steps = Path(root), at, []
        write, delete = atomic.atomic_write, checkpoints._delete

        @contextlib.contextmanager
        def faulty_write(path):
            with write(path) as temporary:
                yield temporary
                self._step(f"write {Path(path).relative_to(self.root)}", temporary)

        def faulty_delete(path):
            if Path(path).exists():
                self._step(f"delete {Path(path).relative_to(self.root)}")
            delete(path)

        monkeypatch.setattr(atomic, "atomic_write", faulty_write)
        monkeypatch.setattr(checkpoints, "_delete", faulty_delete)

    def _step(self, name, written=None):
        self.steps.append(name)
        if len(self.steps) - 1 == self.at:
            if written is not None and Path(written).exists():
                data = Path(written).read_bytes()
                Path(written).write_bytes(data[: len(data) // 2])
            raise Stop(name)


def _outcome(run, expected):
    """ "exact", "refused" (one line naming a file) or "other" for ``run()``."""
    try:
        state, results = run()
    except InputError as error:
        message = str(error)
        named = any(name in message for name in ("json", ".h5", "arguments"))
        return "refused" if "\n" not in message and named else f"other: {message}"
    return "exact" if same(state, expected[0]) and results == expected[1] else "other"


def test_a_kill_at_each_write_and_delete_step_resumes_exactly(tiny, tmp_path, uninterrupted):
    expected = uninterrupted[1]
    with pytest.MonkeyPatch.context() as patch:
        counted = _Faults(patch, tmp_path / "count")
        _run_stage(tiny, tmp_path / "count")
    steps = counted.steps
    outcomes = []
    for at in range(len(steps)):
        folder = tmp_path / f"kill{at}"
        with pytest.MonkeyPatch.context() as patch:
            _Faults(patch, folder, at=at)
            with pytest.raises(Stop):
                _run_stage(tiny, folder)
        outcome = _outcome(lambda folder=folder: _run_stage(tiny, folder), expected)
        if outcome == "exact" and _files(folder) != FINISHED_FILES:
            outcome = "other: files left"  # temporaries or stale epoch files
        outcomes.append(outcome)
    writes = sum(step.startswith("write") for step in steps)
    counts = {
        kind: sum(o.startswith(kind) for o in outcomes) for kind in ("exact", "refused", "other")
    }
    print(
        f"\nkills at {len(steps)} steps ({writes} writes, {len(steps) - writes} deletes): "
        f"{counts['exact']} exact resumes, {counts['refused']} refusals, {counts['other']} other"
    )
    assert outcomes == ["exact"] * len(steps), [
        f"killed at {step}: {outcome}"
        for step, outcome in zip(steps, outcomes)
        if outcome != "exact"
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
    real, written = Checkpoint._write_file, []

    def stop_at_the_second(self, name, write):
        if name in ("final.weights.h5", "results.json"):
            written.append(name)
            if len(written) == 2:
                raise Stop
        return real(self, name, write)

    monkeypatch.setattr(Checkpoint, "_write_file", stop_at_the_second)
    with pytest.raises(Stop):
        _run_stage(tiny, folder)
    monkeypatch.undo()
    stage = open_checkpoint(folder, {"epochs": 3}).stage("tiny")
    assert not stage.finished and stage.resumed_at == 3
    del stage
    assert _outcome(lambda: _run_stage(tiny, folder), expected) == "exact"
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

    from keras.callbacks import LambdaCallback

    with pytest.raises(Stop):
        _run_stage(tiny, killed, before=[LambdaCallback(on_epoch_begin=stop_at_the_third_epoch)])
    assert epochs_saved(killed / "tiny") == 2
    _run_stage(tiny, finished)
    counts, cases = {}, 0
    for original in (killed, finished):
        for name in _files(original):
            for how in ("truncated", "deleted", "one byte changed"):
                if how != "deleted" and not (original / name).stat().st_size:
                    continue  # the empty lock file
                folder = tmp_path / "damaged" / f"{original.name}-{cases}"
                cases += 1
                shutil.copytree(original, folder)
                _damage(folder / name, how)
                outcome = _outcome(lambda folder=folder: _run_stage(tiny, folder), expected)
                counts[outcome] = counts.get(outcome, 0) + 1
                assert outcome in ("exact", "refused"), f"{original.name}: {name} {how}: {outcome}"
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


def test_weights_that_do_not_fit_the_model_are_refused(tiny, tmp_path):
    import keras

    stage = Checkpoint(tmp_path, {}).stage("a")
    stage.finish(tiny.model, accuracy=0.5)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(9), keras.layers.Dropout(0.3),
                              keras.layers.Dense(1)])  # fmt: skip
    with pytest.raises(
        InputError,
        match=r"a: final.weights.h5 does not fit this model \(.*\); "
        "build the model the run was started with, or delete the folder",
    ):
        stage.restore(other)
    with pytest.raises(InputError, match="the stage is finished: restore it"):
        tiny.fit(stage, 1)


def test_the_folders_of_an_older_layout_other_arguments_and_bad_stage_names_are_refused(tmp_path):
    Checkpoint(tmp_path / "run", {"epochs": 3})
    with pytest.raises(InputError, match=r"holds a run with other arguments \(epochs: 3 then 4\)"):
        Checkpoint(tmp_path / "run", {"epochs": 4})
    (tmp_path / "old" / "backup").mkdir(parents=True)
    with pytest.raises(InputError, match="backup is of an older deepkit's layout; delete"):
        Checkpoint(tmp_path / "old", {})
    run = Checkpoint(tmp_path / "run", {"epochs": 3})
    for name in ("epochs", "a/b", "..", "", "results.json"):
        with pytest.raises(InputError, match="stage name must be a plain folder name"):
            run.stage(name)


def test_no_checkpoint_keeps_nothing():
    import keras

    none = open_checkpoint(None, {"epochs": 3})
    assert isinstance(none, NoCheckpoint) and isinstance(none.stage("a"), NoCheckpoint)
    assert not none.finished and none.callbacks() == []
    history = {"loss": [1.0]}
    assert none.full_history(history) is history
    stop = none.early_stopping("val_accuracy", 2)
    assert type(stop) is keras.callbacks.EarlyStopping and stop.mode == "max"
    assert stop.patience == 2 and stop.restore_best_weights
    assert none.early_stopping("val_loss", 1).mode == "min"
    none.finish(None, accuracy=1.0)
    assert Checkpoint.open is open_checkpoint


def test_a_second_process_on_a_folder_in_use_is_refused_naming_the_first(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from deepkit.checkpoints import Checkpoint;"
         " c = Checkpoint(sys.argv[1], {}); print('ready', flush=True); time.sleep(60)",
         str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env=ENV,
    )  # fmt: skip
    try:
        assert holder.stdout.readline() == "ready\n"
        with pytest.raises(InputError) as error:
            Checkpoint(tmp_path, {})
        message = str(error.value)
        assert message.startswith(f"checkpoint folder {tmp_path} is in use by process {holder.pid}")
        assert message.endswith("; wait for it to end or use another folder")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    with Checkpoint(tmp_path, {}):  # a killed process leaves no lock behind
        pass


def _script():
    spec = importlib.util.spec_from_file_location("checkpoint_run", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_run_killed_early_or_late_resumes_exactly(tmp_path):
    """Real SIGKILLs, two processes side by side: one after the first epoch of the first
    stage, one late in the second stage (after its fourth epoch; its best epoch is the
    fifth, it stops after the sixth). Both folders are then run again to their end in
    process (a new process would import TensorFlow again: the suite's time), as is the
    uninterrupted run that gives the expected arrays."""
    moments = {"early": ("first", 1), "late": ("second", 4)}
    killed = {
        when: start([sys.executable, str(SCRIPT), str(tmp_path / when), str(tmp_path / "out.npz")],
                    tmp_path / f"{when}.log")
        for when in moments
    }  # fmt: skip
    try:
        for when, (stage, epochs) in moments.items():
            folder = tmp_path / when / stage
            kill_when(killed[when], lambda f=folder, e=epochs: epochs_saved(f) >= e,
                      tmp_path / f"{when}.log")  # fmt: skip
            assert epochs <= epochs_saved(folder) < STAGES_EPOCHS[stage]
    finally:
        for process in killed.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    script = _script()
    arrays, results = script.train_all(tmp_path / "whole")
    for when in moments:
        got, got_results = script.train_all(tmp_path / when)
        assert got_results == results and sorted(got) == sorted(arrays)
        for key, expected in arrays.items():
            np.testing.assert_array_equal(got[key], expected, err_msg=f"{when}: {key}")
