"""The bank churn table of tutorial T3: 10,000 customers, 14 columns, target ``Exited``.

The table ships inside the package (``deepkit/data/Churn_Modelling.csv.gz``) and
its sha256 is checked on every load, so the main job runs offline. User tables
with the same schema load through the same validation, which names the column
and the offending value and row of the first problem it finds.
"""

import bz2
import codecs
import difflib
import gzip
import hashlib
import io
import lzma
import zlib
from collections import Counter
from importlib import resources

import pandas as pd

from deepkit.datasets.churn.schema import GENDERS, GEOGRAPHIES, check_frame
from deepkit.validation import InputError

__all__ = [
    "CHURN_COLUMNS",
    "FEATURE_COLUMNS",
    "GENDERS",
    "GEOGRAPHIES",
    "TARGET",
    "load_churn",
    "load_customers",
    "validate_churn_frame",
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
    read and validated by ``validate_churn_frame``.

    Args:
        path: a CSV file with the same schema, or ``None`` for the shipped copy.
        features_only: return only the 10 ``FEATURE_COLUMNS`` (customers to score
            need only those).

    Returns:
        A DataFrame, its columns in the documented order.

    Raises:
        InputError: one line naming the file and the problem (a missing column, a
            value out of range, not UTF-8, a corrupt or changed shipped copy...).

    Example:

    ```python
    frame = deepkit.datasets.load_churn()
    frame.shape  # (10000, 14)
    ```
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
    """The customers to score in a CSV file.

    Args:
        path: a CSV file with at least the 10 ``FEATURE_COLUMNS``.

    Returns:
        ``(ids, features)``: their ``CustomerId`` column if present (else a ``row``
        Series of the row numbers that error messages use), and the 10 validated
        ``FEATURE_COLUMNS``.

    Raises:
        InputError: naming the file and the problem.
    """
    frame = read_csv(path)
    features = _validated(frame, path, features_only=True)
    if "CustomerId" in frame.columns:
        return frame["CustomerId"], features
    return pd.Series(frame.index, index=frame.index, name="row"), features


def read_csv(path):
    """The CSV at ``path`` as read by pandas, after checking its header.

    Args:
        path: a CSV file (optionally compressed, as pandas infers from the name).

    Returns:
        A DataFrame.

    Raises:
        InputError: naming the file and the problem: not UTF-8 (with the byte's
            position in the file and its line), CSV syntax, empty, a corrupt
            compressed file, a column named twice in the header, or a header
            separated by another delimiter than commas.
    """
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        problem = f"the file is empty (expected a header with columns {', '.join(CHURN_COLUMNS)})"
    except UnicodeDecodeError as error:
        # pandas decodes the file in chunks: error.start is a position in one chunk,
        # so the file is scanned again to name the byte where it really is.
        problem = f"not UTF-8 text ({_first_bad_utf8(path, error)}); save it as a UTF-8 CSV"
    except pd.errors.ParserError as error:
        problem = f"not a readable CSV ({str(error).strip().splitlines()[-1]})"
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        problem = f"corrupt or truncated compressed file ({error})"
    else:
        problem = _header_problem(path, frame)
        if problem is None:
            return frame
    raise InputError(f"{path}: {problem}")


OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


def _header_problem(path, frame):
    """What is wrong with the header of the CSV at ``path`` (read as ``frame``), or None:
    a column named twice (pandas would rename the second ``Age`` to ``Age.1``), or a
    header whose names are separated by another delimiter than commas."""
    cells = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False)
    names = [str(cell) for cell in cells.iloc[0]] if len(cells) else list(map(str, frame.columns))
    twice = [name for name, count in Counter(names).items() if count > 1]
    if twice:
        return "; ".join(_appears(name, names.count(name)) for name in twice)
    known = set(CHURN_COLUMNS)
    found = sum(name.strip() in known for name in names)
    line = ",".join(names)
    for delimiter, called in OTHER_DELIMITERS.items():
        split = [cell.strip().strip('"') for cell in line.split(delimiter)]
        if sum(cell in known for cell in split) > max(found, 1):
            return (
                f"the header is separated by {called} ({delimiter!r}), not commas: "
                f"{line[:60]!r}{'...' if len(line) > 60 else ''}; save the file as "
                "comma-separated CSV"
            )
    return None


