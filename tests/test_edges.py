"""Edges outside churn: checks before work, TensorFlow's start-up noise, progress.

Checks before work are measured in a fresh interpreter (this one has TensorFlow
loaded already): each bad argument must raise InputError while neither
TensorFlow nor any data set has been loaded.
"""

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from deepkit import _quiet_tensorflow, cli
from deepkit.validation import InputError

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / "tests" / "data" / "mnist_subset.npz"
NOISE_LINES = (
    "All log messages before absl::InitializeLog()",
    "cudart_stub.cc",
    "Could not find cuda drivers",
    "cpu_feature_guard",
    "failed call to cuInit",
)

# (recipe module, run() keywords, argument the error must name)
BAD_RUNS = [
    ("mnist", {"epochs": 0}, "epochs"),
    ("mnist", {"epochs": "3"}, "epochs"),
    ("mnist", {"patience": -1}, "patience"),
    ("mnist", {"validation_split": 1.5}, "validation_split"),
    ("mnist", {"seed": -1}, "seed"),
    ("mnist", {"strategy": "bogus"}, "strategy"),
    ("mnist", {"plot": "{missing}/wrong.png"}, "plot"),
    ("mnist", {"save": "{missing}/model.keras"}, "save"),
    ("mnist", {"checkpoint_dir": "{file}/checkpoints"}, "checkpoint_dir"),
    ("mnist", {"cpu_replicas": 0}, "cpu_replicas"),
    ("cnn", {"dropout": 1.5}, "dropout"),
    ("cnn", {"plot": "{tmp}/wrong.txt"}, "plot"),
    ("rnn", {"cell": "bogus"}, "cell"),
    ("rnn", {"units": 0}, "units"),
    ("rnn", {"patience": -1}, "patience"),
    ("rnn", {"seed": 1.5}, "seed"),
    ("transfer", {"save_dir": "{file}"}, "save_dir"),
    ("transfer", {"seed": -1}, "seed"),
    ("timeseries", {"plot": "{missing}/f.png"}, "plot"),
    ("timeseries", {"horizon": 0}, "horizon"),
    ("timeseries", {"seed": -1}, "seed"),
    ("gan", {"learning_rate": 0}, "learning_rate"),
    ("gan", {"label_smoothing": 1.0}, "label_smoothing"),
    ("gan", {"plot": "{file}"}, "plot"),
    ("gan", {"save": "{missing}/gan.keras"}, "save"),
    ("gan", {"measure_every": -1}, "measure_every"),
    ("t1", {"seed": -1}, "seed"),
    ("t1", {"n_samples": 5}, "n_samples"),
    ("t2", {"learning_rate": "1"}, "learning_rate"),
    ("t2", {"learning_rate": 1e308}, "learning_rate"),  # x 10 overflows
    ("t2", {"test_size": 1.5}, "test_size"),
    ("t2", {"seed": -1}, "seed"),
    ("t3", {"seed": -1}, "seed"),
    ("finetune", {"seed": -1}, "seed"),
    ("finetune", {"learning_rate": 0}, "learning_rate"),
    ("finetune", {"validation_split": 1.0}, "validation fraction"),
]
BAD_COMMANDS = [
    ["run", "mnist", "--epochs", "0"],
    ["run", "mnist", "--patience", "-1"],
    ["run", "cnn", "--plot", "{missing}/wrong.png"],
    ["run", "rnn", "--dropout", "1.5"],
    ["run", "timeseries", "--plot", "{missing}/f.png"],
    ["run", "gan", "--learning-rate", "0"],
    ["run", "transfer", "--save-dir", "{file}"],
]

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


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    """Every bad case, run in one fresh interpreter; its findings by case."""
    tmp = tmp_path_factory.mktemp("edges")
    places = {"tmp": str(tmp), "missing": str(tmp / "missing"), "file": str(tmp / "a_file")}
    (tmp / "a_file").write_text("not a folder")
    runs = [[name, {k: _fill(v, places) for k, v in kw.items()}] for name, kw, _ in BAD_RUNS]
    commands = [[_fill(a, places) for a in argv] for argv in BAD_COMMANDS]
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


class TestChecksBeforeWork:
    @pytest.mark.parametrize("index", range(len(BAD_RUNS)), ids=lambda i: "-".join(
        [BAD_RUNS[i][0], *BAD_RUNS[i][1]]))  # fmt: skip
    def test_bad_argument_fails_before_tensorflow_or_data_load(self, probed, index):
        _, _, argument = BAD_RUNS[index]
        error, data_loaded, tensorflow_loaded = probed["runs"][index]
        assert error is not None and error[0] == "InputError", error
        assert argument in error[1]
        assert not data_loaded and not tensorflow_loaded

    @pytest.mark.parametrize("index", range(len(BAD_COMMANDS)), ids=lambda i: "-".join(
        BAD_COMMANDS[i][1:3]))  # fmt: skip
    def test_bad_option_is_one_line_before_tensorflow(self, probed, index):
        code, stderr, data_loaded, tensorflow_loaded = probed["commands"][index]
        assert code == 2
        assert stderr.startswith("deepkit: error: ") and stderr.count("\n") == 1, stderr
        assert cli.LOADING not in stderr
        assert not data_loaded and not tensorflow_loaded

    def test_numpy_integers_are_accepted_like_ints(self):
        from deepkit.recipes import t1

        train, validation, test = t1.tutorial_split(
            np.zeros((40, 28, 28), "uint8"), np.zeros(40, "uint8"), np.int64(20), seed=0
        )
        assert len(train[0]) + len(validation[0]) + len(test[0]) == 20


