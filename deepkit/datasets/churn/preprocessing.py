"""T3's churn preprocessing fitted on a training split, and saved as plain JSON.

``ChurnPreprocessor`` makes T3's 11 features (``deepkit.datasets.churn.features``),
standardized, ``z = (x - mean) / scale``, with the means and scales of the training
split only. It also keeps each numeric column's range in the training split,
``[min, max]``, so that scoring can flag customers unlike any it was trained on
(``outside_training_range``).
"""

import json

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from deepkit.datasets.churn.features import FEATURE_NAMES, feature_pipeline, fitted_pipeline
from deepkit.datasets.churn.loading import FEATURE_COLUMNS, validate_churn_frame
from deepkit.datasets.churn.schema import GENDERS, GEOGRAPHIES, RANGES
from deepkit.validation import InputError

# The raw numeric columns whose training range is kept (Geography and Gender are categories).
RANGED_COLUMNS = tuple(c for c in FEATURE_COLUMNS if c in RANGES)
_FORMAT = "deepkit.ChurnPreprocessor/2"
_OLD_FORMATS = ("deepkit.ChurnPreprocessor/1",)  # saved before the training ranges were kept
_NUMBER_LISTS = {"mean": len(FEATURE_NAMES), "scale": len(FEATURE_NAMES), "var": len(FEATURE_NAMES)}
_RANGE_LISTS = {"training_min": len(RANGED_COLUMNS), "training_max": len(RANGED_COLUMNS)}


class ChurnPreprocessor(TransformerMixin, BaseEstimator):
    """Encode and scale churn frames into T3's 11 features.

    ``fit``/``transform`` accept a DataFrame with the 10 feature columns (the
    identifier and target columns may be present and are ignored); every frame
    is validated by ``deepkit.datasets.validate_churn_frame`` before any work.

    Example:

    ```python
    preprocessor = ChurnPreprocessor().fit(train_frame)
    x_train = preprocessor.transform(train_frame)  # (n, 11) floats
    preprocessor.save("preprocessor.json")
    ```
    """

    def fit(self, frame, y=None):
        """Fit the encoders and scaler, and keep the training range of each numeric column.

        Args:
            frame: a churn DataFrame with the 10 feature columns.
            y: ignored (scikit-learn's signature).

        Returns:
            This preprocessor.

        Raises:
            InputError: a frame that fails ``validate_churn_frame``.
        """
        frame = validate_churn_frame(frame, features_only=True)
        self.pipeline_ = feature_pipeline().fit(frame)
        ranged = frame.loc[:, list(RANGED_COLUMNS)].astype(float)
        self.training_min_, self.training_max_ = ranged.min().to_numpy(), ranged.max().to_numpy()
        self.n_features_in_ = len(FEATURE_COLUMNS)
        self.feature_names_in_ = np.array(FEATURE_COLUMNS, dtype=object)
        return self

    def transform(self, frame):
        """Encode and scale a frame into T3's 11 features.

        Args:
            frame: a churn DataFrame with the 10 feature columns.

        Returns:
            A float array (rows, 11), in the order of ``FEATURE_NAMES``.

        Raises:
            InputError: a frame that fails ``validate_churn_frame``.
            NotFittedError: before ``fit``.
        """
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.transform(validate_churn_frame(frame, features_only=True))

    def outside_training_range(self, frame):
        """The values of each row outside the training split's range.

        Args:
            frame: a churn DataFrame with the 10 feature columns.

        Returns:
            One string per row, e.g. ``"Age 95 (trained on 18..92)"``, its flags
            joined by ``"; "`` (``""`` for none).
        """
        check_is_fitted(self, "pipeline_")
        frame = validate_churn_frame(frame, features_only=True)
        flags = [[] for _ in range(len(frame))]
        for column, low, high in zip(RANGED_COLUMNS, self.training_min_, self.training_max_):
            values = frame[column].to_numpy(dtype=float)
            for row in np.flatnonzero((values < low) | (values > high)):
                flags[row].append(
                    f"{column} {_plain(values[row])} (trained on {_plain(low)}..{_plain(high)})"
                )
        return ["; ".join(row) for row in flags]

    def get_feature_names_out(self, input_features=None):
        """The fitted pipeline's names of its 11 output features (``FEATURE_NAMES``).

        Args:
            input_features: ignored (scikit-learn's signature).

        Returns:
            An array of 11 names.
        """
        check_is_fitted(self, "pipeline_")
        return self.pipeline_.get_feature_names_out()

    def to_dict(self):
        """The fitted state as plain JSON-able data.

        Returns:
            A dict of the categories, the scaler's means, scales and variances, and
            the training ranges.
        """
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
            "ranged_columns": list(RANGED_COLUMNS),
            "training_min": self.training_min_.tolist(),
            "training_max": self.training_max_.tolist(),
        }

    @classmethod
    def from_dict(cls, state):
        """Rebuild a fitted preprocessor from ``to_dict``'s output.

        Args:
            state: the dict ``to_dict`` returned.

        Returns:
            A fitted ``ChurnPreprocessor``.

        Raises:
            InputError: a field that fails its check: keys, categories, lengths,
                finite numbers, positive scales, ordered ranges.
        """
        mean, scale, var, low, high, samples = _checked_state(state)
        preprocessor = cls()
        preprocessor.pipeline_ = fitted_pipeline(mean, scale, var, samples)
        preprocessor.training_min_, preprocessor.training_max_ = low, high
        preprocessor.n_features_in_ = len(FEATURE_COLUMNS)
        preprocessor.feature_names_in_ = np.array(FEATURE_COLUMNS, dtype=object)
        return preprocessor

    def save(self, path):
        """Write the fitted state as JSON.

        Args:
            path: the JSON file to write.
        """
        with open(path, "w", encoding="utf-8") as file:
            json.dump(self.to_dict(), file, indent=2)

    @classmethod
    def load(cls, path):
        """Read a preprocessor written by ``save``.

        Args:
            path: the JSON file.

        Returns:
            A fitted ``ChurnPreprocessor``.

        Raises:
            InputError: one line naming a bad file and its problem.
        """
        with open(path, encoding="utf-8") as file:
            try:
                state = json.load(file)
            except (json.JSONDecodeError, UnicodeDecodeError) as error:
                raise InputError(f"{path}: not valid JSON ({error})") from None
        try:
            return cls.from_dict(state)
        except InputError as error:
            raise InputError(f"{path}: {error}") from None


