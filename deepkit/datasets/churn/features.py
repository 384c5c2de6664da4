"""T3's 11 features of a customer, and the scikit-learn pipeline that makes them.

From the 10 raw feature columns (CreditScore .. EstimatedSalary) the pipeline makes 11
features, in the order T3's code produces them (``FEATURE_NAMES``):

    Geography_Germany, Geography_Spain   one-hot Geography, France dropped
    CreditScore
    Gender                               label-encoded: Female 0, Male 1
    Age, Tenure, Balance, NumOfProducts, HasCrCard, IsActiveMember, EstimatedSalary

(step ``encode``), then standardizes every feature, ``z = (x - mean) / scale``, with
scikit-learn's ``StandardScaler`` (step ``scale``; a constant feature gets scale 1).
"""

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from deepkit.datasets.churn.loading import FEATURE_COLUMNS
from deepkit.datasets.churn.schema import GENDERS, GEOGRAPHIES

FEATURE_NAMES = (
    "Geography_Germany",
    "Geography_Spain",
    "CreditScore",
    "Gender",
    "Age",
    "Tenure",
    "Balance",
    "NumOfProducts",
    "HasCrCard",
    "IsActiveMember",
    "EstimatedSalary",
)


def feature_pipeline():
    """The unfitted pipeline: the encoders (step ``encode``), then the scaler (``scale``)."""
    encode = ColumnTransformer(
        [
            (
                "geography",
                OneHotEncoder(categories=[list(GEOGRAPHIES)], drop="first", sparse_output=False),
                ["Geography"],
            ),
            ("credit_score", "passthrough", ["CreditScore"]),
            ("gender", OrdinalEncoder(categories=[list(GENDERS)]), ["Gender"]),
            ("numeric", "passthrough", list(FEATURE_COLUMNS[3:])),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("encode", encode), ("scale", StandardScaler())])


def fitted_pipeline(mean, scale, var, n_samples_seen):
    """The pipeline as fitted on a split with these standardization statistics.

    The encoders have fixed categories, so fitting them on one row per category
    reproduces their fitted state; the scaler gets the statistics as they are.

    Args:
        mean: the 11 features' means.
        scale: their scales (standard deviations; 1 for a constant feature).
        var: their variances.
        n_samples_seen: the rows of the split.

    Returns:
        A fitted ``Pipeline``.
    """
    pipeline = feature_pipeline()
    pipeline.named_steps["encode"].fit(_one_row_per_category())
    scaler = pipeline.named_steps["scale"]
    scaler.mean_, scaler.scale_, scaler.var_ = mean, scale, var
    scaler.n_samples_seen_ = n_samples_seen
    scaler.n_features_in_ = len(FEATURE_NAMES)
    return pipeline


def _one_row_per_category():
    rows = max(len(GEOGRAPHIES), len(GENDERS))
    frame = pd.DataFrame(0.0, index=range(rows), columns=list(FEATURE_COLUMNS))
    frame["Geography"] = [GEOGRAPHIES[i % len(GEOGRAPHIES)] for i in range(rows)]
    frame["Gender"] = [GENDERS[i % len(GENDERS)] for i in range(rows)]
    return frame