def _appears(name, count):
    times = "twice" if count == 2 else f"{count} times"
    return f"column {name} appears {times} in the header"


DECOMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


def _first_bad_utf8(path, error):
    """``error``'s reason with the offending byte's position in the (decompressed) file
    and its line, found by decoding the file again incrementally; without the position
    when the file cannot be scanned (an archive pandas opened itself)."""
    suffix = str(path)[str(path).rfind(".") :].lower() if "." in str(path) else ""
    opener = DECOMPRESSORS.get(suffix, open if suffix not in (".zip", ".zst", ".tar") else None)
    byte = error.object[error.start]
    if opener is None:
        return f"{error.reason}: byte {byte:#04x}"
    decoder = codecs.getincrementaldecoder("utf-8")()
    consumed, lines = 0, 1
    with opener(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as found:
                # found.object is the pending bytes followed by this chunk
                position = consumed - pending + found.start
                lines += found.object[: found.start].count(b"\n")
                return (
                    f"{found.reason}: byte {found.object[found.start]:#04x} at position "
                    f"{position} of the file, line {lines}"
                )
            lines += chunk.count(b"\n")
            consumed += len(chunk)
        pending = decoder.getstate()[0]
        if pending:  # the file ends inside a character
            return (
                f"unexpected end of data: byte {pending[0]:#04x} at position "
                f"{consumed - len(pending)} of the file, line {lines}"
            )
    return f"{error.reason}: byte {byte:#04x}"


def _validated(frame, path, features_only):
    try:
        return validate_churn_frame(frame, features_only=features_only)
    except InputError as error:
        raise InputError(f"{path}: {error}") from None


def validate_churn_frame(frame, features_only=False):
    """Check a churn frame and return it with its columns in the documented order.

    Args:
        frame: a pandas DataFrame.
        features_only: with False the frame must have exactly ``CHURN_COLUMNS``;
            with True it must have the 10 ``FEATURE_COLUMNS`` and may also carry
            the identifier and target columns, which are dropped.

    Returns:
        The frame's required columns, in the documented order.

    Raises:
        TypeError: if ``frame`` is not a DataFrame.
        InputError: naming the column and the first offending value and row for:
            a column named twice, missing columns (with the near misses found,
            e.g. ``' Age'`` for ``'Age'``), unknown columns, no rows, and
            everything ``schema`` checks (missing values, non-numbers,
            fractions, values outside the valid ranges, unknown categories).
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    columns = list(frame.columns)
    twice = [c for c, count in Counter(columns).items() if count > 1]
    if twice:
        raise InputError("; ".join(_appears(c, columns.count(c)) for c in twice))
    required = FEATURE_COLUMNS if features_only else CHURN_COLUMNS
    missing = [c for c in required if c not in frame.columns]
    unknown = [c for c in frame.columns if c not in CHURN_COLUMNS]
    if missing:
        hints = _near_misses(missing, unknown)
        raise InputError(f"missing column(s): {', '.join(missing)}{hints}")
    if unknown:
        raise InputError(
            f"unknown column(s): {', '.join(map(str, unknown))} (expected {', '.join(required)})"
        )
    if len(frame) == 0:
        raise InputError("the table has no rows")
    check_frame(frame, required)
    return frame.loc[:, list(required)]


def _near_misses(missing, unknown):
    """`` (the table has ' Age': did you mean 'Age'?)`` for each unknown column that is
    close to a missing one (a stray space, another case, a typo); ``""`` for none."""
    hints = []
    names = {str(c): c for c in unknown}
    normal = {name.strip().lower(): name for name in names}
    for column in missing:
        close = difflib.get_close_matches(column.lower(), list(normal), n=1, cutoff=0.75)
        if close:
            found = normal.pop(close[0])
            hints.append(f"the table has {found!r}: did you mean {column!r}?")
    return f" ({'; '.join(hints)})" if hints else ""


def _verified(raw):
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise InputError(
            f"the shipped churn data is corrupted: sha256 {digest}, expected {SHA256}; reinstall deepkit"
        )
    return raw