# builder -> (module, function, arguments besides the seed)
BUILDERS = {
    "mnist_mlp": ("dense", "mnist_mlp", ()),
    "mnist_cnn": ("convolutional", "mnist_cnn", ()),
    "rnn_classifier": ("rnn", "rnn_classifier", ("lstm", 4, 5, 3, 2)),
    "rnn_forecaster": ("rnn", "rnn_forecaster", ("gru", 4, 5, 1, 2)),
    "build_gan": ("gan", "build_gan", ()),
    "RBM": ("rbm", "RBM", (6, 3)),
}


class TestBuildersCheckSeed:
    @pytest.mark.parametrize("seed", [-1, 1.5, "3"])
    @pytest.mark.parametrize("builder", BUILDERS)
    def test_builder_refuses_a_bad_seed_as_run_does(self, builder, seed):
        module, function, arguments = BUILDERS[builder]
        build = getattr(importlib.import_module(f"deepkit.models.{module}"), function)
        with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
            build(*arguments, seed=seed)


def _main(argv, capsys):
    """``deepkit ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


class TestCommandLineEdges:
    @pytest.mark.parametrize(
        "argv",
        [["--version", "x"], ["-h", "x"], ["list", "churn"], ["run", "t3", "extra"],
         ["run", "t2", "--bogus", "1"], ["bench", "reference", "extra"]],
    )  # fmt: skip
    def test_unknown_extra_arguments_are_refused(self, argv, capsys):
        code, out, err = _main(argv, capsys)
        assert code == 2 and out == ""
        assert "error:" in err

    def test_version_works(self, capsys):
        assert _main(["--version"], capsys)[:2] == (0, "deepkit 0.1.0\n")

    def test_a_text_file_given_as_npz_is_one_line_without_pickle_advice(self, tmp_path, capsys):
        text = tmp_path / "digits.npz"
        text.write_text("label,pixel0\n5,0\n")
        code, _, err = _main(["run", "t1", "--epochs", "1", "--path", str(text)], capsys)
        assert code == 2
        assert err == (
            f"deepkit: error: {text} is not an .npz file (it starts with b'labe'); Keras's "
            "MNIST is a zip archive of the .npy arrays ['x_train', 'y_train', 'x_test', 'y_test']\n"
        )


# `deepkit run t3` (the recipe imports TensorFlow and runs Keras), then the lines deepkit filtered.
RUN_T3 = """
import sys
from deepkit import _quiet_tensorflow, cli
code = cli.main(["run", "t3"])
print("dropped:", len(_quiet_tensorflow._state["dropped"]), file=sys.stderr)
sys.exit(code)
"""


class TestTensorFlowNoise:
    def test_cli_output_has_no_cuda_or_absl_lines(self):
        env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
        done = subprocess.run(
            [sys.executable, "-c", RUN_T3], capture_output=True, text=True, env=env, timeout=180
        )
        assert done.returncode == 0, done.stderr
        assert "graph dg/dz" in done.stdout  # the recipe ran, TensorFlow included
        assert done.stderr.count(cli.LOADING) == 1
        assert [line for line in NOISE_LINES if line in done.stdout + done.stderr] == []
        if done.stderr.endswith("dropped: 0\n"):
            pytest.skip("TensorFlow printed none of the noise lines on this machine")

    def test_filter_drops_only_the_known_lines(self, capfd):
        noise = (
            b"WARNING: All log messages before absl::InitializeLog() is called are written to"
            b" STDERR\nI0000 00:00:1795478027.182548   21527 cudart_stub.cc:31] Could not find"
            b" cuda drivers on your machine, GPU will not be used.\nE0000 00:00:1795478032.26664"
            b"7   21527 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n"
        )
        real = b"E0000 00:00:1795478032.266647   21527 some_op.cc:7] a real error\n"
        with _quiet_tensorflow.filtered_stderr():
            os.write(2, noise + real + b"Traceback (most recent call last):\n")
        assert capfd.readouterr().err == (real + b"Traceback (most recent call last):\n").decode()

    @pytest.mark.parametrize("level", [None, "0"])
    def test_a_log_level_the_user_set_is_respected(self, level):
        env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
        env.update({} if level is None else {"TF_CPP_MIN_LOG_LEVEL": level})
        code = "import os, deepkit; print(os.environ['TF_CPP_MIN_LOG_LEVEL'])"
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        assert done.stdout.strip() == (level or "2")


class TestProgress:
    def test_t2_shows_the_twins_progress_when_asked(self, capsys):
        from deepkit.recipes import t2

        t2.run(epochs=2, verbose=0)
        assert capsys.readouterr().out == ""
        t2.run(epochs=2, verbose=2)
        assert len(re.findall(r"Epoch \d+/\d+", capsys.readouterr().out)) == 20 + 2

    def test_timeseries_shows_the_lstms_progress_when_asked(self, capsys):
        from deepkit.recipes import timeseries

        values = 300 + np.sin(np.arange(60) * 2 * np.pi / 12) + 0.1 * np.arange(60)
        timeseries.run(series="co2", horizon=3, window=4, units=2, epochs=2, values=values, verbose=2)
        assert len(re.findall(r"Epoch \d+/2", capsys.readouterr().out)) == 2

    def test_mnist_shows_keras_progress_when_asked(self, capsys):
        from deepkit.recipes import mnist

        mnist.run(config="t1", limit=600, epochs=1, path=SUBSET, verbose=2)
        assert re.search(r"\d+/\d+ - .* - accuracy: .* - val_accuracy: ", capsys.readouterr().out)
