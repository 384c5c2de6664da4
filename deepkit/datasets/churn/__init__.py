"""The bank churn table of tutorial T3 and its preprocessing.

- ``loading``: the table (shipped inside the package, or a user's CSV), validated.
- ``features``: T3's 11 features and the scikit-learn pipeline that makes them.
- ``preprocessing``: ``ChurnPreprocessor``, that pipeline fitted on a training split and
  saved as JSON (``from deepkit.datasets.churn.preprocessing import ChurnPreprocessor``;
  not imported here, so that loading a table does not import scikit-learn).
"""

from deepkit.datasets.churn.loading import (
    CHURN_COLUMNS,
    FEATURE_COLUMNS,
    GENDERS,
    GEOGRAPHIES,
    TARGET,
    load_churn,
    load_customers,
    validate_churn_frame,
)

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
