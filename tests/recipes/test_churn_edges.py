"""The churn recipe at its edges: plausible ranges, degenerate data, corrupt bundle
files, checks before work, and the predict table. Every bad input gets one InputError naming
what is wrong, before any training; nothing prints NaN; nothing is scored silently."""

import argparse
import json
import os
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from deepkit.datasets import load_churn
from deepkit.datasets.churn import CHURN_COLUMNS
from deepkit.datasets.churn_schema import RANGES, check_frame
from deepkit.preprocessing import ChurnPreprocessor
from deepkit.recipes import churn
from deepkit.validation import InputError

SHIPPED_CSV = "/work/shared/data/Churn_Modelling.csv"


@pytest.fixture(scope="module")
def table():
    return load_churn()


@pytest.fixture(scope="module")
def bundle_dir(table, tmp_path_factory):
    """An untrained tutorial net with a preprocessor fitted on 2,000 rows, saved as a bundle
    (these tests check the edges, not the model: no training needed)."""
    bundle = churn.ChurnBundle(
        churn.build("tutorial", seed=0), ChurnPreprocessor().fit(table[:2000])
    )
    directory = tmp_path_factory.mktemp("edges") / "bundle"
    bundle.save(directory)
    return directory


@pytest.fixture(scope="module")
def bundle(bundle_dir):
    return churn.load(bundle_dir)


def _no_work(monkeypatch):
    """Make any step after loading the data fail the test: checks must come first."""

    def work(*args, **kwargs):
        raise AssertionError("work started before the input was refused")

    for step in ("split", "preprocess", "train", "set_seed"):
        monkeypatch.setattr(churn.recipe, step, work)


# 1. Plausible ranges, declared once -------------------------------------------------------------

TRAINING_OUT_OF_RANGE = [  # (column, value, message): 9 cases
    ("Age", -5, "column 'Age' must be between 18 and 100; row 3 has -5"),
    ("CreditScore", 99999, "column 'CreditScore' must be between 300 and 900; row 3 has 99999"),
    ("Age", 1e9, "column 'Age' must be between 18 and 100; row 3 has 1000000000.0"),
    ("Tenure", 83, "column 'Tenure' must be between 0 and 82; row 3 has 83"),
    ("NumOfProducts", 0, "column 'NumOfProducts' must be between 1 and 10; row 3 has 0"),
    ("Balance", -1e7, "column 'Balance' must be >= 0; row 3 has -10000000.0"),
    ("EstimatedSalary", -1.5, "column 'EstimatedSalary' must be >= 0; row 3 has -1.5"),
    ("IsActiveMember", 2, "column 'IsActiveMember' must be 0 or 1; row 3 has 2"),
    ("CustomerId", -7, "column 'CustomerId' must be >= 0; row 3 has -7"),
]


@pytest.mark.parametrize("column, value, message", TRAINING_OUT_OF_RANGE)
def test_training_data_out_of_range_is_refused_before_any_work(
    table, tmp_path, monkeypatch, column, value, message
):
    bad = table.head(200).copy()
    bad[column] = bad[column].astype(float if isinstance(value, float) else int)
    bad.loc[3, column] = value
    bad.to_csv(tmp_path / "bad.csv", index=False)
    _no_work(monkeypatch)
    with pytest.raises(InputError, match=re.escape(f"bad.csv: {message}")):
        churn.run(path=tmp_path / "bad.csv", epochs=1)


def test_every_failing_column_is_named_with_its_rows(table):
    bad = table.head(30).copy()
    bad.loc[[3, 5, 9, 11, 20], "Age"] = -5
    bad.loc[7, "CreditScore"] = 99999
    with pytest.raises(InputError) as refused:
        check_frame(bad, CHURN_COLUMNS)
    assert str(refused.value) == (
        "column 'CreditScore' must be between 300 and 900; row 7 has 99999; "
        "column 'Age' must be between 18 and 100; row 3 has -5 (and 4 more: row 5, 9, 11, ...)"
    )


