"""``Checkpoint``, a checkpoint folder as one stage of a run: trained and kept, restored
once finished, and a killed training resumed after its last saved epoch."""

import json
import os

from deepkit import atomic
from deepkit.checkpoints.arguments import check_arguments
from deepkit.checkpoints.epoch_backup import epoch_backup
from deepkit.checkpoints.layout import (
    EPOCH_KINDS,
    EPOCH_RECORD,
    EPOCHS,
    FINAL_KINDS,
    FINISHED_RECORD,
    OLD_LAYOUT,
    RESERVED,
)
from deepkit.checkpoints.lock import FolderLock
from deepkit.checkpoints.model_state import load_state, save_state
from deepkit.checkpoints.no_checkpoint import NoCheckpoint
from deepkit.checkpoints.records import RecordFolder
from deepkit.validation import InputError


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
        self._folder = RecordFolder(directory)
        self.directory = self._folder.directory
        self._lock = _lock or FolderLock.acquire(self.directory)
        if arguments is not None:
            check_arguments(self._folder, json.loads(json.dumps(arguments, default=str)))
        for name in OLD_LAYOUT:
            if (self.directory / name).exists():
                self.refuse(f"{name} is of an older deepkit's layout")
        folder = self._folder
        self._finished = folder.read_record(FINISHED_RECORD, FINAL_KINDS)
        self._record = None if self._finished else folder.read_record(EPOCH_RECORD, EPOCH_KINDS)
        folder.clean(self._record, finished=self._finished is not None)
        if self._finished:
            self.history = folder.read_json(self._finished, "history")
        elif self._record:
            self.history = folder.read_json(self._record, "history")
            if len(self.history) != self._record["epoch"]:
                self.refuse(f"{EPOCH_RECORD} and the history it names disagree")
        else:
            self.history = []
        self.resumed_at = len(self.history)
        self._pending = {}  # files written for the epoch under way (early stopping's)
        self.stopper = None  # the early stopping of the training under way

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
        return [epoch_backup(self)]

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
            **save_state(self._folder, model, "final"),
            "history": self._folder.write_json("history.json", self.history),
            "results": self._folder.write("results.json", text),
        }
        self._folder.write(FINISHED_RECORD, json.dumps({"files": files}))
        self._finished, self._record = {"files": files}, None
        self._folder.clean(self._record, finished=True)

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
            self.refuse("the stage is not finished: nothing to restore", start_over=False)
        load_state(self._folder, model, self._finished)
        return self._folder.read_json(self._finished, "results")

    def close(self):
        """Let go of the folder's lock (it goes too when the last object of the run does)."""
        self._lock = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    # -- for the epoch backup and early stopping (deepkit.early_stopping) ---------------

    def refuse(self, problem, start_over=True):
        """Raise the ``InputError`` naming this folder and ``problem`` (``RecordFolder.refuse``)."""
        self._folder.refuse(problem, start_over)

    def check_unfinished(self):
        """Refuse to train a finished stage (``run`` restores it instead)."""
        if self.finished:
            self.refuse(
                "the stage is finished: restore it (run or restore) instead of training it",
                start_over=False,
            )

    def _resume(self, model, epochs):
        """Load the last saved epoch's state into ``model``; the epoch a training of
        ``epochs`` epochs starts at: after that one, or at the end if it ended the
        training, or ``None`` (from 0) for a new stage."""
        self.check_unfinished()
        record = self._record
        if record is None:
            return None
        if record["epoch"] > epochs:
            self.refuse(
                f"it holds {record['epoch']} epochs, more than the {epochs} of this training"
            )
        load_state(self._folder, model, record)
        return epochs if record["stopped"] else record["epoch"]

    def _save_epoch(self, epoch, model, logs):
        """Write epoch ``epoch``'s files, then its record; delete the previous epoch's."""
        stopper = self.stopper
        if stopper is not None and stopper.last_epoch != epoch:
            raise RuntimeError(
                "checkpoint.early_stopping(...)'s callback must come before "
                "checkpoint.callbacks() in fit's callbacks: its state is saved with the epoch"
            )
        done = epoch + 1
        self.history = self.history[:epoch] + [{k: float(v) for k, v in (logs or {}).items()}]
        files = dict(self._record["files"]) if self._record else {}
        files.update(self._pending)
        files.update(save_state(self._folder, model, f"{EPOCHS}/{done}"))
        files["history"] = self._folder.write_json(f"{EPOCHS}/{done}.history.json", self.history)
        record = {"epoch": done, "stopped": bool(model.stop_training), "files": files}
        self._folder.write(EPOCH_RECORD, json.dumps(record))
        old, self._record, self._pending = self._record, record, {}
        self._folder.delete_replaced(old, record)

    def add_epoch_file(self, kind, name, model, **fields):
        """Save ``model``'s weights as the file ``kind`` of the epoch under way (early
        stopping's best weights); the epoch's record will name it."""
        entry = self._folder.write_file(f"{EPOCHS}/{name}", model.save_weights)
        self._pending[kind] = {**entry, **fields}

    def epoch_file(self, kind):
        """The record entry of the last epoch's file ``kind`` (``None`` if none)."""
        return None if self._record is None else self._record["files"].get(kind)
