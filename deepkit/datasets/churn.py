"""The bank churn table of tutorial T3: 10,000 customers, 14 columns, target ``Exited``.

The table ships inside the package (``deepkit/data/Churn_Modelling.csv.gz``) and
its sha256 is checked on every load, so the main job runs offline. User tables
with the same schema load through the same validation, which names the column
and the offending value and row of the first problem it finds.
"""

import gzip
import hashlib
import io
from importlib import resources

import numpy as np
import pandas as pd

from deepkit.reference.validation import InputError

CHURN_COLUMNS = (
    "RowNumber",
    "CustomerId",
    "Surname",
    "CreditScore",
    "Geography",
    "Gender",
    "Age",
    "Tenure",
    "Balance",
    "NumOfProducts",
    "HasCrCard",
    "IsActiveMember",
    "EstimatedSalary",
    "Exited",
)
FEATURE_COLUMNS = CHURN_COLUMNS[3:13]  # CreditScore .. EstimatedSalary, T3's columns 3..12
TARGET = "Exited"
GEOGRAPHIES = ("France", "Germany", "Spain")
GENDERS = ("Female", "Male")
SHA256 = "ee2a5c9d8daf3aed0d91c4d883a84ebb77d271447bebc0f0c80aafb0f288ceab"

# column -> kind: "int" (whole numbers), "float", "binary" (0 or 1), "text", or allowed categories
_KINDS = {
    "RowNumber": "int",
    "CustomerId": "int",
    "Surname": "text",
    "CreditScore": "int",
    "Geography": GEOGRAPHIES,
    "Gender": GENDERS,
    "Age": "int",
    "Tenure": "int",
    "Balance": "float",
    "NumOfProducts": "int",
    "HasCrCard": "binary",
    "IsActiveMember": "binary",
    "EstimatedSalary": "float",
    "Exited": "binary",
}


def load_churn(path=None, features_only=False):
    """Return the churn table as a DataFrame of 14 columns (``CHURN_COLUMNS``).

    Without ``path``, the shipped copy (10,000 rows) is read and its sha256 is
    checked. With ``path``, a CSV (optionally gzipped) with the same schema is
    read and validated by ``validate_churn_frame``. ``features_only=True``
    returns only the 10 ``FEATURE_COLUMNS``, and reads customers to score,
    which need only those.
    """
    if path is None:
        raw = gzip.decompress(
            resources.files("deepkit").joinpath("data/Churn_Modelling.csv.gz").read_bytes()
        )
        return validate_churn_frame(
            pd.read_csv(io.BytesIO(_verified(raw))), features_only=features_only
        )
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise InputError(
            f"{path}: the file is empty (expected a header with columns {', '.join(CHURN_COLUMNS)})"
        ) from None
    return validate_churn_frame(frame, features_only=features_only)


def validate_churn_frame(frame, features_only=False):
    """Check a churn frame and return it with its columns in the documented order.

    With ``features_only=False`` the frame must have exactly ``CHURN_COLUMNS``;
    with ``features_only=True`` it must have the 10 ``FEATURE_COLUMNS`` and may
    also carry the identifier and target columns, which are dropped. Raises
    ``ValueError`` naming the column and the first offending value and row for:
    missing or unknown columns, no rows, missing values (NaN), non-numeric or
    fractional numbers, binary columns outside {0, 1}, unknown categories.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    required = FEATURE_COLUMNS if features_only else CHURN_COLUMNS
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputError(f"missing column(s): {', '.join(missing)}")
    unknown = [c for c in frame.columns if c not in CHURN_COLUMNS]
    if unknown:
        raise InputError(
            f"unknown column(s): {', '.join(map(str, unknown))} (expected {', '.join(required)})"
        )
    if len(frame) == 0:
        raise InputError("the table has no rows")
    for column in required:
        _check_column(frame[column], column, _KINDS[column])
    return frame.loc[:, list(required)]


def _verified(raw):
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise InputError(
            f"the shipped churn data is corrupted: sha256 {digest}, expected {SHA256}; reinstall deepkit"
        )
    return raw


def _check_column(values, column, kind):
    nan = values.isna()
    if nan.any():
        raise InputError(f"column {column!r} has a missing value (NaN) at row {nan.idxmax()!r}")
    if kind == "text" or isinstance(kind, tuple):
        not_text = ~values.map(lambda v: isinstance(v, str))
        if not_text.any():
            row = not_text.idxmax()
            raise InputError(
                f"column {column!r} must hold text; row {row!r} has {_show(values[row])}"
            )
        if isinstance(kind, tuple):
            unknown = ~values.isin(kind)
            if unknown.any():
                row = unknown.idxmax()
                raise InputError(
                    f"column {column!r} has unknown value {_show(values[row])} at row {row!r} "
                    f"(expected one of {', '.join(kind)})"
                )
        return
    allowed = (int, float, np.number, np.bool_) if kind == "binary" else (int, float, np.number)
    rejected = () if kind == "binary" else (bool, np.bool_)
    is_number = values.map(lambda v: isinstance(v, allowed) and not isinstance(v, rejected))
    if not is_number.all():
        # point at a value that is not a number even as text ("forty", not "42")
        unparsable = ~is_number & pd.to_numeric(values.astype(str), errors="coerce").isna()
        row = (unparsable if unparsable.any() else ~is_number).idxmax()
        raise InputError(f"column {column!r} must be numeric; row {row!r} has {_show(values[row])}")
    numbers = values.astype(float)
    infinite = ~np.isfinite(numbers)
    if infinite.any():
        row = infinite.idxmax()
        raise InputError(f"column {column!r} must be finite; row {row!r} has {_show(values[row])}")
    if kind in ("int", "binary"):
        fractional = numbers % 1 != 0
        if fractional.any():
            row = fractional.idxmax()
            raise InputError(
                f"column {column!r} must hold whole numbers; row {row!r} has {_show(values[row])}"
            )
    if kind == "binary":
        outside = ~numbers.isin((0.0, 1.0))
        if outside.any():
            row = outside.idxmax()
            raise InputError(
                f"column {column!r} must be 0 or 1; row {row!r} has {_show(values[row])}"
            )


def _show(value):
    """``repr`` of a cell, with NumPy scalars shown as plain Python numbers."""
    return repr(value.item() if isinstance(value, np.generic) else value)
