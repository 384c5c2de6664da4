"""``deepkit run churn`` and ``deepkit predict churn`` (``deepkit.recipes.churn.cli``):
conflicting options and unwritable folders refused before any work, the search budget
passed to ``tune``, and the predict table (ids, decisions, flags; written atomically,
never over an input; a model with code refused unless ``--unsafe``)."""

import argparse
import os
import re

import numpy as np
import pandas as pd
import pytest

from deepkit.recipes import churn
from deepkit.validation import InputError


def test_cli_refuses_conflicting_options_before_any_work(capsys, tmp_path):
    import argparse

    parser = argparse.ArgumentParser(prog="deepkit run churn")
    churn.add_arguments(parser)
    with pytest.raises(SystemExit) as done:  # argparse's mutually exclusive group
        parser.parse_args(["--compare", "--tune"])
    assert done.value.code == 2
    assert "argument --tune: not allowed with argument --compare" in capsys.readouterr().err
    refused = {
        ("--tune", "--engine", "numpy", "--config", "tuned"): (
            "--compare and --tune take only --seed, --quiet and the search's "
            "--trials, --max-epochs, --search-dir, not --config, --engine"
        ),
        ("--trials", "5"): "--trials go with --tune or --compare",
        ("--compare", "--max-epochs", "0"): "--max-epochs must be an int >= 1, got 0",
        ("--tune", "--search-dir", str(tmp_path / "file.txt")): "exists and is not a directory",
        ("--both-engines", "--test-size", "0.3", "--config", "tuned"): (
            "--both-engines runs the tutorial config on the shipped data's 0.2 test split; "
            "drop --config, --test-size"
        ),
        ("--save", str(tmp_path / "file.txt")): "exists and is not a directory",
    }
    (tmp_path / "file.txt").write_text("not a bundle")
    for argv, message in refused.items():
        with pytest.raises(ValueError, match=re.escape(message)):
            churn.cli.refuse_conflicts(parser.parse_args(argv))
    for argv in (
        [],
        ["--compare", "--seed", "3", "--quiet"],
        ["--tune", "--trials", "3", "--max-epochs", "2", "--search-dir", str(tmp_path / "s")],
        ["--both-engines", "--epochs", "2"],
    ):
        churn.cli.refuse_conflicts(parser.parse_args(argv))  # nothing to refuse


def test_cli_passes_the_search_budget_to_tune(monkeypatch, tmp_path):
    import argparse

    parser = argparse.ArgumentParser(prog="deepkit run churn")
    churn.add_arguments(parser)
    received = {}

    class Report:
        def report(self):
            return "searched"

    def fake_tune(seed, **budget):
        received.update(budget, seed=seed)
        return Report()

    monkeypatch.setattr(churn.cli, "tune", fake_tune)
    argv = ["--tune", "--seed", "4", "--trials", "3", "--max-epochs", "7", "--quiet"]
    churn.main(parser.parse_args([*argv, "--search-dir", str(tmp_path)]))
    assert received == {
        "seed": 4,
        "max_trials": 3,
        "max_epochs": 7,
        "directory": str(tmp_path),
        "verbose": 0,
    }


def _run_args(*argv):
    parser = argparse.ArgumentParser(prog="deepkit run churn")
    churn.add_arguments(parser)
    return parser.parse_args(argv)


def test_save_directory_is_checked_writable_before_training(tmp_path, monkeypatch):
    monkeypatch.setattr(churn.cli, "run", lambda **kwargs: pytest.fail("training started"))
    (tmp_path / "file.txt").write_text("x")
    cases = {  # 2 cases
        str(tmp_path / "file.txt"): "exists and is not a directory",
        str(tmp_path / "file.txt" / "bundle"): "cannot write there (Not a directory)",
    }
    for save, message in cases.items():
        with pytest.raises(InputError, match=re.escape(f"--save {save}: {message}")):
            churn.main(_run_args("--save", save, "--epochs", "1"))
    churn.cli.refuse_conflicts(_run_args("--save", str(tmp_path / "new" / "bundle")))
    assert (tmp_path / "new" / "bundle").is_dir() and not list(
        (tmp_path / "new" / "bundle").iterdir()
    )


def _predict_args(*argv):
    parser = argparse.ArgumentParser(prog="deepkit predict churn")
    churn.add_predict_arguments(parser)
    return parser.parse_args([str(a) for a in argv])


