"""The saved bundle (``deepkit.recipes.churn.result``): ``save`` and ``load`` give identical
probabilities; impossible values are refused at scoring, values outside the training
range flagged, never silent; a corrupt ``preprocessor.json`` or ``model.keras`` is one
line naming it."""

import json
import re
import zipfile

import numpy as np
import pytest

from deepkit.datasets.churn.preprocessing import ChurnPreprocessor
from deepkit.recipes import churn
from deepkit.validation import InputError


def test_save_and_load_give_identical_probabilities(result, tmp_path):
    customers = churn.load_data().head(25)
    expected = churn.score(result.model, result.preprocessor, customers)
    bundle = churn.load(result.save(tmp_path / "bundle"))
    np.testing.assert_array_equal(bundle.predict_proba(customers), expected)
    np.testing.assert_array_equal(bundle.predict(customers), (expected > 0.5).astype(int))
    assert bundle.predict_proba(churn.NEW_CUSTOMER)[0] == pytest.approx(
        result.customer_probability, abs=1e-6
    )
    with pytest.raises(ValueError, match="unknown value 'Narnia'"):
        bundle.predict_proba({**churn.NEW_CUSTOMER, "Geography": "Narnia"})
    with pytest.raises(FileNotFoundError, match="no model.keras"):
        churn.load(tmp_path)


SCORING_IMPOSSIBLE = [  # 4 cases
    ({"Age": -40}, "column 'Age' must be between 18 and 100; row 0 has -40"),
    ({"Age": 1e9}, "column 'Age' must be between 18 and 100; row 0 has 1000000000.0"),
    ({"Balance": -1e7}, "column 'Balance' must be >= 0; row 0 has -10000000.0"),
    ({"CreditScore": 99999}, "column 'CreditScore' must be between 300 and 900; row 0 has 99999"),
]


@pytest.mark.parametrize("change, message", SCORING_IMPOSSIBLE)
def test_impossible_values_are_refused_at_scoring(bundle, change, message):
    with pytest.raises(InputError, match=re.escape(message)):
        bundle.predict_proba({**churn.NEW_CUSTOMER, **change})


def test_values_outside_the_training_range_are_flagged_never_silent(bundle, table):
    trained = table[:2000]
    oldest, richest = int(trained["Age"].max()), float(trained["Balance"].max())
    customers = [
        churn.NEW_CUSTOMER,
        {**churn.NEW_CUSTOMER, "Age": oldest + 1},
        {**churn.NEW_CUSTOMER, "Balance": richest * 2, "NumOfProducts": 7},
    ]
    with pytest.warns(churn.OutsideTrainingRangeWarning, match="2 of 3 customer") as caught:
        probabilities = bundle.predict_proba(customers)
    assert f"row 1: Age {oldest + 1} (trained on 18..{oldest})" in str(caught[0].message)
    scored = bundle.score_table(customers)
    np.testing.assert_array_equal(scored["probability"], probabilities)
    assert scored["flags"][0] == ""
    assert (
        scored["flags"][2].startswith("Balance ")
        and "NumOfProducts 7 (trained on 1..4)" in (scored["flags"][2])
    )
    # the stored ranges are the training split's own
    state = ChurnPreprocessor().fit(trained).to_dict()
    assert state["training_max"][state["ranged_columns"].index("Age")] == oldest
    assert state["training_min"][state["ranged_columns"].index("NumOfProducts")] == 1


def _bundle_copy(bundle_dir, tmp_path, **files):
    directory = tmp_path / "copy"
    directory.mkdir(parents=True)
    for name in ("model.keras", "preprocessor.json"):
        (directory / name).write_bytes(files.get(name, (bundle_dir / name).read_bytes()))
    return directory


def _with_key(bundle_dir, key, value=None, drop=False):
    state = json.loads((bundle_dir / "preprocessor.json").read_text())
    if drop:
        del state[key]
    else:
        state[key] = value
    return json.dumps(state).encode()


CORRUPT_PREPROCESSOR = [  # (key, value, drop, message): 5 cases
    ("mean", None, True, "preprocessor.json: missing key(s): mean"),
    ("scale", ["1"] * 11, False, "preprocessor.json: scale must be a list of 11 finite numbers"),
    ("var", "lots", False, "preprocessor.json: var must be a list of 11 finite numbers"),
    ("training_max", [1.0] * 3, False, "preprocessor.json: training_max must be a list of 8"),
    ("n_samples_seen", "many", False, "preprocessor.json: n_samples_seen must be an int >= 1"),
]


@pytest.mark.parametrize("key, value, drop, message", CORRUPT_PREPROCESSOR)
def test_a_corrupt_preprocessor_json_is_one_line_naming_it(
    bundle_dir, tmp_path, key, value, drop, message
):
    directory = _bundle_copy(
        bundle_dir, tmp_path, **{"preprocessor.json": _with_key(bundle_dir, key, value, drop)}
    )
    with pytest.raises(InputError, match=re.escape(message)):
        churn.load(directory)


def test_a_corrupt_or_mismatched_model_keras_is_one_line_naming_it(bundle_dir, tmp_path):
    import keras

    model = (bundle_dir / "model.keras").read_bytes()
    with zipfile.ZipFile(bundle_dir / "model.keras") as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    unknown_class = tmp_path / "unknown.keras"
    with zipfile.ZipFile(unknown_class, "w") as archive:
        for name, data in parts.items():
            archive.writestr(
                name, b'{"class_name": "Nope", "config": {}}' if name == "config.json" else data
            )
    narrow = tmp_path / "narrow.keras"
    keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)]).save(narrow)
    cases = {  # 3 cases
        model[
            : len(model) // 2
        ]: "model.keras: not a .keras model file (it is not a zip archive: truncated?)",
        unknown_class.read_bytes(): "model.keras: corrupt .keras file (Could not locate class 'Nope'",
        narrow.read_bytes(): "model.keras: the model's input shape is (None, 5), but preprocessor.json makes 11",
    }
    for data, message in cases.items():
        directory = _bundle_copy(bundle_dir, tmp_path / str(len(data)), **{"model.keras": data})
        with pytest.raises(InputError, match=re.escape(message)) as refused:
            churn.load(directory)
        assert "\n" not in str(refused.value) and "File not found" not in str(refused.value)
