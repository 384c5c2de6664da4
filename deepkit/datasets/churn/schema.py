"""The churn table's schema, declared once with pandera: each column's type and valid range.

The ranges come from the domain (and the shipped 10,000 rows lie inside them):

    CreditScore      300 .. 900   credit scores run 300-850 (FICO); shipped 350-850
    Age               18 .. 100   adult bank customers; shipped 18-92
    Tenure             0 .. 82    whole years with the bank, at most 100 - 18; shipped 0-10
    NumOfProducts      1 .. 10    a customer holds at least one product; shipped 1-4
    Balance, EstimatedSalary  >= 0
    HasCrCard, IsActiveMember, Exited in {0, 1}; Geography, Gender one of their categories

``check_frame`` validates lazily (every failure collected) and raises one ``InputError`` naming
the column, row and value of the first failure of each column. Scoring uses the same schema: an impossible value
(a negative age) cannot be scored; values inside it but outside the training data's range are
flagged by ``ChurnPreprocessor.outside_training_range``.
"""

import numpy as np
import pandas as pd

from deepkit.validation import InputError

GEOGRAPHIES = ("France", "Germany", "Spain")
GENDERS = ("Female", "Male")
# column -> (low, high) of the valid range, None for no bound; whole numbers unless in REALS
RANGES = {
    "RowNumber": (0, None),
    "CustomerId": (0, None),
    "CreditScore": (300, 900),
    "Age": (18, 100),
    "Tenure": (0, 82),
    "Balance": (0, None),
    "NumOfProducts": (1, 10),
    "HasCrCard": (0, 1),
    "IsActiveMember": (0, 1),
    "EstimatedSalary": (0, None),
    "Exited": (0, 1),
}
REALS = ("Balance", "EstimatedSalary")
FLAGS = ("HasCrCard", "IsActiveMember", "Exited")
CATEGORIES = {"Geography": GEOGRAPHIES, "Gender": GENDERS}
SHOWN_FAILURES = 3  # how many more rows of a failing column a message lists
NUMBERS = (int, float, np.number)


def _is_number(values, allow_bool=False):
    """True where a cell is a real number (a bool counts only if ``allow_bool``)."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return pd.Series(allow_bool or not pd.api.types.is_bool_dtype(values), index=values.index)
    return values.map(
        lambda v: allow_bool if isinstance(v, (bool, np.bool_)) else isinstance(v, NUMBERS)
    ).astype(bool)


def _numeric(values):
    """The cells as floats, NaN where a cell is not a number (the ``number`` check's failures)."""
    return pd.to_numeric(values.where(_is_number(values, True)), errors="coerce").astype(float)


def _parsable(values):
    """True where a cell is a number, or text that reads as one ("42", not "forty")."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return pd.Series(True, index=values.index)
    as_text = values.where(~_is_number(values, True)).astype(str)
    return _is_number(values, True) | pd.to_numeric(as_text, errors="coerce").notna()


def _finite(values):
    return ~np.isinf(_numeric(values))


def _whole(values):
    numbers = _numeric(values)
    return ~(np.isfinite(numbers) & (numbers % 1 != 0))


def _inside(low, high):
    def inside(values):
        numbers = _numeric(values)
        return ~(np.isfinite(numbers) & ((numbers < low) | (numbers > high)))

    return inside


def _is_text(values):
    if pd.api.types.is_string_dtype(values) and not values.isna().any():
        return pd.Series(True, index=values.index)
    return values.map(lambda v: isinstance(v, str)).astype(bool)


def _checks(column):
    """The pandera checks of ``column``, in order. Each error is a template of ``row`` and
    ``value``; a check passes the cells an earlier one failed (one message per bad cell)."""
    import pandera.pandas as pa

    has = "; row {row} has {value}"
    if column not in RANGES:
        checks = [pa.Check(_is_text, name="text", error="must hold text" + has)]
        if column in CATEGORIES:
            allowed = CATEGORIES[column]
            checks.append(
                pa.Check(
                    lambda values: ~_is_text(values) | values.isin(allowed),
                    name="category",
                    error="has unknown value {value} at row {row} "
                    f"(expected one of {', '.join(allowed)})",
                )
            )
        return checks
    low, high = RANGES[column]
    checks = [
        # text that is not a number even as text ("forty") first, then numbers held as text ("42")
        pa.Check(_parsable, name="number", error="must be numeric" + has),
        pa.Check(
            lambda values: _is_number(values, allow_bool=column in FLAGS) | ~_parsable(values),
            name="number type",
            error="must be numeric" + has,
        ),
        pa.Check(_finite, name="finite", error="must be finite" + has),
    ]
    if column not in REALS:
        checks.append(pa.Check(_whole, name="whole", error="must hold whole numbers" + has))
    if column in FLAGS:
        valid = "must be 0 or 1"
    else:
        valid = f"must be >= {low}" if high is None else f"must be between {low} and {high}"
    inside = _inside(low, np.inf if high is None else high)
    return [*checks, pa.Check(inside, name="range", error=valid + has)]


def schema(columns):
    """The pandera ``DataFrameSchema`` of some columns of the churn table.

    Args:
        columns: names of the churn table's columns.

    Returns:
        A ``pandera.DataFrameSchema``.
    """
    import pandera.pandas as pa

    return pa.DataFrameSchema(
        {column: pa.Column(checks=_checks(column), nullable=False) for column in columns}
    )


def check_frame(frame, columns):
    """Validate ``frame[columns]`` against the schema, all failures collected (pandera's lazy mode).

    Args:
        frame: a DataFrame holding at least ``columns``.
        columns: names of the churn table's columns to check.

    Raises:
        InputError: one message naming each failing column with its first row and value.
    """
    import pandera.pandas as pa

    try:
        schema(columns).validate(frame.loc[:, list(columns)], lazy=True)
    except pa.errors.SchemaErrors as errors:
        raise InputError(_describe(errors.failure_cases, list(columns))) from None


def _describe(failures, columns):
    """One line from pandera's failure cases (whose ``check`` is the check's error template):
    per failing column, in column order, its first failing check (a missing value first;
    later checks may fail on the same cells) with its first row and how many more."""
    failures = failures.assign(
        _column=failures["column"].map(columns.index),
        _check=failures["check_number"].fillna(-1).astype(float),
    ).sort_values(["_column", "_check", "index"], kind="stable")
    first = failures.groupby("_column")["_check"].transform("min")
    parts = []
    for _, cases in failures[failures["_check"] == first].groupby("_column", sort=True):
        case, row = cases.iloc[0], _show(cases.iloc[0]["index"])
        if case["check"] == "not_nullable":
            message = f"has a missing value (NaN) at row {row}"
        else:
            message = case["check"].format(row=row, value=_show(case["failure_case"]))
        more = list(cases["index"][1 : 1 + SHOWN_FAILURES])
        if len(cases) > 1:
            rows = ", ".join(map(_show, more)) + (", ..." if len(cases) > 1 + len(more) else "")
            message += f" (and {len(cases) - 1} more: row {rows})"
        parts.append(f"column {case['column']!r} {message}")
    return "; ".join(parts)


def _show(value):
    """``repr`` of a cell, with NumPy scalars and whole floats of int columns shown plainly."""
    return repr(value.item() if isinstance(value, np.generic) else value)
