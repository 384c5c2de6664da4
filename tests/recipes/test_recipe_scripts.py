"""Every script in recipes/ runs top to bottom on small real data and prints its figures.

Each script is run as a user runs it (``python recipes/NAME.py ...``) in a
subprocess; the test reads the figure the script prints and checks it is one
a working recipe produces (chance is 0.1 for ten digits, 0.2 for five).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUBSET = str(ROOT / "tests" / "data" / "mnist_subset.npz")
MNIST = ["--limit", "600", "--path", SUBSET]

# script, arguments, pattern of a printed figure, lowest acceptable value, highest
SCRIPTS = [
    # churn: above the always-"stays" accuracy the script prints beside it (group 2)
    (
        "churn.py",
        ["--epochs", "5"],
        r"test accuracy (\d\.\d+); T3 claimed .*always predicting 'stays' scores (\d\.\d+)",
        0.75,
        0.9,
    ),
    ("mnist.py", ["--epochs", "1", *MNIST], r"Test accuracy: (\d\.\d+)", 0.5, 1.0),
    ("cnn.py", ["--epochs", "3", *MNIST], r"Test accuracy: (\d\.\d+)", 0.4, 1.0),
    ("transfer.py", ["--epochs", "2", *MNIST], r"Test accuracy on 5-9: (\d\.\d+)", 0.4, 1.0),
    (
        "t1_mnist_from_scratch.py",
        ["--epochs", "1", "--samples", "1000", "--path", SUBSET],
        r"test accuracy after 1 epochs: (\d+\.\d+)%",
        50.0,
        100.0,
    ),
    (
        "t2_digits_from_scratch.py",
        [],
        r"sensible\s+1\.0\s+2000\s+\S+ -> \S+\s+\S+%\s+(\d+\.\d+)%",
        90.0,
        100.0,
    ),
    (
        "t3_forward_propagation.py",
        [],
        r"2-2-2-1 net, relu hidden, input \[3, 5\]\s+364\s+(\S+)\s+364",
        364,
        364,
    ),
]


@pytest.mark.parametrize("script, args, pattern, low, high", SCRIPTS, ids=[s[0] for s in SCRIPTS])
def test_recipe_script_runs_and_prints_its_result(script, args, pattern, low, high):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "recipes" / script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    match = re.search(pattern, done.stdout)
    assert match, f"{script} did not print a line matching {pattern!r}:\n{done.stdout[-2000:]}"
    assert low <= float(match.group(1)) <= high
    if match.re.groups == 2:  # a trivial baseline measured in the same run
        assert float(match.group(1)) > float(match.group(2))
