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

The modules, one concept each: ``stage`` (``Checkpoint`` and ``open_checkpoint``),
``no_checkpoint`` (``NoCheckpoint``), ``epoch_backup`` (the Keras callback),
``records`` (files written whole and the records naming them with their SHA-256),
``model_state`` (weights, optimizer state and generators), ``arguments`` (the run's
arguments), ``lock`` (the folder's lock) and ``layout`` (the files' names).
"""

from deepkit.checkpoints.layout import (
    ARGUMENTS,
    EPOCH_KINDS,
    EPOCH_RECORD,
    EPOCHS,
    FINAL_FILES,
    FINAL_KINDS,
    FINISHED_RECORD,
    LOCK,
    OLD_LAYOUT,
    OWNER,
    RESERVED,
)
from deepkit.checkpoints.no_checkpoint import NoCheckpoint
from deepkit.checkpoints.stage import Checkpoint, open_checkpoint

__all__ = [
    "ARGUMENTS",
    "EPOCHS",
    "EPOCH_KINDS",
    "EPOCH_RECORD",
    "FINAL_FILES",
    "FINAL_KINDS",
    "FINISHED_RECORD",
    "LOCK",
    "OLD_LAYOUT",
    "OWNER",
    "RESERVED",
    "Checkpoint",
    "NoCheckpoint",
    "open_checkpoint",
]
