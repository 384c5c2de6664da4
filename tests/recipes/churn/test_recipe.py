"""``deepkit.recipes.churn.run``: a short real run, seeds, the tuned config, the NumPy
reference engine, and every bad input or degenerate data set refused with one InputError
before any training; diverged training is an error, not a figure."""

import re

import numpy as np
import pytest

from deepkit.recipes import churn
from deepkit.validation import InputError


def _no_work(monkeypatch):
    """Make any step after loading the data fail the test: checks must come first."""

    def work(*args, **kwargs):
        raise AssertionError("work started before the input was refused")

    for step in ("split", "preprocess", "train", "set_seed"):
        monkeypatch.setattr(churn.recipe, step, work)


def test_short_run_beats_the_baseline(result):
    assert result.confusion_matrix.shape == (2, 2)
    assert result.confusion_matrix.sum() == 2000
    stays, leaves = result.confusion_matrix.sum(axis=1)
    assert result.baseline_accuracy == pytest.approx(stays / 2000)
    assert result.accuracy == pytest.approx(np.trace(result.confusion_matrix) / 2000)
    assert result.accuracy > result.baseline_accuracy + 0.01
    assert result.roc_auc > 0.75
    assert len(result.history["loss"]) == 8
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert 0.0 < result.customer_probability < 0.5
    assert "T3 claimed 0.858" in result.report()


def _encode_by_hand(frame):
    """T3's 11 features without scikit-learn: Germany, Spain, CreditScore, Male, Age .. EstimatedSalary."""
    numeric = [
        "Age",
        "Tenure",
        "Balance",
        "NumOfProducts",
        "HasCrCard",
        "IsActiveMember",
        "EstimatedSalary",
    ]
    return np.column_stack(
        [
            frame["Geography"] == "Germany",
            frame["Geography"] == "Spain",
            frame["CreditScore"],
            frame["Gender"] == "Male",
            *(frame[c] for c in numeric),
        ]
    ).astype(float)


def test_customer_probability_is_the_hand_encoded_row_through_the_weights(result):
    # scaling statistics of the training split and a forward pass written out, independent of
    # ChurnPreprocessor and score(); T3's customer is Spain (Germany 0, Spain 1) and Female (0)
    train_frame, _ = churn.split(churn.load_data(), 0.2, seed=0)
    encoded = _encode_by_hand(train_frame)
    hidden = (
        np.array([0, 1, 500, 0, 40, 3, 50000, 2, 1, 1, 40000.0]) - encoded.mean(axis=0)
    ) / encoded.std(axis=0)
    weights = result.model.get_weights()
    for i in range(0, len(weights) - 2, 2):
        hidden = np.maximum(hidden @ weights[i] + weights[i + 1], 0.0)
    by_hand = 1.0 / (1.0 + np.exp(-(hidden @ weights[-2] + weights[-1])))
    assert result.customer_probability == pytest.approx(float(by_hand[0]), abs=1e-5)
    france_male = {**churn.NEW_CUSTOMER, "Geography": "France", "Gender": "Male"}
    assert churn.score(result.model, result.preprocessor, france_male)[0] != pytest.approx(
        result.customer_probability, abs=1e-4
    )


def test_same_seed_same_result():
    first, second = (churn.run(epochs=1, seed=5) for _ in range(2))
    assert first.history == second.history
    assert first.customer_probability == second.customer_probability
    np.testing.assert_array_equal(first.confusion_matrix, second.confusion_matrix)


def test_tuned_config_stops_early_on_a_validation_split_of_the_training_data():
    result = churn.run(config="tuned", epochs=3, seed=0)
    assert len(result.history["val_loss"]) == 3
    assert result.confusion_matrix.sum() == 2000  # the test split is untouched
    # the scaling is fitted on the 6,800 training rows left after carving validation, not on all 8,000
    train_frame, _ = churn.split(churn.load_data(), 0.2, seed=0)
    fit_frame, validation_frame = churn.carve(train_frame, 0.15, seed=0)
    assert (len(fit_frame), len(validation_frame)) == (6800, 1200)
    scaler = result.preprocessor.pipeline_.named_steps["scale"]
    assert scaler.n_samples_seen_ == 6800
    np.testing.assert_allclose(scaler.mean_, _encode_by_hand(fit_frame).mean(axis=0), rtol=1e-12)
    assert [layer.units for layer in result.model.layers if hasattr(layer, "units")] == [64, 32, 1]
    assert [layer.rate for layer in result.model.layers if hasattr(layer, "rate")] == [0.4, 0.4]
    # the shared tuning settings: batches of 128 at learning rate 0.003 (set for speed)
    assert result.batch_size == 128 and "batch 128" in result.report()
    assert result.model.optimizer.learning_rate.numpy() == pytest.approx(0.003)


def test_bad_arguments_fail_before_training():
    with pytest.raises(ValueError, match="config must be one of"):
        churn.run(config="huge")
    with pytest.raises(ValueError, match="engine must be one of"):
        churn.run(engine="torch")
    with pytest.raises(ValueError, match="test_size"):
        churn.run(test_size=1.5)