def test_the_shipped_data_lies_inside_the_declared_ranges(table):
    shipped = pd.read_csv(SHIPPED_CSV)
    check_frame(shipped, CHURN_COLUMNS)  # raises if any cell is outside
    for column, (low, high) in RANGES.items():
        assert shipped[column].min() >= low and (high is None or shipped[column].max() <= high)
    pd.testing.assert_frame_equal(shipped, table, check_dtype=False)


SCORING_IMPOSSIBLE = [  # 4 cases
    ({"Age": -40}, "column 'Age' must be between 18 and 100; row 0 has -40"),
    ({"Age": 1e9}, "column 'Age' must be between 18 and 100; row 0 has 1000000000.0"),
    ({"Balance": -1e7}, "column 'Balance' must be >= 0; row 0 has -10000000.0"),
    ({"CreditScore": 99999}, "column 'CreditScore' must be between 300 and 900; row 0 has 99999"),
]


@pytest.mark.parametrize("change, message", SCORING_IMPOSSIBLE)
def test_impossible_values_are_refused_at_scoring(bundle, change, message):
    with pytest.raises(InputError, match=re.escape(message)):
        bundle.predict_proba({**churn.NEW_CUSTOMER, **change})


def test_values_outside_the_training_range_are_flagged_never_silent(bundle, table):
    trained = table[:2000]
    oldest, richest = int(trained["Age"].max()), float(trained["Balance"].max())
    customers = [
        churn.NEW_CUSTOMER,
        {**churn.NEW_CUSTOMER, "Age": oldest + 1},
        {**churn.NEW_CUSTOMER, "Balance": richest * 2, "NumOfProducts": 7},
    ]
    with pytest.warns(churn.OutsideTrainingRangeWarning, match="2 of 3 customer") as caught:
        probabilities = bundle.predict_proba(customers)
    assert f"row 1: Age {oldest + 1} (trained on 18..{oldest})" in str(caught[0].message)
    scored = bundle.score_table(customers)
    np.testing.assert_array_equal(scored["probability"], probabilities)
    assert scored["flags"][0] == ""
    assert (
        scored["flags"][2].startswith("Balance ")
        and "NumOfProducts 7 (trained on 1..4)" in (scored["flags"][2])
    )
    # the stored ranges are the training split's own
    state = ChurnPreprocessor().fit(trained).to_dict()
    assert state["training_max"][state["ranged_columns"].index("Age")] == oldest
    assert state["training_min"][state["ranged_columns"].index("NumOfProducts")] == 1


def test_a_bundle_from_before_the_ranges_is_refused_clearly(bundle_dir, tmp_path):
    state = json.loads((bundle_dir / "preprocessor.json").read_text())
    old = {
        k: v
        for k, v in state.items()
        if k not in ("ranged_columns", "training_min", "training_max")
    }
    old["format"] = "deepkit.ChurnPreprocessor/1"
    (tmp_path / "preprocessor.json").write_text(json.dumps(old))
    with pytest.raises(
        InputError, match="older deepkit.*retrain and save with deepkit run churn --save"
    ):
        ChurnPreprocessor.load(tmp_path / "preprocessor.json")


# 2. Degenerate data never becomes a result ------------------------------------------------------

DEGENERATE = [  # (rows, change, run options, message): 6 cases
    (3, {}, {}, "test_size 0.2 of 3 rows leaves 1 row(s) in the test split; it needs at least 10"),
    (
        None,
        {},
        {"test_size": 0.0001},
        "test_size 0.0001 of 10000 rows leaves 1 row(s) in the test split",
    ),
    (300, {"Exited": 0}, {}, "column 'Exited' of the data holds only 0 (every customer stays)"),
    (
        300,
        {"Exited": 1},
        {},
        "holds only 1 (every customer leaves): a classifier needs both classes",
    ),
    (40, {}, {}, "test_size 0.2 of 40 rows leaves 8 row(s) in the test split"),
    (60, {}, {"config": "tuned"}, "leaves 7 row(s) in the validation split; it needs at least 10"),
]


