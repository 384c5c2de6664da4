import gzip
import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from deepkit.datasets import CHURN_COLUMNS, load_churn, validate_churn_frame
from deepkit.datasets.churn import loading as churn_data
from deepkit.validation import InputError


@pytest.fixture(scope="module")
def churn():
    return load_churn()


def test_shipped_table_is_the_real_churn_data(churn):
    assert churn.shape == (10_000, 14)
    assert tuple(churn.columns) == CHURN_COLUMNS
    assert int(churn["Exited"].sum()) == 2037
    assert churn.loc[0, "Surname"] == "Hargrave" and churn.loc[0, "CreditScore"] == 619
    assert sorted(churn["Geography"].unique()) == ["France", "Germany", "Spain"]


def test_corrupted_shipped_copy_fails_the_checksum(monkeypatch):
    raw = gzip.decompress(
        resources.files("deepkit").joinpath("data/Churn_Modelling.csv.gz").read_bytes()
    )
    corrupted = raw.replace(b"Hargrave", b"Hargrove", 1)
    monkeypatch.setattr(churn_data.gzip, "decompress", lambda _: corrupted)
    with pytest.raises(ValueError, match="corrupted: sha256"):
        load_churn()


def test_user_csv_with_the_same_schema_loads(churn, tmp_path):
    path = tmp_path / "mine.csv"
    churn.head(50).to_csv(path, index=False)
    mine = load_churn(path)
    pd.testing.assert_frame_equal(mine, churn.head(50), check_dtype=False)


def test_features_only_returns_the_ten_feature_columns(churn, tmp_path):
    shipped = load_churn(features_only=True)
    assert list(shipped.columns) == list(CHURN_COLUMNS[3:13]) and len(shipped) == 10_000
    pd.testing.assert_frame_equal(shipped, churn.loc[:, list(CHURN_COLUMNS[3:13])])
    path = tmp_path / "mine.csv"
    churn.head(5).to_csv(path, index=False)
    assert list(load_churn(path, features_only=True).columns) == list(CHURN_COLUMNS[3:13])


def _write(frame, tmp_path):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "corrupt, message",
    [
        (lambda f: f.drop(columns="Age"), "missing column.*Age"),
        (lambda f: f.assign(Income=1), "unknown column.*Income"),
        (
            lambda f: f.assign(Age=f["Age"].astype(object).where(f.index != 3, "forty")),
            "'Age' must be numeric; row 3 has 'forty'",
        ),
        (
            lambda f: f.assign(Balance=f["Balance"].where(f.index != 7)),
            "'Balance' has a missing value.*row 7",
        ),
        (
            lambda f: f.assign(Geography=f["Geography"].where(f.index != 4, "Italy")),
            "'Geography' has unknown value 'Italy' at row 4",
        ),
        (
            lambda f: f.assign(Gender=f["Gender"].where(f.index != 2, "F")),
            "'Gender' has unknown value 'F' at row 2",
        ),
        (
            lambda f: f.assign(Tenure=f["Tenure"].astype(float).where(f.index != 5, 2.5)),
            "'Tenure' must hold whole numbers; row 5 has 2.5",
        ),
        (
            lambda f: f.assign(HasCrCard=f["HasCrCard"].where(f.index != 6, 2)),
            "'HasCrCard' must be 0 or 1; row 6",
        ),
        (lambda f: f.iloc[:0], "no rows"),
    ],
)
def test_bad_user_csv_names_the_problem(churn, tmp_path, corrupt, message):
    with pytest.raises(ValueError, match=message):
        load_churn(_write(corrupt(churn.head(20).copy()), tmp_path))


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ValueError, match="empty"):
        load_churn(path)


def test_feature_frames_are_validated_by_the_same_code(churn):
    features = validate_churn_frame(
        churn.drop(columns=["RowNumber", "CustomerId", "Surname", "Exited"]), features_only=True
    )
    assert list(features.columns) == list(CHURN_COLUMNS[3:13])
    # the full table is accepted too, reduced to the features
    assert list(validate_churn_frame(churn, features_only=True).columns) == list(
        CHURN_COLUMNS[3:13]
    )
    with pytest.raises(ValueError, match="missing column.*Exited"):
        validate_churn_frame(features)
    bad = features.head(3).assign(Age=[40.0, np.inf, 30.0])
    with pytest.raises(ValueError, match="'Age' must be finite; row 1"):
        validate_churn_frame(bad, features_only=True)
    with pytest.raises(TypeError, match="DataFrame"):
        validate_churn_frame(features.to_numpy(), features_only=True)