def test_numpy_engine_trains_the_reference_and_saves_as_keras(result, tmp_path):
    from deepkit.reference import Sequential

    reference = churn.run(epochs=1, seed=0, engine="numpy")
    assert isinstance(reference.model, Sequential)
    # Same initial weights, data and batches as the Keras fixture, shuffled differently:
    # the first epoch's mean loss agrees closely.
    assert reference.history["loss"][0] == pytest.approx(result.history["loss"][0], abs=0.01)
    bundle = churn.load(reference.save(tmp_path / "reference"))
    customers = churn.load_data().head(10)
    np.testing.assert_allclose(
        bundle.predict_proba(customers),
        churn.score(reference.model, reference.preprocessor, customers),
        rtol=1e-5,
    )


TRAINING_OUT_OF_RANGE = [  # (column, value, message): 9 cases
    ("Age", -5, "column 'Age' must be between 18 and 100; row 3 has -5"),
    ("CreditScore", 99999, "column 'CreditScore' must be between 300 and 900; row 3 has 99999"),
    ("Age", 1e9, "column 'Age' must be between 18 and 100; row 3 has 1000000000.0"),
    ("Tenure", 83, "column 'Tenure' must be between 0 and 82; row 3 has 83"),
    ("NumOfProducts", 0, "column 'NumOfProducts' must be between 1 and 10; row 3 has 0"),
    ("Balance", -1e7, "column 'Balance' must be >= 0; row 3 has -10000000.0"),
    ("EstimatedSalary", -1.5, "column 'EstimatedSalary' must be >= 0; row 3 has -1.5"),
    ("IsActiveMember", 2, "column 'IsActiveMember' must be 0 or 1; row 3 has 2"),
    ("CustomerId", -7, "column 'CustomerId' must be >= 0; row 3 has -7"),
]


@pytest.mark.parametrize("column, value, message", TRAINING_OUT_OF_RANGE)
def test_training_data_out_of_range_is_refused_before_any_work(
    table, tmp_path, monkeypatch, column, value, message
):
    bad = table.head(200).copy()
    bad[column] = bad[column].astype(float if isinstance(value, float) else int)
    bad.loc[3, column] = value
    bad.to_csv(tmp_path / "bad.csv", index=False)
    _no_work(monkeypatch)
    with pytest.raises(InputError, match=re.escape(f"bad.csv: {message}")):
        churn.run(path=tmp_path / "bad.csv", epochs=1)


DEGENERATE = [  # (rows, change, run options, message): 6 cases
    (3, {}, {}, "test_size 0.2 of 3 rows leaves 1 row(s) in the test split; it needs at least 10"),
    (
        None,
        {},
        {"test_size": 0.0001},
        "test_size 0.0001 of 10000 rows leaves 1 row(s) in the test split",
    ),
    (300, {"Exited": 0}, {}, "column 'Exited' of the data holds only 0 (every customer stays)"),
    (
        300,
        {"Exited": 1},
        {},
        "holds only 1 (every customer leaves): a classifier needs both classes",
    ),
    (40, {}, {}, "test_size 0.2 of 40 rows leaves 8 row(s) in the test split"),
    (60, {}, {"config": "tuned"}, "leaves 7 row(s) in the validation split; it needs at least 10"),
]


@pytest.mark.parametrize("rows, change, options, message", DEGENERATE)
def test_degenerate_data_is_refused_before_training(
    table, tmp_path, monkeypatch, rows, change, options, message
):
    monkeypatch.setattr(churn.recipe, "train", lambda *a, **k: pytest.fail("training started"))
    path = None
    if rows is not None:
        path = tmp_path / "small.csv"
        table.head(rows).assign(**change).to_csv(path, index=False)
    with pytest.raises(InputError, match=re.escape(message)):
        churn.run(path=path, epochs=1, **options)


def test_diverged_training_is_an_error_not_a_figure(table, tmp_path):
    table.head(300).to_csv(tmp_path / "small.csv", index=False)
    diverging = {**churn.CONFIGS["tutorial"], "units": (6, 1), "learning_rate": 1e308}
    with pytest.raises(InputError, match="training diverged at epoch 1.*lower the learning rate"):
        churn.run(network=diverging, epochs=1, batch_size=60, path=tmp_path / "small.csv")


def test_wrong_types_get_the_same_message_as_wrong_values(monkeypatch):
    _no_work(monkeypatch)
    cases = {  # 6 cases
        "test_size must be a number > 0.0 and < 1.0, got '0.2'": {"test_size": "0.2"},
        "test_size must be a number > 0.0 and < 1.0, got 1.5": {"test_size": 1.5},
        "epochs must be an int >= 1, got '3'": {"epochs": "3"},
        "batch_size must be an int >= 1, got 0": {"batch_size": 0},
        "seed must be an int >= 0 and <= 4294967295, got -1": {"seed": -1},
        "seed must be an int >= 0 and <= 4294967295, got 1.5": {"seed": 1.5},
    }
    for message, arguments in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            churn.run(**arguments)
