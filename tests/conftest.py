import gc
import json
import os
import subprocess
import sys

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# One pytest worker per core: a second TensorFlow thread per process only waits for a core.
# Set before TensorFlow starts, and inherited by the processes the tests start, so a
# training in a test's process and in a subprocess sum in the same order.
os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")


@pytest.fixture(scope="session", autouse=True)
def _frozen_imports():
    """TensorFlow and Keras imported once per worker, their objects then frozen out of the
    garbage collector's reach: a full collection scans the tests' objects only."""
    import keras  # noqa: F401

    gc.freeze()


@pytest.fixture(scope="module", autouse=True)
def _collected_after_each_module():
    """Each module's garbage collected when it ends. Keras keeps a training's ``tf.data``
    iterators in reference cycles, freed whenever the collector runs, and freeing an old
    one can wait up to 60 s on its autotuning thread (the race described in
    ``deepkit.distribute.epoch_dataset``; that thread's sleep doubles with the iterator's
    age). Freed here, an iterator is at most a module old."""
    yield
    gc.collect()


@pytest.fixture
def float64():
    """Keras in float64 for one test: floatx and the dtype policy, restored after."""
    from deepkit.parity import keras_float_dtype

    with keras_float_dtype("float64"):
        yield


# Runs in a fresh interpreter: every case, then whether TensorFlow or data were loaded.
PROBE = r"""
import contextlib, io, json, sys
import numpy as np
import deepkit.datasets
from deepkit import cli, finetune
from deepkit.recipes import cnn, gan, mnist, rnn, t1, t2, t3, timeseries, transfer
from deepkit.validation import InputError

loaded = []
def no_data(*args, **kwargs):
    loaded.append(True)
    raise RuntimeError("data loaded before the arguments were checked")
deepkit.datasets.load_mnist = deepkit.datasets.load_digits = timeseries.load_series = no_data

runs, commands = json.loads(sys.argv[1])
modules = dict(cnn=cnn, gan=gan, mnist=mnist, rnn=rnn, t1=t1, t2=t2, t3=t3,
               timeseries=timeseries, transfer=transfer)
out = {"runs": [], "commands": []}
for name, kwargs in runs:
    loaded.clear()
    try:
        if name == "finetune":
            finetune.finetune("base.keras", 2, np.zeros((4, 3)), np.zeros(4, int), **kwargs)
        else:
            modules[name].run(**kwargs)
        error = None
    except Exception as caught:
        error = [type(caught).__name__, str(caught)]
    out["runs"].append([error, bool(loaded), "tensorflow" in sys.modules])
for argv in commands:
    loaded.clear()
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        try:
            code = cli.main(argv)
        except Exception as caught:
            code = repr(caught)
    out["commands"].append([code, stderr.getvalue(), bool(loaded), "tensorflow" in sys.modules])
print(json.dumps(out))
"""


def _fill(text, places):
    return text.format(**places) if isinstance(text, str) else text


@pytest.fixture(scope="session")
def probe_before_work(tmp_path_factory):
    """A function ``probe(runs, commands)`` that runs bad ``run()`` calls (``[(recipe module
    or "finetune", keywords)]``) and bad command lines in one fresh interpreter (this one
    has TensorFlow loaded already) and returns its findings: ``{"runs": [[error, data
    loaded, TensorFlow loaded]], "commands": [[exit status, stderr, data loaded,
    TensorFlow loaded]]}``. ``{tmp}``, ``{missing}`` (an absent folder) and ``{file}`` (a
    file) in the arguments are filled in."""

    def probe(runs, commands):
        tmp = tmp_path_factory.mktemp("edges")
        places = {"tmp": str(tmp), "missing": str(tmp / "missing"), "file": str(tmp / "a_file")}
        (tmp / "a_file").write_text("not a folder")
        runs = [[name, {k: _fill(v, places) for k, v in kw.items()}] for name, kw in runs]
        commands = [[_fill(a, places) for a in argv] for argv in commands]
        env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
        done = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps([runs, commands])],
            capture_output=True,
            text=True,
            cwd=tmp,
            env=env,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.splitlines()[-1])

    return probe
