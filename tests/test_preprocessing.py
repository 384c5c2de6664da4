import json

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from deepkit.datasets import load_churn
from deepkit.preprocessing import FEATURE_NAMES, ChurnPreprocessor

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
