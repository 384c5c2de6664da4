import keras
import numpy as np
import pandas as pd
import pytest

from deepkit.models import churn_ann, mlp
from deepkit.recipes import churn
from deepkit.seeding import set_seed


@pytest.fixture(scope="module")
def result():
    return churn.run(epochs=8, seed=0)


# ----------------------------------------------------------------------------- builders


def test_churn_ann_is_the_tutorial_network():
    model = churn_ann(seed=0)
    assert isinstance(model, keras.Sequential)
    dense = model.layers
    assert [layer.units for layer in dense] == [6, 6, 1]
    assert [layer.get_config()["activation"] for layer in dense] == ["relu", "relu", "sigmoid"]
    for layer in dense:
        init = layer.kernel_initializer
        assert isinstance(init, keras.initializers.RandomUniform)
        assert (init.minval, init.maxval) == (-0.05, 0.05)
        assert isinstance(layer.bias_initializer, keras.initializers.Zeros)
    assert model.input_shape == (None, 11)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.loss == "binary_crossentropy"
    assert model.get_compile_config()["metrics"] == ["accuracy"]
    assert model.count_params() == 11 * 6 + 6 + 6 * 6 + 6 + 6 + 1


def test_mlp_builds_what_it_is_told():
    model = mlp(784, [32, 10], ["relu", "softmax"], dropout=0.25, optimizer="sgd", learning_rate=0.05,
                loss="categorical_crossentropy", metrics=["accuracy"], seed=1)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Dropout", "Dense"]
    assert model.layers[1].rate == 0.25
    assert model.layers[2].get_config()["activation"] == "softmax"
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.05)
    same = mlp(784, [32, 10], ["relu", "softmax"], seed=1)
    np.testing.assert_array_equal(same.get_weights()[0], model.get_weights()[0])
    assert not same.compiled  # no loss: left uncompiled
    with pytest.raises(ValueError, match="activations has 3 entries"):
        mlp(4, [3, 1], ["relu", "relu", "sigmoid"])
    with pytest.raises(ValueError, match="units"):
        mlp(4, [3, 0])


def test_builders_save_and_load_with_keras(tmp_path):
    model = churn_ann(seed=3)
    x = np.random.default_rng(0).normal(size=(5, 11)).astype("float32")
    model.save(tmp_path / "ann.keras")
    again = keras.models.load_model(tmp_path / "ann.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


# ----------------------------------------------------------------------------- the recipe


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


def test_customer_probability_is_scored_from_named_fields(result):
    spain_female = pd.DataFrame([churn.NEW_CUSTOMER])
    assert churn.score(result.model, result.preprocessor, spain_female)[0] == pytest.approx(
        result.customer_probability)
    france_male = {**churn.NEW_CUSTOMER, "Geography": "France", "Gender": "Male"}
    assert churn.score(result.model, result.preprocessor, france_male)[0] != pytest.approx(
        result.customer_probability, abs=1e-4)


def test_save_and_load_give_identical_probabilities(result, tmp_path):
    customers = churn.load_data().head(25)
    expected = churn.score(result.model, result.preprocessor, customers)
    bundle = churn.load(result.save(tmp_path / "bundle"))
    np.testing.assert_array_equal(bundle.predict_proba(customers), expected)
    np.testing.assert_array_equal(bundle.predict(customers), (expected > 0.5).astype(int))
    assert bundle.predict_proba(churn.NEW_CUSTOMER)[0] == pytest.approx(result.customer_probability, abs=1e-6)
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
    assert [layer.units for layer in result.model.layers if hasattr(layer, "units")] == [64, 32, 1]
    assert [layer.rate for layer in result.model.layers if hasattr(layer, "rate")] == [0.2, 0.2]
    # batches of 128 at learning rate 0.003: as good on validation as 32 at 0.001, and faster
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
    np.testing.assert_allclose(bundle.predict_proba(customers),
                               churn.score(twin.model, twin.preprocessor, customers), rtol=1e-5)


def test_fast_path_trains_exactly_like_compile_defaults():
    # what `deepkit bench churn` times: the same net, data and seed, with and without the fast path
    train_frame, _ = churn.split(churn.load_data().head(2000), 0.2, seed=0)
    _, x = churn.preprocess(train_frame)
    y = churn.labels(train_frame)
    histories = []
    for model in (churn_ann(seed=0), churn.build("tutorial", seed=0)):
        set_seed(0)
        histories.append(churn.train(model, x, y, epochs=2, batch_size=10)[1])
    assert histories[0] == histories[1]


def test_validation_scores_use_only_the_training_frame():
    train_frame, _ = churn.split(churn.load_data().head(1500), 0.2, seed=0)
    grid = ({"units": (4, 1), "epochs": 2, "batch_size": 50}, {"units": (8, 4, 1), "epochs": 3, "batch_size": 50})
    scores = churn.validation_scores(train_frame, seed=0, grid=grid)
    assert [epochs for _, _, epochs in scores] == [2, 3]
    for accuracy, auc, _ in scores:
        assert 0.5 <= accuracy <= 1 and 0.3 <= auc <= 1
    with pytest.raises(ValueError, match="unknown value 'Mars'"):
        churn.validation_scores(train_frame.assign(Geography="Mars"), seed=0, grid=grid)
