"""Kill and resume with nothing lost: a checkpoint folder for a run of one or more trainings.

A run is a sequence of stages (one training each: pretraining, then fine-tuning,
one model per setting). Each stage gives a model and a dict of results; with a
folder, a stage that finished keeps them, and a killed stage resumes at the last
epoch it completed. Callers do not ask whether there is a folder:
``open_checkpoint`` returns a ``NoCheckpoint`` for ``None``, with the same
methods doing nothing::

    run = open_checkpoint(folder_or_none, arguments={"epochs": 30, "seed": 0})

    def train(stage):
        _, history = deepkit.training.fit(model, x, y, ..., checkpoint=stage)
        return {"history": history, "accuracy": ...}

    results = run.stage("pretrain").run(model, train)  # trained, or restored if finished

``stage.run(model, train)`` returns the finished stage's results (its weights
loaded into ``model``), or calls ``train(stage)`` and then ``stage.finish``.
Inside ``train``, Keras's ``fit`` gets ``stage.callbacks()`` (after
``stage.early_stopping(monitor, patience)`` if any), and
``stage.full_history(history)`` gives the history of the whole training, the
epochs of an earlier, killed process included. Every stage starts from its own
seed (``set_seed`` at its start), so skipping a finished stage leaves the later
ones unchanged.

**Why a resumed run equals an uninterrupted one.** Nothing but the saved state
carries over between epochs: the data order of epoch e depends on (seed, e)
alone (``deepkit.distribute.epoch_dataset``); the weights file holds the
optimizer's state with the weights (Keras's ``save_weights`` of a compiled
model); the random generators' state (Dropout's ``SeedGenerator``, which
``save_weights`` leaves out) is saved beside it; early stopping replays the
saved history and keeps its best weights in the folder
(``deepkit.early_stopping``).

**Why a kill at any instant leaves a folder that resumes.** Every file is
written whole or not at all (``deepkit.atomic``), and one record, written
last, says which files make a state; files are never changed in place, only
new ones written and the old ones deleted after the record moved on. So the
folder always holds the last complete record and every file it names. A file
changed by anything else (a disk fault, a hand edit, a truncation) no longer
matches the SHA-256 the record keeps, and the folder is refused with one line
naming the file, never resumed into another model.

Inside a stage's folder (the run's folder is a stage too):

- ``epoch.json``: the record of the last epoch finished: ``{"epoch": e,
  "stopped": bool, "files": {kind: {"name", "sha256"}}}`` naming
  ``epochs/e.weights.h5`` (weights and optimizer state), ``epochs/e.generators.json``
  (the random generators' state), ``epochs/e.history.json`` (every epoch's logs)
  and, with early stopping, ``epochs/best-b.weights.h5`` (the weights of the best
  epoch b); ``stopped`` says that early stopping ended the training there;
- ``finished.json``: the record of a finished stage, written by ``finish``
  after ``final.weights.h5``, ``final.generators.json``, ``history.json`` and
  ``results.json`` (the results, plain JSON), all of which it names; the
  epoch files are then deleted;
- in the run's folder only: ``arguments.json``, the run's arguments (a rerun
  with other ones is refused instead of mixing two runs); ``.lock``, locked
  (``fcntl.flock``) by the process using the folder, which the kernel releases
  when that process ends, killed or not; ``owner.json``, that process's id and
  command, named when a second process is refused;
- the stages' subfolders.

Files whose name holds ``.partial-`` are temporaries of writes a kill cut
short; opening the folder deletes them, and epoch files no record names.
"""

import hashlib
import json
import os
import sys
import warnings
import weakref
from pathlib import Path

from deepkit import atomic
from deepkit.validation import InputError

