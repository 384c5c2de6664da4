"""The bank churn table of tutorial T3: 10,000 customers, 14 columns, target ``Exited``.

The table ships inside the package (``deepkit/data/Churn_Modelling.csv.gz``) and
its sha256 is checked on every load, so the main job runs offline. User tables
with the same schema load through the same validation, which names the column
and the offending value and row of the first problem it finds.
"""

import gzip
import hashlib
import io
import zlib
from importlib import resources

import pandas as pd

from deepkit.datasets.churn_schema import GENDERS, GEOGRAPHIES, check_frame
from deepkit.validation import InputError

__all__ = [
    "CHURN_COLUMNS",
    "FEATURE_COLUMNS",
    "GENDERS",
    "GEOGRAPHIES",
    "TARGET",
    "load_churn",
    "load_customers",
]

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

SHA256 = "ee2a5c9d8daf3aed0d91c4d883a84ebb77d271447bebc0f0c80aafb0f288ceab"


def load_churn(path=None, features_only=False):
    """Return the churn table as a DataFrame of 14 columns (``CHURN_COLUMNS``).

    Without ``path``, the shipped copy (10,000 rows) is read and its sha256 is
    checked. With ``path``, a CSV (optionally gzipped) with the same schema is
    read and validated by ``validate_churn_frame``; any problem is one
    ``InputError`` naming the file. ``features_only=True`` returns only the 10
    ``FEATURE_COLUMNS``, and reads customers to score, which need only those.
    """
    if path is None:
        raw = gzip.decompress(
            resources.files("deepkit").joinpath("data/Churn_Modelling.csv.gz").read_bytes()
        )
        return validate_churn_frame(
            pd.read_csv(io.BytesIO(_verified(raw))), features_only=features_only
        )
    return _validated(read_csv(path), path, features_only)


def load_customers(path):
    """``(ids, features)`` of the customers to score in the CSV at ``path``: their
    ``CustomerId`` column if present (else a ``row`` Series of the row numbers that
    error messages use) and the 10 validated ``FEATURE_COLUMNS``."""
    frame = read_csv(path)
    features = _validated(frame, path, features_only=True)
    if "CustomerId" in frame.columns:
        return frame["CustomerId"], features
    return pd.Series(frame.index, index=frame.index, name="row"), features


def read_csv(path):
    """The CSV at ``path`` as read by pandas; an unreadable file is one ``InputError``
    naming it and the problem (encoding, CSV syntax, empty, corrupt gzip)."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        problem = f"the file is empty (expected a header with columns {', '.join(CHURN_COLUMNS)})"
    except UnicodeDecodeError as error:
        problem = (
            f"not UTF-8 text ({error.reason}: byte {error.object[error.start]:#04x} at "
            f"position {error.start}); save it as a UTF-8 CSV"
        )
    except pd.errors.ParserError as error:
        problem = f"not a readable CSV ({str(error).strip().splitlines()[-1]})"
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        problem = f"corrupt or truncated compressed file ({error})"
    raise InputError(f"{path}: {problem}")


def _validated(frame, path, features_only):
    try:
        return validate_churn_frame(frame, features_only=features_only)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def validate_churn_frame(frame, features_only=False):
    """Check a churn frame and return it with its columns in the documented order.

    With ``features_only=False`` the frame must have exactly ``CHURN_COLUMNS``;
    with ``features_only=True`` it must have the 10 ``FEATURE_COLUMNS`` and may
    also carry the identifier and target columns, which are dropped. Raises
    ``InputError`` naming the column and the first offending value and row for:
    missing or unknown columns, no rows, and everything ``churn_schema`` checks
    (missing values, non-numbers, fractions, values outside the valid ranges,
    unknown categories).
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
    check_frame(frame, required)
    return frame.loc[:, list(required)]


def _verified(raw):
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise InputError(
            f"the shipped churn data is corrupted: sha256 {digest}, expected {SHA256}; reinstall deepkit"
        )
    return raw
