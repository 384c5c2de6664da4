"""The NumPy reference's metrics against Keras's."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref


def test_categorical_accuracy_matches_keras():
    """One-hot and soft targets, and tied predictions (both take the first maximum)."""
    rng = np.random.default_rng(7)
    y_pred = rng.random((60, 4)).astype("float32")
    y_pred[:10] = y_pred[:10].round(0)  # rows with ties
    y_true = np.eye(4, dtype="float32")[rng.integers(0, 4, 60)]
    y_true[40:] = rng.dirichlet(np.ones(4), 20)
    keras_metric = keras.metrics.CategoricalAccuracy()
    keras_metric.update_state(y_true, y_pred)
    ours = ref.metrics.categorical_accuracy(y_true, y_pred)
    assert ours / len(y_pred) == pytest.approx(float(keras_metric.result()), abs=1e-7)
    per_sample = keras.metrics.categorical_accuracy(y_true, y_pred).numpy()
    assert ours == per_sample.sum() and 0 < ours < 60
    assert (
        ref.metrics.get("accuracy", y_true.shape, y_pred.shape)[1]
        is ref.metrics.categorical_accuracy
    )


def _compiled(metrics, loss="mse", activation=None):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation=activation)])
    model.compile(optimizer="sgd", loss=loss, metrics=metrics)
    return model


def test_mae_and_mse_by_name_log_what_keras_logs():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    model = _compiled(["mae", "mse", "mean_absolute_error"])
    reference = ref.from_keras(model)
    keras_logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    reference_logs = reference.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert set(reference_logs) == set(keras_logs) == {"loss", "mae", "mse", "mean_absolute_error"}
    for key, value in keras_logs.items():
        assert reference_logs[key] == pytest.approx(value, rel=1e-5)


def test_metric_objects_are_hosted_with_their_names_and_settings():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(12, 3))
    y = (rng.random((12, 2)) > 0.5).astype("float32")
    metrics = [
        keras.metrics.BinaryAccuracy(threshold=0.3, name="acc_at_0.3"),
        keras.metrics.MeanAbsoluteError(),
        keras.metrics.MeanSquaredError(name="m2"),
    ]
    model = _compiled(metrics, "binary_crossentropy", "sigmoid")
    reference = ref.from_keras(model)
    keras_logs = model.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)
    reference_logs = reference.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)
    assert set(reference_logs) == set(keras_logs)
    for key, value in keras_logs.items():
        assert reference_logs[key] == pytest.approx(value, rel=1e-5)
    back = reference.to_keras()
    assert [m["config"]["name"] for m in back.get_compile_config()["metrics"]] == [
        "acc_at_0.3",
        "mean_absolute_error",
        "m2",
    ]


def test_sparse_categorical_accuracy_object_is_hosted():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(12, 3)), rng.integers(0, 2, 12)
    model = _compiled(
        [keras.metrics.SparseCategoricalAccuracy()], "sparse_categorical_crossentropy", "softmax"
    )
    reference = ref.from_keras(model)
    keras_logs = model.evaluate(x, y, verbose=0, return_dict=True)
    reference_logs = reference.evaluate(x, y, verbose=0, return_dict=True)
    assert reference_logs["sparse_categorical_accuracy"] == pytest.approx(
        keras_logs["sparse_categorical_accuracy"]
    )


def test_metrics_without_a_counterpart_are_refused_by_name_and_class():
    model = _compiled(
        [keras.metrics.Recall(), keras.metrics.AUC(name="auc_roc"), "accuracy"],
        "binary_crossentropy",
        "sigmoid",
    )
    with pytest.raises(ref.InputError) as error:
        ref.from_keras(model)
    message = str(error.value)
    assert "metric 'recall' (Recall) has no NumPy reference counterpart" in message
    assert "metric 'auc_roc' (AUC) has no NumPy reference counterpart" in message
    with pytest.raises(ref.InputError, match="unknown metric 'precision'"):
        ref.Sequential([ref.Input((3,)), ref.Dense(1)]).compile(loss="mse", metrics=["precision"])


def test_binary_accuracy_object_keeps_its_threshold():
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.4], [0.2], [0.45], [0.1]])
    keras_metric = keras.metrics.BinaryAccuracy(threshold=0.3)
    keras_metric.update_state(y_true, y_pred)
    ours = ref.metrics.from_keras(
        keras.metrics.serialize(keras.metrics.BinaryAccuracy(threshold=0.3))
    )
    assert ours(y_true, y_pred) / 4 == pytest.approx(float(keras_metric.result()))
    assert ours(y_true, y_pred) != ref.metrics.binary_accuracy(y_true, y_pred)