def test_predict_prints_a_table_with_ids_decisions_and_flags(
    bundle, bundle_dir, table, tmp_path, capsys
):
    customers = table.head(4).drop(columns="Exited")
    customers.loc[2, "Age"] = int(table[:2000]["Age"].max()) + 1
    customers.to_csv(tmp_path / "customers.csv", index=False)
    out = tmp_path / "scored.csv"
    assert (
        churn.predict_main(
            _predict_args(bundle_dir, "--input", tmp_path / "customers.csv", "--out", out)
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "CustomerId",
        "probability",
        "decision",
        "outside",
        "training",
        "range",
    ]
    with pytest.warns(churn.OutsideTrainingRangeWarning):
        expected = bundle.predict_proba(customers)
    for line, customer_id, probability in zip(lines[2:6], customers["CustomerId"], expected):
        cells = line.split()
        assert int(cells[0]) == customer_id and float(cells[1]) == pytest.approx(
            probability, abs=1e-6
        )
        assert cells[2] == ("leaves" if probability > 0.5 else "stays")
    assert "Age" in lines[4] and lines[3].endswith("-")
    assert "1 of 4 customer(s) outside the training range" in lines[6]
    written = pd.read_csv(out, keep_default_na=False)
    assert list(written.columns) == ["CustomerId", "probability", "decision", "flags"]
    np.testing.assert_allclose(written["probability"], expected, atol=1e-6)
    assert written["flags"][2].startswith("Age ") and written["flags"][0] == ""


def test_predict_without_ids_numbers_the_rows_and_checks_out_first(
    bundle_dir, table, tmp_path, capsys
):
    table.head(3).iloc[:, 3:13].to_csv(tmp_path / "plain.csv", index=False)
    churn.predict_main(_predict_args(bundle_dir, "--csv", tmp_path / "plain.csv"))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "row" and [line.split()[0] for line in lines[2:5]] == [
        "0",
        "1",
        "2",
    ]
    for out, message in (  # 2 cases
        (tmp_path / "missing" / "x.csv", "no such directory"),
        (tmp_path, "is a directory, expected a file name"),
    ):
        with pytest.raises(InputError, match=re.escape(f"--out {out}: {message}")):
            churn.predict_main(
                _predict_args(tmp_path / "no-bundle", "--input", "nowhere.csv", "--out", out)
            )


def test_predict_refuses_a_bundle_model_with_code_unless_unsafe(
    bundle_dir, table, tmp_path, capsys
):
    import shutil

    import keras

    trusted = tmp_path / "trusted"
    shutil.copytree(bundle_dir, trusted)
    width = churn.load(bundle_dir).model.inputs[0].shape[1]
    keras.Sequential(
        [
            keras.Input((width,)),
            keras.layers.Lambda(lambda x: x * 0.0),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    ).save(trusted / "model.keras")
    table.head(2).drop(columns="Exited").to_csv(tmp_path / "two.csv", index=False)
    arguments = ("--input", tmp_path / "two.csv")
    with pytest.raises(InputError, match="model.keras: refused: .*Lambda.*--unsafe"):
        churn.predict_main(_predict_args(trusted, *arguments))
    assert churn.predict_main(_predict_args(trusted, *arguments, "--unsafe")) == 0
    rows = capsys.readouterr().out.splitlines()[2:4]
    assert [float(row.split()[1]) for row in rows] == [0.5, 0.5]  # sigmoid(0): the Lambda ran


def test_predict_refuses_to_write_its_scores_over_an_input(table, tmp_path, monkeypatch):
    monkeypatch.setattr(churn.cli, "load_customers", lambda path: pytest.fail("work started"))
    monkeypatch.setattr(churn.cli, "load", lambda *a, **k: pytest.fail("work started"))
    bundle_dir = tmp_path / "bundle"  # refused before the bundle is read: any files will do
    bundle_dir.mkdir()
    (bundle_dir / "model.keras").write_bytes(b"a model")
    customers = tmp_path / "customers.csv"
    table.head(3).drop(columns="Exited").to_csv(customers, index=False)
    before = customers.read_bytes()
    (tmp_path / "sub").mkdir()
    os.link(customers, tmp_path / "hard.csv")
    (tmp_path / "soft.csv").symlink_to(customers)
    monkeypatch.chdir(tmp_path)
    cases = {  # 6 cases: the same name, another spelling, a hard and a soft link, the bundle
        customers: "the --input CSV",
        "customers.csv": "the --input CSV",
        tmp_path / "sub" / ".." / "customers.csv": "the --input CSV",
        tmp_path / "hard.csv": "the --input CSV",
        tmp_path / "soft.csv": "the --input CSV",
        bundle_dir / "model.keras": "the bundle's model.keras",
    }
    for out, what in cases.items():
        with pytest.raises(InputError, match=re.escape(f"--out {out}: is {what}")):
            churn.predict_main(_predict_args(bundle_dir, "--input", customers, "--out", out))
    assert customers.read_bytes() == before
    assert (bundle_dir / "model.keras").read_bytes() == b"a model"


def test_predict_writes_out_atomically(bundle_dir, table, tmp_path, monkeypatch, capsys):
    customers = tmp_path / "customers.csv"
    table.head(3).drop(columns="Exited").to_csv(customers, index=False)
    out = tmp_path / "scores.csv"
    out.write_text("earlier scores\n")
    arguments = _predict_args(bundle_dir, "--input", customers, "--out", out)
    write = pd.DataFrame.to_csv

    def crash_halfway(self, path, **options):
        with open(path, "w") as stream:
            stream.write("CustomerId,proba")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", crash_halfway)
    with pytest.raises(OSError, match="No space left on device"):
        churn.predict_main(arguments)
    assert out.read_text() == "earlier scores\n"  # never half a table
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.csv", "scores.csv"]
    monkeypatch.setattr(pd.DataFrame, "to_csv", write)
    steps = []

    def spy(name):
        real = getattr(os, name)
        return lambda *args: steps.append(name) or real(*args)

    for name in ("fsync", "replace"):
        monkeypatch.setattr(os, name, spy(name))
    assert churn.predict_main(arguments) == 0
    assert steps[:2] == ["fsync", "replace"]  # on disk before it takes the name
    assert list(pd.read_csv(out).columns) == ["CustomerId", "probability", "decision", "flags"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.csv", "scores.csv"]
