import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from deepkit.datasets import load_churn
from deepkit.datasets.churn.features import FEATURE_NAMES
from deepkit.datasets.churn.preprocessing import ChurnPreprocessor
from deepkit.validation import InputError

TUTORIAL_CUSTOMER = {  # T3's new customer, by name
    "CreditScore": 500,
    "Geography": "Spain",
    "Gender": "Female",
    "Age": 40,
    "Tenure": 3,
    "Balance": 50000.0,
    "NumOfProducts": 2,
    "HasCrCard": 1,
    "IsActiveMember": 1,
    "EstimatedSalary": 40000.0,
}


@pytest.fixture(scope="module")
def churn():
    return load_churn()


@pytest.fixture(scope="module")
def fitted(churn):
    return ChurnPreprocessor().fit(churn.iloc[:8000])


@pytest.fixture(scope="module")
def preprocessor_json(churn, tmp_path_factory):
    """A preprocessor fitted on 2,000 rows, saved as a churn bundle saves it."""
    path = tmp_path_factory.mktemp("preprocessor") / "preprocessor.json"
    ChurnPreprocessor().fit(churn[:2000]).save(path)
    return path


def test_eleven_features_in_the_tutorial_order(churn, fitted):
    # the names come from the fitted scikit-learn pipeline, not from the FEATURE_NAMES constant
    names = [
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
    ]
    assert list(fitted.get_feature_names_out()) == names
    assert tuple(fitted.get_feature_names_out()) == FEATURE_NAMES
    # each named column holds what its name says
    x, rows = fitted.transform(churn.head(50)), churn.head(50)
    scaler = fitted.pipeline_.named_steps["scale"]
    raw = x * scaler.scale_ + scaler.mean_
    np.testing.assert_allclose(raw[:, names.index("Age")], rows["Age"])
    np.testing.assert_allclose(
        raw[:, names.index("Geography_Spain")], rows["Geography"] == "Spain", atol=1e-9
    )
    np.testing.assert_allclose(raw[:, names.index("Gender")], rows["Gender"] == "Male", atol=1e-9)
    with pytest.raises(NotFittedError):
        ChurnPreprocessor().get_feature_names_out()


def test_scaler_uses_the_training_split_only(churn, fitted):
    x_train = fitted.transform(churn.iloc[:8000])
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x_train.std(axis=0), 1, atol=1e-12)
    x_test = fitted.transform(churn.iloc[8000:])
    assert x_test.shape == (2000, 11)
    assert np.abs(x_test.mean(axis=0)).max() > 1e-3  # test rows are not re-centred


def test_tutorial_customer_equals_the_correct_hand_encoded_row(fitted):
    # Spain -> Germany 0, Spain 1; Female -> 0. (T3's [0.0, 0, 500, 1, ...] encodes France and Male.)
    by_hand = np.array([[0, 1, 500, 0, 40, 3, 50000, 2, 1, 1, 40000]], dtype=float)
    scaler = fitted.pipeline_.named_steps["scale"]
    expected = (by_hand - scaler.mean_) / scaler.scale_
    np.testing.assert_allclose(
        fitted.transform(pd.DataFrame([TUTORIAL_CUSTOMER])), expected, rtol=1e-12
    )
    buggy = (
        np.array([[0.0, 0, 500, 1, 40, 3, 50000, 2, 1, 1, 40000]]) - scaler.mean_
    ) / scaler.scale_
    assert not np.allclose(fitted.transform(pd.DataFrame([TUTORIAL_CUSTOMER])), buggy)


def test_json_round_trip_transforms_identically(churn, fitted, tmp_path):
    path = tmp_path / "preprocessor.json"
    fitted.save(path)
    state = json.loads(path.read_text())
    assert state["geography_categories"] == ["France", "Germany", "Spain"]
    assert len(state["mean"]) == len(state["scale"]) == 11
    loaded = ChurnPreprocessor.load(path)
    np.testing.assert_array_equal(loaded.transform(churn), fitted.transform(churn))
    assert list(loaded.get_feature_names_out()) == list(FEATURE_NAMES)


def test_training_ranges_are_kept_in_the_json_and_flag_unusual_customers(churn, fitted, tmp_path):
    state = fitted.to_dict()
    assert state["format"] == "deepkit.ChurnPreprocessor/2"
    training = churn.iloc[:8000]
    for column, low, high in zip(
        state["ranged_columns"], state["training_min"], state["training_max"]
    ):
        assert (low, high) == (training[column].min(), training[column].max())
    fitted.save(tmp_path / "preprocessor.json")
    loaded = ChurnPreprocessor.load(tmp_path / "preprocessor.json")
    oldest = int(training["Age"].max())
    customers = pd.DataFrame([TUTORIAL_CUSTOMER, {**TUTORIAL_CUSTOMER, "Age": oldest + 1}])
    flags = ["", f"Age {oldest + 1} (trained on 18..{oldest})"]
    assert loaded.outside_training_range(customers) == flags
    assert fitted.outside_training_range(customers) == flags


def test_tampered_json_is_rejected(fitted, tmp_path):
    state = fitted.to_dict()
    with pytest.raises(ValueError, match="mean must be a list of 11 finite numbers"):
        ChurnPreprocessor.from_dict({**state, "mean": state["mean"][:10]})
    with pytest.raises(ValueError, match="different categories"):
        ChurnPreprocessor.from_dict({**state, "geography_categories": ["France", "Spain"]})
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        ChurnPreprocessor.load(path)


def test_bad_frames_fail_before_any_work(churn):
    preprocessor = ChurnPreprocessor()
    with pytest.raises(ValueError, match="unknown value 'Italy'"):
        preprocessor.fit(churn.head(10).assign(Geography="Italy"))
    assert not hasattr(preprocessor, "pipeline_")
    fitted = ChurnPreprocessor().fit(churn.head(100))
    with pytest.raises(ValueError, match="missing column.*Gender"):
        fitted.transform(churn.head(5).drop(columns="Gender"))


def test_a_bundle_from_before_the_ranges_is_refused_clearly(preprocessor_json, tmp_path):
    state = json.loads(preprocessor_json.read_text())
    old = {
        k: v
        for k, v in state.items()
        if k not in ("ranged_columns", "training_min", "training_max")
    }
    old["format"] = "deepkit.ChurnPreprocessor/1"
    (tmp_path / "preprocessor.json").write_text(json.dumps(old))
    with pytest.raises(
        InputError, match="older deepkit.*retrain and save with deepkit run churn --save"
    ):
        ChurnPreprocessor.load(tmp_path / "preprocessor.json")


def test_a_zero_scale_preprocessor_is_refused_and_a_constant_column_is_guarded(
    churn, preprocessor_json
):
    state = json.loads(preprocessor_json.read_text())
    scale = list(state["scale"])
    scale[4] = 0.0  # Age: would divide by zero, every probability NaN
    with pytest.raises(
        InputError, match=re.escape("scale of Age is 0.0: scales must be > 0 (they divide)")
    ):
        ChurnPreprocessor.from_dict({**state, "scale": scale})
    # fitting on a constant column gives scale 1 (as StandardScaler does): finite features
    constant = ChurnPreprocessor().fit(churn.head(100).assign(Tenure=3))
    assert constant.to_dict()["scale"][5] == 1.0
    assert np.all(np.isfinite(constant.transform(churn.head(100))))