@pytest.mark.parametrize("rows, change, options, message", DEGENERATE)
def test_degenerate_data_is_refused_before_training(
    table, tmp_path, monkeypatch, rows, change, options, message
):
    monkeypatch.setattr(churn.recipe, "train", lambda *a, **k: pytest.fail("training started"))
    path = None
    if rows is not None:
        path = tmp_path / "small.csv"
        table.head(rows).assign(**change).to_csv(path, index=False)
    with pytest.raises(InputError, match=re.escape(message)):
        churn.run(path=path, epochs=1, **options)


def test_a_split_that_leaves_a_class_out_of_the_test_split_is_refused(table):
    # 200 customers of whom one leaves: some seed puts that one customer in the training split
    frame = table[table["Exited"] == 0].head(199)
    frame = pd.concat([frame, table[table["Exited"] == 1].head(1)])
    with pytest.raises(InputError, match="leaves no customer who leaves in the test split"):
        for seed in range(20):
            churn.split(frame, 0.2, seed)


def test_diverged_training_is_an_error_not_a_figure(table, tmp_path):
    table.head(300).to_csv(tmp_path / "small.csv", index=False)
    diverging = {**churn.CONFIGS["tutorial"], "units": (6, 1), "learning_rate": 1e308}
    with pytest.raises(InputError, match="training diverged at epoch 1.*lower the learning rate"):
        churn.run(network=diverging, epochs=1, batch_size=60, path=tmp_path / "small.csv")


def test_no_nan_figure_ever(bundle):
    with pytest.raises(
        InputError, match="not finite.*training diverged; try a lower learning rate"
    ):
        churn.classification_metrics(np.array([0.0, 1.0]), np.array([0.2, np.nan]))
    with pytest.raises(InputError, match="ROC AUC needs customers of both classes"):
        churn.classification_metrics(np.zeros(5), np.linspace(0.1, 0.9, 5))


def test_a_zero_scale_preprocessor_is_refused_and_a_constant_column_is_guarded(table, bundle_dir):
    state = json.loads((bundle_dir / "preprocessor.json").read_text())
    scale = list(state["scale"])
    scale[4] = 0.0  # Age: would divide by zero, every probability NaN
    with pytest.raises(
        InputError, match=re.escape("scale of Age is 0.0: scales must be > 0 (they divide)")
    ):
        ChurnPreprocessor.from_dict({**state, "scale": scale})
    # fitting on a constant column gives scale 1 (as StandardScaler does): finite features
    constant = ChurnPreprocessor().fit(table.head(100).assign(Tenure=3))
    assert constant.to_dict()["scale"][5] == 1.0
    assert np.all(np.isfinite(constant.transform(table.head(100))))


# 3. Corrupt files: one line naming the file and the problem ------------------------------------


def _bundle_copy(bundle_dir, tmp_path, **files):
    directory = tmp_path / "copy"
    directory.mkdir(parents=True)
    for name in ("model.keras", "preprocessor.json"):
        (directory / name).write_bytes(files.get(name, (bundle_dir / name).read_bytes()))
    return directory


def _with_key(bundle_dir, key, value=None, drop=False):
    state = json.loads((bundle_dir / "preprocessor.json").read_text())
    if drop:
        del state[key]
    else:
        state[key] = value
    return json.dumps(state).encode()


CORRUPT_PREPROCESSOR = [  # (key, value, drop, message): 5 cases
    ("mean", None, True, "preprocessor.json: missing key(s): mean"),
    ("scale", ["1"] * 11, False, "preprocessor.json: scale must be a list of 11 finite numbers"),
    ("var", "lots", False, "preprocessor.json: var must be a list of 11 finite numbers"),
    ("training_max", [1.0] * 3, False, "preprocessor.json: training_max must be a list of 8"),
    ("n_samples_seen", "many", False, "preprocessor.json: n_samples_seen must be an int >= 1"),
]