EPOCH_RECORD = "epoch.json"
FINISHED_RECORD = "finished.json"
EPOCHS = "epochs"
ARGUMENTS = "arguments.json"
LOCK = ".lock"
OWNER = "owner.json"
FINAL_FILES = ("final.weights.h5", "final.generators.json", "history.json", "results.json")
# The layout before the epoch records: Keras's in-place BackupAndRestore and logs.
OLD_LAYOUT = ("backup", "seed_states.json")
EPOCH_KINDS = ("weights", "generators", "history")
FINAL_KINDS = ("weights", "generators", "history", "results")
RESERVED = {EPOCH_RECORD, FINISHED_RECORD, EPOCHS, ARGUMENTS, LOCK, OWNER, *FINAL_FILES}


def open_checkpoint(folder, arguments):
    """The checkpoint of a run: a ``Checkpoint`` in ``folder``, or a ``NoCheckpoint`` for ``None``.

    Args:
        folder: a folder (str or ``Path``; made if absent), or ``None`` for a
            run that keeps nothing.
        arguments: the run's arguments (JSON values; others become strings),
            kept in the folder; a folder holding other ones is refused.

    Returns:
        A ``Checkpoint`` or a ``NoCheckpoint``, with the same methods.

    Raises:
        InputError: if the folder cannot be made, is in use by another process,
            holds a run with other arguments, or holds a damaged record or file.
    """
    return NoCheckpoint() if folder is None else Checkpoint(folder, arguments)


class NoCheckpoint:
    """The stage protocol of a run without a folder: nothing kept, nothing resumed.

    ``stage`` returns another ``NoCheckpoint``, ``callbacks`` none, ``run`` calls
    ``train`` and ``finish`` does nothing, so code written for a ``Checkpoint``
    runs unchanged without one.
    """

    directory = None
    finished = False
    resumed_at = 0

    def __init__(self):
        self.history = []

    def stage(self, name):
        """Another ``NoCheckpoint``.

        Args:
            name: the stage's name (unused).

        Returns:
            A ``NoCheckpoint``.
        """
        return NoCheckpoint()

    def callbacks(self):
        """No callbacks.

        Returns:
            An empty list.
        """
        return []

    def full_history(self, keras_history=None):
        """``keras_history`` itself: without a folder, ``fit`` saw every epoch.

        Args:
            keras_history: the history of ``fit`` (``History.history``, a dict
                ``{metric: [value per epoch]}``).

        Returns:
            ``keras_history``, unchanged.
        """
        return keras_history

    def early_stopping(self, monitor, patience):
        """Keras's ``EarlyStopping`` that restores the best weights.

        Args:
            monitor: the log to watch (``"val_loss"``); maximised if it names an
                accuracy or AUC, else minimised.
            patience: epochs without improvement before stopping.

        Returns:
            A ``keras.callbacks.EarlyStopping``.
        """
        from deepkit.early_stopping import keras_early_stopping

        return keras_early_stopping(monitor, patience)

    def run(self, model, train):
        """Train: ``train(self)``'s results.

        Args:
            model: the model ``train`` trains (unused here).
            train: a function of the stage returning the results (a dict).

        Returns:
            What ``train`` returned.
        """
        return train(self)

    def finish(self, model, **results):
        """Nothing to keep.

        Args:
            model: the trained model (unused).
            **results: the stage's results (unused).
        """


