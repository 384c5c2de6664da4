"""The ``deepkit`` command: its commands run in this process through ``cli.main`` (what the
console script calls), except where the installed script and ``python -m deepkit`` are the
point."""

import contextlib
import io
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from deepkit import cli
from deepkit.datasets import load_churn

_SCRIPT = Path(sys.executable).with_name("deepkit")
DEEPKIT = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "deepkit.cli"]


def deepkit(*args):
    """``deepkit ARGS`` in this process: its exit status and what it printed on each stream."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main([str(a) for a in args])
        except SystemExit as exit:  # argparse's own refusals
            status = exit.code
    return types.SimpleNamespace(returncode=status, stdout=out.getvalue(), stderr=err.getvalue())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    directory = tmp_path_factory.mktemp("cli") / "bundle"
    done = deepkit("run", "churn", "--epochs", 2, "--quiet", "--save", directory)
    assert done.returncode == 0, done.stderr
    return directory, done.stdout


def test_list_names_the_recipes():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([*DEEPKIT, "list"], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0
    assert "churn" in done.stdout and "Bank churn" in done.stdout


def test_run_prints_the_results_table_and_saves(bundle):
    directory, stdout = bundle
    for line in (
        "test accuracy",
        "baseline (always stays)",
        "ROC AUC",
        "confusion matrix",
        "T3's new customer leaves",
        "epochs trained            2 of 2, batch 10",
        "seconds",
    ):
        assert line in stdout
    assert sorted(p.name for p in directory.iterdir()) == [
        "model.keras",
        "preprocessor.json",
        "result.json",
    ]


def test_predict_prints_one_probability_per_row(bundle, tmp_path):
    from deepkit.recipes import churn

    directory, _ = bundle
    customers = load_churn().head(7)
    customers.drop(columns=["Exited"]).to_csv(tmp_path / "customers.csv", index=False)
    done = deepkit("predict", "churn", directory, "--csv", tmp_path / "customers.csv")
    assert done.returncode == 0, done.stderr
    header, rule, *rows = done.stdout.splitlines()
    assert header.split()[:3] == ["CustomerId", "probability", "decision"]
    assert [row.split()[0] for row in rows] == [str(i) for i in customers["CustomerId"]]
    printed = np.array([float(row.split()[1]) for row in rows])
    np.testing.assert_allclose(printed, churn.load(directory).predict_proba(customers), atol=1e-6)
    assert printed.shape == (7,)


def test_bad_input_prints_one_line_and_exits_2(tmp_path):
    bad = load_churn().head(10)
    bad.loc[3, "Geography"] = "Italy"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    done = deepkit("run", "churn", "--path", tmp_path / "bad.csv")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"deepkit: error: {tmp_path / 'bad.csv'}: column 'Geography' has unknown value 'Italy' "
        "at row 3 (expected one of France, Germany, Spain)"
    ]
    assert done.stdout == ""


def test_predict_without_a_bundle_is_a_clear_error(tmp_path):
    load_churn().head(3).to_csv(tmp_path / "customers.csv", index=False)
    done = deepkit("predict", "churn", tmp_path, "--csv", tmp_path / "customers.csv")
    assert done.returncode == 2
    assert done.stderr.startswith("deepkit: error: ") and "no model.keras" in done.stderr
    assert "Traceback" not in done.stderr


def test_options_a_mode_would_ignore_are_refused():
    done = deepkit("run", "churn", "--compare", "--epochs", 3)
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        == "deepkit: error: --compare and --tune take only --seed, --quiet and the search's "
        "--trials, --max-epochs, --search-dir, not --epochs"
    )


@pytest.mark.parametrize("mode", [["--compare"], ["--tune"], ["--both-engines"]])
def test_test_size_is_refused_where_it_would_be_ignored(mode):
    done = deepkit("run", "churn", *mode, "--test-size", 0.3)
    assert done.returncode == 2
    assert done.stderr.startswith("deepkit: error: ") and "--test-size" in done.stderr
    assert done.stdout == ""


def test_python_m_deepkit_is_the_deepkit_command():
    done = subprocess.run(
        [sys.executable, "-m", "deepkit", "--version"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip().startswith("deepkit 0.")
    done = subprocess.run(
        [sys.executable, "-m", "deepkit", "run", "t2", "--epochs", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "deepkit: error: epochs must be an int >= 1, got 0"


def test_a_bug_keeps_its_traceback_while_bad_input_is_one_line(monkeypatch):
    from deepkit import cli
    from deepkit.recipes import t2

    def broken(settings, verbose=0):
        return np.ones(3) + np.ones(2)  # a NumPy ValueError: deepkit's bug, not the user's

    monkeypatch.setattr(t2, "run", broken)
    with pytest.raises(ValueError, match="could not be broadcast"):
        cli.main(["run", "t2"])

    def refuses(settings, verbose=0):
        raise cli.InputError("learning_rate must be positive, got -1")

    monkeypatch.setattr(t2, "run", refuses)
    assert cli.main(["run", "t2"]) == 2


def test_list_refuses_arguments_it_would_ignore():
    from deepkit import cli

    with pytest.raises(SystemExit) as stopped:
        cli.main(["list", "churn"])
    assert stopped.value.code == 2


def test_a_bad_recipe_option_is_one_line(capsys):
    from deepkit import cli

    assert cli.main(["run", "mnist", "--engine", "torch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "argument --engine: invalid choice: 'torch'" in err


def test_reproduce_is_a_command_and_refuses_bad_options(tmp_path, capsys):
    from deepkit import cli

    assert cli.main(["reproduce", "--render", "--dir", str(tmp_path)]) == 2
    assert "results.json: no results to render" in capsys.readouterr().err
    assert cli.main(["reproduce", "--only", "nothing", "--dir", str(tmp_path)]) == 2
    assert "unknown measurement 'nothing'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["reproduce", "--help"])
    assert "usage: deepkit reproduce [-h] [--quick] [--only NAME]" in capsys.readouterr().out


def recipe_parser(name):
    """The parser ``deepkit run NAME`` builds, and the recipe module."""
    import importlib

    from deepkit import cli

    module = importlib.import_module(f"deepkit.recipes.{name}")
    parser = cli._OneLineParser(prog=f"deepkit run {name}")
    # churn adds its modes (--compare, --tune, --both-engines) around the same declaration
    getattr(module, "add_arguments", module.Settings.add_arguments)(parser)
    return parser, module


GENERATED = [
    "churn",
    "mnist",
    "cnn",
    "rnn",
    "t1",
    "t2",
    "t3",
    "timeseries",
    "dbn",
    "gan",
    "transfer",
]


@pytest.mark.parametrize("name", GENERATED)
def test_every_recipe_command_line_comes_from_the_settings_run_takes(name):
    import dataclasses
    import inspect

    parser, module = recipe_parser(name)
    # run() takes the declaration itself: no setting has a second default in its signature
    parameters = inspect.signature(module.run).parameters
    fields = {f.name for f in dataclasses.fields(module.Settings)}
    assert "settings" in parameters and not fields & set(parameters)
    assert module.Settings.from_args(parser.parse_args([])) == module.Settings()
    actions = {action.dest: action for action in parser._actions}
    for field in dataclasses.fields(module.Settings):
        if field.metadata["cli"]:
            assert actions[field.name].default == field.default
            assert actions[field.name].help.startswith(field.metadata["help"])


def test_every_recipe_help_prints_its_own_options(capsys):
    from deepkit import cli

    with pytest.raises(SystemExit):
        cli.main(["run", "rnn", "--help"])
    printed = capsys.readouterr().out
    assert "--cell {lstm,gru,simple}" in printed and "--quiet" in printed


# Bad command lines, checked in a fresh interpreter (this one has TensorFlow loaded).
BAD_COMMANDS = [
    ["run", "mnist", "--epochs", "0"],
    ["run", "mnist", "--patience", "-1"],
    ["run", "cnn", "--plot", "{missing}/wrong.png"],
    ["run", "rnn", "--dropout", "1.5"],
    ["run", "timeseries", "--plot", "{missing}/f.png"],
    ["run", "gan", "--learning-rate", "0"],
    ["run", "transfer", "--save-dir", "{file}"],
    ["run", "rbm", "--epochs", "0"],
    ["run", "dbn", "--pretrain-epochs", "0"],
]


@pytest.fixture(scope="module")
def probed_commands(probe_before_work):
    """Every bad command line, run in one fresh interpreter; its findings by case."""
    return probe_before_work([], BAD_COMMANDS)


@pytest.mark.parametrize("index", range(len(BAD_COMMANDS)), ids=lambda i: "-".join(
    BAD_COMMANDS[i][1:3]))  # fmt: skip
def test_bad_option_is_one_line_before_tensorflow(probed_commands, index):
    code, stderr, data_loaded, tensorflow_loaded = probed_commands["commands"][index]
    assert code == 2
    assert stderr.startswith("deepkit: error: ") and stderr.count("\n") == 1, stderr
    assert cli.LOADING not in stderr
    assert not data_loaded and not tensorflow_loaded


def _main(argv, capsys):
    """``deepkit ARGV`` in this process: (exit status, stdout, stderr)."""
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "argv",
    [["--version", "x"], ["-h", "x"], ["list", "churn"], ["run", "t3", "extra"],
     ["run", "t2", "--bogus", "1"], ["bench", "reference", "extra"]],
)  # fmt: skip
def test_unknown_extra_arguments_are_refused(argv, capsys):
    code, out, err = _main(argv, capsys)
    assert code == 2 and out == ""
    assert "error:" in err


def test_version_works(capsys):
    assert _main(["--version"], capsys)[:2] == (0, "deepkit 0.1.0\n")


def test_a_text_file_given_as_npz_is_one_line_without_pickle_advice(tmp_path, capsys):
    text = tmp_path / "digits.npz"
    text.write_text("label,pixel0\n5,0\n")
    code, _, err = _main(["run", "t1", "--epochs", "1", "--path", str(text)], capsys)
    assert code == 2
    assert err == (
        f"deepkit: error: {text} is not an .npz file (it starts with b'labe'); Keras's "
        "MNIST is a zip archive of the .npy arrays ['x_train', 'y_train', 'x_test', 'y_test']\n"
    )