def test_a_corrupt_or_truncated_gzip_names_the_file(churn, tmp_path):
    raw = gzip.compress(churn.head(50).to_csv(index=False).encode())
    cases = {  # a truncated gzip (EOFError inside pandas) and a file that is not gzip at all
        "truncated.csv.gz": raw[: len(raw) // 2],
        "plain.csv.gz": b"not gzip at all",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ValueError, match=f"{name}: corrupt or truncated compressed file"):
            load_churn(tmp_path / name)


def test_user_csv_errors_name_the_file(churn, tmp_path):
    path = _write(churn.head(20).assign(Age=17), tmp_path)
    with pytest.raises(ValueError) as refused:
        load_churn(path)
    assert str(refused.value) == (
        f"{path}: column 'Age' must be between 18 and 100; row 0 has 17 (and 19 more: row 1, 2, 3, ...)"
    )


# Header problems are named as the user wrote them, not as pandas renamed them.


def test_a_column_named_twice_is_named_not_mangled(churn, tmp_path):
    table = churn.head(5).copy()
    table.columns = [c if c != "Tenure" else "Age" for c in table.columns]
    path = tmp_path / "twice.csv"
    table.to_csv(path, index=False)
    with pytest.raises(InputError) as refused:
        load_churn(path)
    assert str(refused.value) == f"{path}: column Age appears twice in the header"
    extra = churn.head(5).assign(Extra=1).rename(columns={"Extra": "Balance"})
    with pytest.raises(InputError, match="column Balance appears twice"):
        validate_churn_frame(extra)  # a DataFrame may hold the same name twice too


@pytest.mark.parametrize(
    "sep, called", [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")]
)
def test_another_delimiter_is_detected_and_named(churn, tmp_path, sep, called):
    path = tmp_path / "other.csv"
    churn.head(5).to_csv(path, index=False, sep=sep)
    start = repr(f"RowNumber{sep}CustomerId")[:-1]  # the header as it shows, quoted
    message = f"{path}: the header is separated by {called} ({sep!r}), not commas: {start}"
    with pytest.raises(InputError, match=re.escape(message)):
        load_churn(path)


def test_a_near_miss_in_the_header_is_suggested(churn, tmp_path):
    path = tmp_path / "space.csv"
    churn.head(5).rename(columns={"Age": " Age", "Gender": "gender"}).to_csv(path, index=False)
    with pytest.raises(InputError) as refused:
        load_churn(path)
    assert str(refused.value) == (
        f"{path}: missing column(s): Gender, Age (the table has 'gender': did you mean "
        "'Gender'?; the table has ' Age': did you mean 'Age'?)"
    )
    with pytest.raises(InputError, match=r"missing column\(s\): Age$"):
        load_churn(_write(churn.head(5).drop(columns="Age"), tmp_path))  # no near miss: no hint


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_bad_byte_is_placed_in_the_file_not_in_pandas_chunk(churn, tmp_path, suffix):
    """pandas decodes in chunks of 256 KiB: a bad byte past the first chunk used to be
    reported at its position inside its chunk."""
    raw = churn.to_csv(index=False).encode()
    position = raw.index(b"\n", 600_000) + 3
    raw = raw[:position] + b"\xe4" + raw[position + 1 :]
    path = tmp_path / f"latin{suffix}"
    path.write_bytes(gzip.compress(raw) if suffix.endswith(".gz") else raw)
    line = raw[:position].count(b"\n") + 1
    message = f"byte 0xe4 at position {position} of the file, line {line}); save it as a UTF-8 CSV"
    with pytest.raises(InputError, match=re.escape(message)):
        load_churn(path)


def test_an_unreadable_csv_is_one_line_naming_it(churn, tmp_path):
    latin = tmp_path / "latin.csv"
    churn.head(5).to_csv(latin, index=False, encoding="latin-1")
    latin.write_bytes(latin.read_bytes().replace(b"Hargrave", b"H\xe4rgrave"))
    no_gender = tmp_path / "no_gender.csv"
    churn.head(5).drop(columns="Gender").to_csv(no_gender, index=False)
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
