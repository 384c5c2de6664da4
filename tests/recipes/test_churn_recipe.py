"""The churn recipe (deepkit.recipes.churn): a short real run, the bundle, seeds, the tuned
config, bad arguments, the twin engine, the fast path, and tuning that never sees a test split."""

import re

import numpy as np
import pytest

from deepkit.recipes import churn


@pytest.fixture(scope="module")
def result():
    return churn.run(epochs=8, seed=0)


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


def test_numpy_engine_trains_the_twin_and_saves_as_keras(result, tmp_path):
    from deepkit.reference import Sequential

    twin = churn.run(epochs=1, seed=0, engine="numpy")
    assert isinstance(twin.model, Sequential)
    # Same initial weights, data and batches as the Keras fixture, shuffled differently:
    # the first epoch's mean loss agrees closely.
    assert twin.history["loss"][0] == pytest.approx(result.history["loss"][0], abs=0.01)
    bundle = churn.load(twin.save(tmp_path / "twin"))
    customers = churn.load_data().head(10)
    np.testing.assert_allclose(
        bundle.predict_proba(customers),
        churn.score(twin.model, twin.preprocessor, customers),
        rtol=1e-5,
    )


def test_cli_refuses_conflicting_options_before_any_work(capsys, tmp_path):
    import argparse

    parser = argparse.ArgumentParser(prog="deepkit run churn")
    churn.add_arguments(parser)
    with pytest.raises(SystemExit) as done:  # argparse's mutually exclusive group
        parser.parse_args(["--compare", "--tune"])
    assert done.value.code == 2
    assert "argument --tune: not allowed with argument --compare" in capsys.readouterr().err
    refused = {
        ("--tune", "--engine", "numpy", "--config", "tuned"): (
            "--compare and --tune take only --seed, --quiet and the search's "
            "--trials, --max-epochs, --search-dir, not --config, --engine"
        ),
        ("--trials", "5"): "--trials go with --tune or --compare",
        ("--compare", "--max-epochs", "0"): "--max-epochs must be an int >= 1, got 0",
        ("--tune", "--search-dir", str(tmp_path / "file.txt")): "exists and is not a directory",
        ("--both-engines", "--test-size", "0.3", "--config", "tuned"): (
            "--both-engines runs the tutorial config on the shipped data's 0.2 test split; "
            "drop --config, --test-size"
        ),
        ("--save", str(tmp_path / "file.txt")): "exists and is not a directory",
    }
    (tmp_path / "file.txt").write_text("not a bundle")
    for argv, message in refused.items():
        with pytest.raises(ValueError, match=re.escape(message)):
            churn.cli.refuse_conflicts(parser.parse_args(argv))
    for argv in (
        [],
        ["--compare", "--seed", "3", "--quiet"],
        ["--tune", "--trials", "3", "--max-epochs", "2", "--search-dir", str(tmp_path / "s")],
        ["--both-engines", "--epochs", "2"],
    ):
        churn.cli.refuse_conflicts(parser.parse_args(argv))  # nothing to refuse


def test_cli_passes_the_search_budget_to_tune(monkeypatch, tmp_path):
    import argparse

    parser = argparse.ArgumentParser(prog="deepkit run churn")
    churn.add_arguments(parser)
    received = {}

    class Report:
        def report(self):
            return "searched"

    def fake_tune(seed, **budget):
        received.update(budget, seed=seed)
        return Report()

    monkeypatch.setattr(churn.cli, "tune", fake_tune)
    argv = ["--tune", "--seed", "4", "--trials", "3", "--max-epochs", "7", "--quiet"]
    churn.main(parser.parse_args([*argv, "--search-dir", str(tmp_path)]))
    assert received == {
        "seed": 4,
        "max_trials": 3,
        "max_epochs": 7,
        "directory": str(tmp_path),
        "verbose": 0,
    }