def _checked_state(state):
    """``(mean, scale, var, training_min, training_max, n_samples_seen)`` of a saved state,
    each checked; ``InputError`` naming the first bad field."""
    if isinstance(state, dict) and state.get("format") in _OLD_FORMATS:
        raise InputError(
            f"saved by an older deepkit ({state['format']}) without the training ranges that "
            "scoring needs to flag unusual customers; retrain and save with deepkit run churn --save"
        )
    if not isinstance(state, dict) or state.get("format") != _FORMAT:
        raise InputError(f"not a saved ChurnPreprocessor (expected format {_FORMAT!r})")
    expected = {
        "geography_categories": list(GEOGRAPHIES),
        "gender_categories": list(GENDERS),
        "feature_names": list(FEATURE_NAMES),
        "ranged_columns": list(RANGED_COLUMNS),
        **dict.fromkeys(_NUMBER_LISTS, None),
        **dict.fromkeys(_RANGE_LISTS, None),
        "n_samples_seen": None,
    }
    missing = [key for key in expected if key not in state]
    if missing:
        raise InputError(f"missing key(s): {', '.join(missing)}")
    for key, value in expected.items():
        if value is not None and state[key] != value:
            raise InputError(
                f"{key} is {state[key]!r}, expected {value!r}: saved preprocessor has different "
                "categories or features than this deepkit"
            )
    arrays = {key: _numbers(state, key, n) for key, n in {**_NUMBER_LISTS, **_RANGE_LISTS}.items()}
    for key, bad, rule in (
        ("scale", arrays["scale"] <= 0, "scales must be > 0 (they divide)"),
        ("var", arrays["var"] < 0, "variances must be >= 0"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"{key} of {FEATURE_NAMES[i]} is {state[key][i]!r}: {rule}")
    if not np.all(arrays["training_min"] <= arrays["training_max"]):
        raise InputError("training_min must not exceed training_max")
    samples = state["n_samples_seen"]
    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
        raise InputError(f"n_samples_seen must be an int >= 1, got {samples!r}")
    return (*arrays.values(), samples)


def _numbers(state, key, length):
    """``state[key]`` as a float array, after checking it is a list of ``length`` finite numbers."""
    value = state[key]
    if (
        not isinstance(value, list)
        or len(value) != length
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        or not np.all(np.isfinite(value))
    ):
        raise InputError(f"{key} must be a list of {length} finite numbers, got {value!r}")
    return np.asarray(value, dtype=np.float64)


def _plain(number):
    """``number`` without a trailing ``.0`` when it is whole: ``92``, ``250898.09``."""
    number = float(number)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else f"{number:.10g}"
