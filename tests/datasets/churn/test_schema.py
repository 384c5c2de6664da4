"""The churn data's schema (``deepkit.datasets.churn.schema``): every failing column is named
with its rows, and the shipped data lies inside the declared ranges."""

import pandas as pd
import pytest

from deepkit.datasets import load_churn
from deepkit.datasets.churn import CHURN_COLUMNS
from deepkit.datasets.churn.schema import RANGES, check_frame
from deepkit.validation import InputError

SHIPPED_CSV = "/work/shared/data/Churn_Modelling.csv"


@pytest.fixture(scope="module")
def table():
    """The shipped churn data."""
    return load_churn()


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