class Checkpoint:
    """A checkpoint folder: one stage of a run (the run's folder is a stage too).

    Args:
        directory: the folder (str or ``Path``), made if absent.
        arguments: the run's arguments, checked against the folder's; ``None``
            for a stage, whose run folder checked them.

    Attributes:
        directory: the folder, a ``Path``.
        resumed_at: the epochs the folder holds (0 for a new stage).
        history: a list of every finished epoch's logs (a dict each).

    Raises:
        InputError: if the folder cannot be made, is in use by another process,
            holds a run with other arguments, was written by an older deepkit, or
            holds a damaged record or file (the message names the file).
    """

    open = staticmethod(open_checkpoint)

    def __init__(self, directory, arguments, _lock=None):
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"checkpoint folder {directory}: {error.strerror}") from None
        self._lock = _lock or _FolderLock.acquire(self.directory)
        if arguments is not None:
            self._check_arguments(json.loads(json.dumps(arguments, default=str)))
        for name in OLD_LAYOUT:
            if (self.directory / name).exists():
                self._refuse(f"{name} is of an older deepkit's layout")
        self._finished = self._read_record(FINISHED_RECORD, FINAL_KINDS)
        self._record = None if self._finished else self._read_record(EPOCH_RECORD, EPOCH_KINDS)
        self._clean()
        if self._finished:
            self.history = self._read_json(self._finished, "history")
        elif self._record:
            self.history = self._read_json(self._record, "history")
            if len(self.history) != self._record["epoch"]:
                self._refuse(f"{EPOCH_RECORD} and the history it names disagree")
        else:
            self.history = []
        self.resumed_at = len(self.history)
        self._pending = {}  # files written for the epoch under way (early stopping's)
        self._stopper = None  # the early stopping of the training under way

    # -- the stage protocol ------------------------------------------------------------

    def stage(self, name):
        """The checkpoint of one training of the run, in the subfolder ``name``.

        Args:
            name: a folder name (no separator, none of the folder's own names).

        Returns:
            A ``Checkpoint`` sharing this run's lock.

        Raises:
            InputError: for a name that is not a plain folder name.
        """
        if (
            not isinstance(name, str)
            or name in RESERVED
            or name in ("", ".", "..")
            or "/" in name
            or os.sep in name
            or atomic.is_temporary(name)
        ):
            raise InputError(f"checkpoint stage name must be a plain folder name, got {name!r}")
        return Checkpoint(self.directory / name, arguments=None, _lock=self._lock)

    @property
    def finished(self):
        """Whether ``finish`` saved this stage's weights and results."""
        return self._finished is not None

    def run(self, model, train):
        """The stage's results: restored if it finished, else trained and kept.

        Args:
            model: the stage's model, built (and compiled, if it trains).
            train: a function of this stage that trains ``model`` (passing the
                stage on, e.g. ``deepkit.training.fit(..., checkpoint=stage)``)
                and returns the results, a dict of JSON values.

        Returns:
            The results: the saved ones (with the saved weights, optimizer
            state and generators loaded into ``model``), or ``train``'s.

        Raises:
            InputError: if the saved weights do not fit ``model``.
            TypeError: if ``train`` returns something other than a dict of JSON values.
        """
        if self.finished:
            return self.restore(model)
        results = train(self)
        if not isinstance(results, dict):
            raise TypeError(f"train must return a dict of results, got {type(results).__name__}")
        self.finish(model, **results)
        return results

    def callbacks(self):
        """The Keras callbacks that save every epoch here and resume from the last one.

        One callback: at the start of ``fit`` it loads the last epoch's weights,
        optimizer state and generators and makes ``fit`` go on after it (or
        train nothing if that epoch ended the training); at the end of every
        epoch it saves them, with the history, and then the record naming them.
        Put it after ``early_stopping``'s callback and after callbacks that add
        logs (what they add is saved).

        Returns:
            A list of Keras callbacks.
        """
        return [_epoch_backup(self)]

    def early_stopping(self, monitor, patience):
        """Early stopping (best weights restored) that a resumed training continues.

        Args:
            monitor: the log to watch; maximised if it names an accuracy or AUC.
            patience: epochs without improvement before stopping.

        Returns:
            A ``deepkit.early_stopping.ResumableEarlyStopping``, to put before
            ``callbacks()``.
        """
        from deepkit.early_stopping import ResumableEarlyStopping

        return ResumableEarlyStopping(self, monitor, patience)

    def full_history(self, keras_history=None):
        """The history of the whole training, the epochs of a killed process included.

        Args:
            keras_history: the history of this process's ``fit`` (unused: the
                folder's history holds its epochs and the earlier ones).

        Returns:
            ``{metric: [value per epoch]}`` for the metrics logged at every epoch.
        """
        names = [n for n in (self.history or [{}])[0] if all(n in e for e in self.history)]
        return {name: [epoch[name] for epoch in self.history] for name in names}

    def finish(self, model, **results):
        """Keep the trained ``model`` and ``results``: the stage is finished.

        Writes the weights (with the optimizer's state), the generators, the
        history and the results, then the record naming them, then deletes the
        epoch files. A kill before the record leaves the stage unfinished.

        Args:
            model: the trained model.
            **results: JSON values (a rerun's ``run``/``restore`` returns them).

        Raises:
            TypeError: if a result is not a JSON value (nothing is written then).
        """
        text = json.dumps(results)  # fails before anything is written
        files = {
            "weights": self._save_weights(model, "final.weights.h5"),
            "generators": self._write_json("final.generators.json", _generator_states(model)),
            "history": self._write_json("history.json", self.history),
            "results": self._write("results.json", text),
        }
        self._write(FINISHED_RECORD, json.dumps({"files": files}))
        self._finished, self._record = {"files": files}, None
        self._clean()

    def restore(self, model):
        """Load a finished stage's weights (its optimizer's state too, if ``model`` is
        compiled) and generators into ``model``; return its results.

        Args:
            model: a model of the stage's architecture, built.

        Returns:
            The results given to ``finish``.

        Raises:
            InputError: if the stage is not finished or its weights do not fit ``model``.
        """
        if not self.finished:
            self._refuse("the stage is not finished: nothing to restore", start_over=False)
        self._load_state(model, self._finished)
        return self._read_json(self._finished, "results")

    def close(self):
        """Let go of the folder's lock (it goes too when the last object of the run does)."""
        self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- the records --------------------------------------------------------------------

    def _refuse(self, problem, start_over=True):
        advice = f"; delete the folder {self.directory} to start over" if start_over else ""
        raise InputError(f"checkpoint folder {self.directory}: {problem}{advice}")

    def _refuse_model(self, problem):
        self._refuse(
            f"{problem}; build the model the run was started with, or delete the folder "
            f"{self.directory} to start over",
            start_over=False,
        )

    def _check_arguments(self, arguments):
        """Keep ``arguments`` in a new folder; refuse them if the folder holds other ones."""
        saved = self.directory / ARGUMENTS
        if not saved.exists():
            self._write(ARGUMENTS, json.dumps(arguments, indent=1, sort_keys=True))
            return
        try:
            previous = json.loads(saved.read_text())
        except (OSError, ValueError) as error:
            self._refuse(f"{ARGUMENTS} cannot be read ({error})")
        if not isinstance(previous, dict):
            self._refuse(f"{ARGUMENTS} does not hold a dict of arguments")
        changed = sorted(
            k for k in previous.keys() | arguments.keys() if previous.get(k) != arguments.get(k)
        )
        if changed:
            raise InputError(
                f"checkpoint folder {self.directory} holds a run with other arguments "
                f"({', '.join(f'{k}: {previous.get(k)!r} then {arguments.get(k)!r}' for k in changed)}); "
                "use another folder or the same arguments"
            )

    def _read_record(self, name, kinds):
        """The record ``name`` after checking it names the files ``kinds`` and every file it
        names is whole; ``None`` if absent."""
        path = self.directory / name
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text())
            files = record["files"]
            for kind in kinds:
                files[kind]
            for entry in files.values():
                entry["sha256"].encode()
                if Path(entry["name"]).is_absolute() or ".." in Path(entry["name"]).parts:
                    raise ValueError(f"{entry['name']} is not a file of the folder")
            if name == EPOCH_RECORD:
                int(record["epoch"]), bool(record["stopped"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            self._refuse(f"{name} is not a complete record ({type(error).__name__}: {error})")
        for entry in files.values():
            file = self.directory / entry["name"]
            if not file.is_file():
                self._refuse(f"{entry['name']}, named by {name}, is missing")
            if _sha256(file) != entry["sha256"]:
                self._refuse(f"{entry['name']} is not the file {name} names (another SHA-256)")
        return record

    def _read_json(self, record, kind):
        """The content of the JSON file ``kind`` that a checked record names."""
        name = record["files"][kind]["name"]
        try:
            return json.loads((self.directory / name).read_text())
        except (OSError, ValueError) as error:
            self._refuse(f"{name} cannot be read ({error})")

    def _clean(self):
        """Delete the temporaries of killed writes and the epoch files no record names
        (all of them once the stage finished), and a finish's files without its record."""
        atomic.remove_temporaries(self.directory)
        kept = set()
        if self._record is not None:
            kept = {entry["name"] for entry in self._record["files"].values()}
        epochs = self.directory / EPOCHS
        if epochs.is_dir():
            for entry in epochs.iterdir():
                if f"{EPOCHS}/{entry.name}" not in kept and entry.is_file():
                    _delete(entry)
            if not kept:
                try:
                    epochs.rmdir()
                except OSError:
                    pass
        if self._finished is not None:
            _delete(self.directory / EPOCH_RECORD)
        else:
            for name in FINAL_FILES:
                _delete(self.directory / name)

    # -- writing -------------------------------------------------------------------------

    def _entry(self, name):
        return {"name": name, "sha256": _sha256(self.directory / name)}

    def _write_file(self, name, write):
        """Write the file ``name`` of the folder with ``write(temporary_path)``, atomically;
        its record entry."""
        path = self.directory / name
        try:
            path.parent.mkdir(exist_ok=True)
            with atomic.atomic_write(path) as temporary:
                write(str(temporary))
        except OSError as error:
            self._refuse(f"cannot write {name} ({error.strerror or error})", start_over=False)
        return self._entry(name)

    def _write(self, name, text):
        return self._write_file(name, lambda path: Path(path).write_text(text))

    def _write_json(self, name, value):
        return self._write(name, json.dumps(value))

    def _save_weights(self, model, name):
        """Save ``model``'s weights (and its optimizer's state) to ``name``."""
        return self._write_file(name, model.save_weights)

    def _load_state(self, model, record):
        """Load the weights, optimizer state and generators a checked record names."""
        name = record["files"]["weights"]["name"]
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:
            optimizer.build(model.trainable_variables)  # else Keras skips its saved state
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                model.load_weights(str(self.directory / name))
            skipped = [str(w.message) for w in caught if "Skipping" in str(w.message)]
            if skipped:
                raise ValueError(skipped[0])
        except (ValueError, KeyError, OSError) as error:
            detail = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
            detail = detail if len(detail) <= 200 else detail[:200] + "..."
            self._refuse_model(f"{name} does not fit this model ({detail})")
        states = self._read_json(record, "generators")
        generators = _generators(model)
        if len(states) != len(generators):
            self._refuse_model(
                f"{record['files']['generators']['name']} holds {len(states)} random "
                f"generators' states, the model has {len(generators)}"
            )
        for variable, state in zip(generators, states):
            variable.assign(state)

    def _epoch_files(self, epoch, model, logs):
        """Write epoch ``epoch``'s files, then its record; delete the previous epoch's."""
        done = epoch + 1
        self.history = self.history[:epoch] + [{k: float(v) for k, v in (logs or {}).items()}]
        files = dict(self._record["files"]) if self._record else {}
        files.update(self._pending)
        files["weights"] = self._save_weights(model, f"{EPOCHS}/{done}.weights.h5")
        files["generators"] = self._write_json(
            f"{EPOCHS}/{done}.generators.json", _generator_states(model)
        )
        files["history"] = self._write_json(f"{EPOCHS}/{done}.history.json", self.history)
        record = {"epoch": done, "stopped": bool(model.stop_training), "files": files}
        self._write(EPOCH_RECORD, json.dumps(record))
        old, self._record, self._pending = self._record, record, {}
        if old is not None:
            kept = {entry["name"] for entry in files.values()}
            for entry in old["files"].values():
                if entry["name"] not in kept:
                    _delete(self.directory / entry["name"])

    def _add_epoch_file(self, kind, name, model, **fields):
        """Save ``model``'s weights as the file ``kind`` of the epoch under way (early
        stopping's best weights); the epoch's record will name it."""
        self._pending[kind] = {**self._save_weights(model, f"{EPOCHS}/{name}"), **fields}

    def _check_unfinished(self):
        """Refuse to train a finished stage (``run`` restores it instead)."""
        if self.finished:
            self._refuse(
                "the stage is finished: restore it (run or restore) instead of training it",
                start_over=False,
            )

    def _epoch_file(self, kind):
        """The record entry of the last epoch's file ``kind`` (``None`` if none)."""
        return None if self._record is None else self._record["files"].get(kind)


def _epoch_backup(checkpoint):
    """The Keras callback of ``Checkpoint.callbacks``."""
    import keras

    class EpochBackup(keras.callbacks.Callback):
        """Save every epoch in ``checkpoint``; resume from its last one."""

        def on_train_begin(self, logs=None):
            checkpoint._check_unfinished()
            record = checkpoint._record
            if record is None:
                self.model._initial_epoch = None  # from epoch 0, whatever an earlier fit left
                return
            if record["epoch"] > self.params["epochs"]:
                checkpoint._refuse(
                    f"it holds {record['epoch']} epochs, more than the "
                    f"{self.params['epochs']} of this training"
                )
            checkpoint._load_state(self.model, record)
            # After the epoch that ended the training, train nothing.
            stopped = record["stopped"]
            self.model._initial_epoch = self.params["epochs"] if stopped else record["epoch"]

        def on_epoch_end(self, epoch, logs=None):
            stopper = checkpoint._stopper
            if stopper is not None and stopper.last_epoch != epoch:
                raise RuntimeError(
                    "checkpoint.early_stopping(...)'s callback must come before "
                    "checkpoint.callbacks() in fit's callbacks: its state is saved with the epoch"
                )
            checkpoint._epoch_files(epoch, self.model, logs)

        def on_train_end(self, logs=None):
            self.model._initial_epoch = None  # Keras keeps it: the model's next fit starts at 0

    return EpochBackup()


def _generators(model):
    """The model's variables that are not weights: its random generators' states."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def _generator_states(model):
    return [v.numpy().tolist() for v in _generators(model)]


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _delete(path):
    """Remove the file ``path`` if it exists (the one place files of a folder are deleted)."""
    Path(path).unlink(missing_ok=True)


class _FolderLock:
    """This process's lock on a run folder: ``fcntl.flock`` on its ``.lock`` file.

    The kernel releases the lock when the process ends, however it ends, so a
    killed run leaves no stale lock. Within one process the lock is shared by all
    the ``Checkpoint`` objects of the folder and held while one of them lives.
    """

    _held = weakref.WeakValueDictionary()  # resolved folder -> _FolderLock

    def __init__(self, folder, descriptor):
        self.folder = folder
        self._finalizer = weakref.finalize(self, os.close, descriptor)

    @classmethod
    def acquire(cls, folder):
        """The lock of ``folder``, taken now or already held by this process.

        Args:
            folder: an existing folder (``Path``).

        Returns:
            A ``_FolderLock``; the lock lasts while a reference to it does.

        Raises:
            InputError: if another process holds it (named by its id and command).
        """
        import fcntl

        key = str(folder.resolve())
        held = cls._held.get(key)
        if held is not None:
            return held
        try:
            descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise InputError(f"checkpoint folder {folder}: {error.strerror}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise InputError(
                f"checkpoint folder {folder} is in use by {_owner(folder)}; "
                "wait for it to end or use another folder"
            ) from None
        lock = cls(folder, descriptor)
        cls._held[key] = lock
        command = " ".join([os.path.basename(sys.executable), *sys.argv])
        try:
            atomic.write_json_atomic(folder / OWNER, {"pid": os.getpid(), "command": command})
        except OSError as error:
            raise InputError(f"checkpoint folder {folder}: {error.strerror or error}") from None
        return lock


def _owner(folder):
    """The process holding ``folder``'s lock, in words."""
    try:
        owner = json.loads((folder / OWNER).read_text())
        return f"process {owner['pid']} ({owner['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