@pytest.mark.parametrize("key, value, drop, message", CORRUPT_PREPROCESSOR)
def test_a_corrupt_preprocessor_json_is_one_line_naming_it(
    bundle_dir, tmp_path, key, value, drop, message
):
    directory = _bundle_copy(
        bundle_dir, tmp_path, **{"preprocessor.json": _with_key(bundle_dir, key, value, drop)}
    )
    with pytest.raises(InputError, match=re.escape(message)):
        churn.load(directory)


def test_a_corrupt_or_mismatched_model_keras_is_one_line_naming_it(bundle_dir, tmp_path):
    import keras

    model = (bundle_dir / "model.keras").read_bytes()
    with zipfile.ZipFile(bundle_dir / "model.keras") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    unknown_class = tmp_path / "unknown.keras"
    with zipfile.ZipFile(unknown_class, "w") as archive:
        for name, data in parts.items():
            archive.writestr(
                name, b'{"class_name": "Nope", "config": {}}' if name == "config.json" else data
            )
    narrow = tmp_path / "narrow.keras"
    keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)]).save(narrow)
    cases = {  # 3 cases
        model[
            : len(model) // 2
        ]: "model.keras: not a .keras model file (it is not a zip archive: truncated?)",
        unknown_class.read_bytes(): "model.keras: corrupt .keras file (Could not locate class 'Nope'",
        narrow.read_bytes(): "model.keras: the model's input shape is (None, 5), but preprocessor.json makes 11",
    }
    for data, message in cases.items():
        directory = _bundle_copy(bundle_dir, tmp_path / str(len(data)), **{"model.keras": data})
        with pytest.raises(InputError, match=re.escape(message)) as refused:
            churn.load(directory)
        assert "\n" not in str(refused.value) and "File not found" not in str(refused.value)


def test_an_unreadable_csv_is_one_line_naming_it(table, tmp_path):
    latin = tmp_path / "latin.csv"
    table.head(5).to_csv(latin, index=False, encoding="latin-1")
    latin.write_bytes(latin.read_bytes().replace(b"Hargrave", b"H\xe4rgrave"))
    no_gender = tmp_path / "no_gender.csv"
    table.head(5).drop(columns="Gender").to_csv(no_gender, index=False)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("CreditScore,Age\n600,40\n700,30,5,6\n")
    cases = {  # 3 cases
        latin: "latin.csv: not UTF-8 text (invalid continuation byte: byte 0xe4 at position",
        no_gender: "no_gender.csv: missing column(s): Gender",
        ragged: "ragged.csv: not a readable CSV (",
    }
    for path, message in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            load_churn(path)


# 4. Checks before work, one message style -------------------------------------------------------


def test_wrong_types_get_the_same_message_as_wrong_values(monkeypatch):
    _no_work(monkeypatch)
    cases = {  # 6 cases
        "test_size must be a number > 0.0 and < 1.0, got '0.2'": {"test_size": "0.2"},
        "test_size must be a number > 0.0 and < 1.0, got 1.5": {"test_size": 1.5},
        "epochs must be an int >= 1, got '3'": {"epochs": "3"},
        "batch_size must be an int >= 1, got 0": {"batch_size": 0},
        "seed must be an int >= 0 and <= 4294967295, got -1": {"seed": -1},
        "seed must be an int >= 0 and <= 4294967295, got 1.5": {"seed": 1.5},
    }
    for message, arguments in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            churn.run(**arguments)


def test_build_validates_seed_as_run_does():
    for seed in (-1, "0", 2.0):  # 3 cases
        with pytest.raises(InputError, match=re.escape(f"seed must be an int >= 0 and <= 4294967295, got {seed!r}")):
            churn.build("tutorial", seed=seed)
    assert churn.build("tutorial", seed=np.int64(3)).count_params() == 121


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


# 5. The predict table ---------------------------------------------------------------------------


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
