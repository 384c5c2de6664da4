"""SIGKILL ``checkpoint_run.py`` at random moments and check every rerun; not part of the suite.

    python tests/scripts/kill_at_random.py [--trials 12] [--seed 0] [--workdir DIR]

Each trial kills a run twice: a first process at a random moment of its
training, then the process that resumes it, at a random moment too; then this
process runs the folder again to its end (in process: TensorFlow is imported
once here) and compares every weight, optimizer variable, generator state and
result with an uninterrupted run. Each rerun ends in one of: ``exact`` (bit for
bit the uninterrupted run), ``refused`` (an ``InputError`` of one line) or
``other`` (anything else: a failure of the checkpoints). Prints one line per
kill (where it landed: the epochs each stage had saved, and whether a write was
cut short, i.e. a temporary file was left) and the counts.

A moment is a random point of progress (a stage having saved a random number of
epochs) plus a random delay of up to two epochs (the epoch's duration measured
first, on an uninterrupted process), so kills land in every epoch of both
stages, inside an epoch's training or its writes, or in a stage's finish.
"""

import argparse
import concurrent.futures
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from resume_helpers import ENV, epochs_saved  # noqa: E402

SCRIPT = HERE / "checkpoint_run.py"


def _start(folder):
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(folder), str(folder) + ".npz"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=ENV,
    )


# The points of progress a kill waits for: (stage, epochs it has saved); then a random
# delay up to about two epochs, so the kill lands anywhere in or between the epochs'
# writes. The second stage's "0" is the first stage finished (5 epochs).
PROGRESS = [("first", k) for k in range(5)] + [("second", k) for k in range(6)]


def _epoch_seconds(folder):
    """The mean seconds between two epoch records of an uninterrupted process."""
    process = _start(folder)
    times, last = [], None
    while process.poll() is None:
        saved = epochs_saved(Path(folder) / "first") + epochs_saved(Path(folder) / "second")
        if saved != last:
            times.append(time.monotonic())
            last = saved
        time.sleep(0.002)
    assert process.returncode == 0
    gaps = sorted(b - a for a, b in zip(times[1:], times[2:]))
    return gaps[len(gaps) // 2]


def _kill_at_random(folder, seconds, rng):
    """Start a process on ``folder``, wait for a random point of progress, then SIGKILL it
    ``uniform(0, 2 * seconds)`` later; where the kill landed, or ``None`` if the process
    ended first."""
    process = _start(folder)
    line = process.stdout.readline()
    if line != "training\n":  # refused, or failed before training
        process.wait()
        return f"no training ({line.strip() or process.returncode})"
    stage, epochs = rng.choice(PROGRESS)
    if stage == "second" and epochs == 0:
        stage, epochs = "first", 5
    while epochs_saved(Path(folder) / stage) < epochs and process.poll() is None:
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 2 * seconds))
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.returncode != -signal.SIGKILL:
        return None
    temporaries = [p.name for p in Path(folder).rglob("*.partial-*")]
    saved = {stage: epochs_saved(Path(folder) / stage) for stage in ("first", "second")}
    cut = f", write cut short: {', '.join(temporaries)}" if temporaries else ""
    return f"killed at first={saved['first']} second={saved['second']} epochs saved{cut}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir")
    args = parser.parse_args()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="kill_at_random-"))
    workdir.mkdir(parents=True, exist_ok=True)

    import warnings

    import numpy as np

    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(HERE))
    import checkpoint_run

    from deepkit.validation import InputError

    seconds = _epoch_seconds(workdir / "timing")
    expected_arrays, expected_results = checkpoint_run.train_all(workdir / "whole")
    print(f"one epoch: {seconds:.3f} s; {args.trials} trials in {workdir}")
    rng = random.Random(args.seed)
    delays = [(random.Random(rng.random()), i) for i in range(args.trials)]
    in_process = threading.Lock()
    counts = {"exact": 0, "refused": 0, "other": 0}
    kills, cut_short, lines = 0, 0, []

    def trial(item):
        trial_rng, i = item
        folder = workdir / f"trial{i}"
        landed = [_kill_at_random(folder, seconds, trial_rng) for _ in range(2)]
        with in_process:
            try:
                arrays, results = checkpoint_run.train_all(folder)
            except InputError as error:
                message = str(error)
                return landed, "refused" if "\n" not in message else "other", message
            same = sorted(arrays) == sorted(expected_arrays) and all(
                np.array_equal(arrays[k], expected_arrays[k]) for k in expected_arrays
            )
            exact = same and results == expected_results
            return landed, "exact" if exact else "other", ""

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for i, (landed, outcome, message) in enumerate(pool.map(trial, delays)):
            for where in landed:
                if where is not None and where.startswith("killed"):
                    kills += 1
                    cut_short += "cut short" in where
            counts[outcome] += 1
            lines.append(f"trial {i}: {landed} -> {outcome} {message}".rstrip())
            print(lines[-1], flush=True)
    print(
        f"{kills} SIGKILLs ({cut_short} inside a write) in {args.trials} trials; reruns: "
        f"{counts['exact']} exact, {counts['refused']} refused, {counts['other']} other"
    )
    return 0 if counts["other"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
