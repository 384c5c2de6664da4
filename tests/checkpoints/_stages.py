"""Helpers of the checkpoint tests: the stage "tiny" of a run, its folder's files, and
the outcome of a rerun."""

from pathlib import Path

from resume_helpers import same

from deepkit.checkpoints import open_checkpoint
from deepkit.validation import InputError

SCORES = [3.0, 1.0, 2.0]  # the monitored log: best at the second of three epochs

# A finished run of the stage "tiny": the run's own files, then the stage's.
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


def run_stage(tiny, folder, before=()):
    """The stage "tiny" of a run in ``folder`` (or none): 3 epochs, early stopping on
    ``SCORES`` with a patience that never stops it; the state and the results."""
    run = open_checkpoint(folder, {"epochs": 3})

    def train(stage):
        return {"history": tiny.fit(stage, 3, scores=SCORES, patience=5, before=before)}

    tiny.reset()
    results = run.stage("tiny").run(tiny.model, train)
    return tiny.state(), results


def files(folder):
    """The files under ``folder``, as sorted relative paths."""
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*") if p.is_file())


def outcome(run, expected):
    """ "exact", "refused" (one line naming a file) or "other" for ``run()``, whose
    ``(state, results)`` are compared with ``expected``."""
    try:
        state, results = run()
    except InputError as error:
        message = str(error)
        named = any(name in message for name in ("json", ".h5", "arguments"))
        return "refused" if "\n" not in message and named else f"other: {message}"
    return "exact" if same(state, expected[0]) and results == expected[1] else "other"
