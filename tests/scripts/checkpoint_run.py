"""A small run of two stages in a checkpoint folder, to be killed with SIGKILL and run again.

    python tests/scripts/checkpoint_run.py FOLDER OUT.npz [FOLDER OUT.npz ...]

Stage "first": ``TinyTraining`` (seed 1), 5 epochs. Stage "second":
``TinyTraining`` (seed 4), at most 8 epochs with early stopping on the
validation loss (patience 1: its best epoch is the fifth, it stops after the
sixth). Each stage goes through ``Checkpoint.run``, so a rerun restores a
finished stage and resumes an unfinished one. Prints ``training`` when the
first stage starts and ``done`` at the end; writes every weight, optimizer
variable and generator state of both models, and the results, to OUT.npz (for
each FOLDER in turn: one process resumes several runs). A refused folder prints
the one-line reason on stderr and exits with 2, as the command line does.
``train_all`` is the same run in process.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import json  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from resume_helpers import TinyTraining  # noqa: E402

from deepkit.checkpoints import open_checkpoint  # noqa: E402
from deepkit.validation import InputError  # noqa: E402

STAGES = {
    "first": dict(seed=1, epochs=5, patience=None),
    "second": dict(seed=4, epochs=8, patience=1),
}


def train_all(folder):
    """Both stages in the checkpoint ``folder``; ``(arrays, results)``, the arrays by name."""
    arrays, results = {}, {}
    run = open_checkpoint(folder, {"stages": STAGES})
    print("training", flush=True)
    for name, settings in STAGES.items():
        tiny = TinyTraining(settings["seed"])
        tiny.reset()

        def train(stage, tiny=tiny, settings=settings):
            return {"history": tiny.fit(stage, settings["epochs"], patience=settings["patience"])}

        results[name] = run.stage(name).run(tiny.model, train)
        for kind, values in (
            ("weights", tiny.weights()),
            ("optimizer", tiny.optimizer_state()),
            ("generators", tiny.generator_states()),
        ):
            for i, value in enumerate(values):
                arrays[f"{name}/{kind}/{i}"] = value
    return arrays, results


def main(folders_and_outs):
    warnings.filterwarnings("ignore")
    for folder, out in zip(folders_and_outs[::2], folders_and_outs[1::2]):
        try:
            arrays, results = train_all(folder)
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        np.savez(out, results=json.dumps(results), **arrays)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
