"""T3's churn preprocessing, built from scikit-learn parts and saved as plain JSON.

From the 10 raw feature columns (CreditScore .. EstimatedSalary) it makes 11
features, in the order T3's code produces them (``FEATURE_NAMES``):

    Geography_Germany, Geography_Spain   one-hot Geography, France dropped
    CreditScore
    Gender                               label-encoded: Female 0, Male 1
    Age, Tenure, Balance, NumOfProducts, HasCrCard, IsActiveMember, EstimatedSalary

then standardizes every feature, ``z = (x - mean) / scale``, with the means and
scales of the training split only.
"""

import json

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from deepkit.datasets.churn import FEATURE_COLUMNS, GENDERS, GEOGRAPHIES, validate_churn_frame
from deepkit.reference.validation import InputError

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
_FORMAT = "deepkit.ChurnPreprocessor/1"


class ChurnPreprocessor(TransformerMixin, BaseEstimator):
    """Encode and scale churn frames into T3's 11 features.

    ``fit``/``transform`` accept a DataFrame with the 10 feature columns (the
    identifier and target columns may be present and are ignored); every frame
    is validated by ``deepkit.datasets.validate_churn_frame`` before any work.
    """

    def fit(self, frame, y=None):
        frame = validate_churn_frame(frame, features_only=True)
        self.pipeline_ = _pipeline().fit(frame)
        self.n_features_in_ = len(FEATURE_COLUMNS)
        self.feature_names_in_ = np.array(FEATURE_COLUMNS, dtype=object)
        return self

    def transform(self, frame):
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.transform(validate_churn_frame(frame, features_only=True))

    def get_feature_names_out(self, input_features=None):
        """The fitted pipeline's names of its 11 output features (``FEATURE_NAMES``)."""
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.get_feature_names_out()

    def to_dict(self):
        """The fitted state as plain JSON-able data: categories, means and scales."""
        check_is_fitted(self, "pipeline_")
        scaler = self.pipeline_.named_steps["scale"]
        return {
            "format": _FORMAT,
            "geography_categories": list(GEOGRAPHIES),
            "gender_categories": list(GENDERS),
            "feature_names": list(FEATURE_NAMES),
            "mean": scaler.mean_.tolist(),
            "scale": scaler.scale_.tolist(),
            "var": scaler.var_.tolist(),
            "n_samples_seen": int(scaler.n_samples_seen_),
        }

    @classmethod
    def from_dict(cls, state):
        """Rebuild a fitted preprocessor from ``to_dict``'s output."""
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise InputError(f"not a saved ChurnPreprocessor (expected format {_FORMAT!r})")
        if (
            tuple(state["geography_categories"]) != GEOGRAPHIES
            or tuple(state["gender_categories"]) != GENDERS
            or tuple(state["feature_names"]) != FEATURE_NAMES
        ):
            raise InputError(
                "saved preprocessor has different categories or features than this deepkit"
            )
        mean, scale, var = (
            np.asarray(state[k], dtype=np.float64) for k in ("mean", "scale", "var")
        )
        if not mean.shape == scale.shape == var.shape == (len(FEATURE_NAMES),):
            raise InputError(
                f"saved means, scales and variances must each have {len(FEATURE_NAMES)} entries"
            )
        pipeline = _pipeline()
        # The encoders have fixed categories, so fitting them on one row per category
        # reproduces their fitted state; the scaler gets the saved statistics.
        pipeline.named_steps["encode"].fit(_one_row_per_category())
        scaler = pipeline.named_steps["scale"]
        scaler.mean_, scaler.scale_, scaler.var_ = mean, scale, var
        scaler.n_samples_seen_ = state["n_samples_seen"]
        scaler.n_features_in_ = len(FEATURE_NAMES)
        preprocessor = cls()
        preprocessor.pipeline_ = pipeline
        preprocessor.n_features_in_ = len(FEATURE_COLUMNS)
        preprocessor.feature_names_in_ = np.array(FEATURE_COLUMNS, dtype=object)
        return preprocessor

    def save(self, path):
        """Write the fitted state to ``path`` as JSON."""
        with open(path, "w", encoding="utf-8") as file:
            json.dump(self.to_dict(), file, indent=2)

    @classmethod
    def load(cls, path):
        """Read a preprocessor written by ``save``."""
        with open(path, encoding="utf-8") as file:
            try:
                state = json.load(file)
            except json.JSONDecodeError as error:
                raise InputError(f"{path}: not valid JSON ({error})") from None
        return cls.from_dict(state)


def _pipeline():
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


def _one_row_per_category():
    rows = max(len(GEOGRAPHIES), len(GENDERS))
    frame = pd.DataFrame(0.0, index=range(rows), columns=list(FEATURE_COLUMNS))
    frame["Geography"] = [GEOGRAPHIES[i % len(GEOGRAPHIES)] for i in range(rows)]
    frame["Gender"] = [GENDERS[i % len(GENDERS)] for i in range(rows)]
    return frame
