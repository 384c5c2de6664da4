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
        ref.metrics.get("accuracy", y_true.shape, y_pred.shape)[1].fn
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
        [
            keras.metrics.RootMeanSquaredError(),
            keras.metrics.AUC(name="auc_roc"),
            keras.metrics.Precision(top_k=2),
            "accuracy",
        ],
        "binary_crossentropy",
        "sigmoid",
    )
    with pytest.raises(ref.InputError) as error:
        ref.from_keras(model)
    message = str(error.value)
    assert "metric 'root_mean_squared_error' (RootMeanSquaredError) has no NumPy" in message
    assert "metric 'auc_roc' (AUC) has no NumPy reference counterpart" in message
    assert "metric 'precision' (Precision) uses top_k=2, which" in message
    with pytest.raises(ref.InputError, match="unknown metric 'f1_score'"):
        ref.Sequential([ref.Input((3,)), ref.Dense(1)]).compile(loss="mse", metrics=["f1_score"])


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


def _targets(class_name, rng, shape):
    """Targets a loss metric accepts: labels in [0, 1], class indices, or positive values."""
    if class_name == "SparseCategoricalCrossentropy":
        return rng.integers(0, shape[-1], shape[0])
    if class_name in ("BinaryCrossentropy", "CategoricalCrossentropy", "KLDivergence"):
        return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[0])]
    if class_name in ("Hinge", "SquaredHinge", "CategoricalHinge"):
        return (rng.random(shape) > 0.5).astype("float64")
    return rng.random(shape) + 0.5


@pytest.mark.parametrize("class_name", list(ref.metrics.LOSS_METRICS))
def test_loss_metric_is_the_batch_sum_of_keras_per_sample_values(class_name):
    rng = np.random.default_rng(4)
    y_pred = rng.dirichlet(np.ones(3), 9)  # probabilities: valid for every loss here
    y_true = _targets(class_name, rng, y_pred.shape)
    keras_metric = getattr(keras.metrics, class_name)(dtype="float64")
    keras_metric.update_state(y_true, y_pred)
    ours = ref.metrics.from_keras(keras.metrics.serialize(keras_metric))
    value = ours(*ref.metrics.LOSS_METRICS[class_name]().prepare(y_true, y_pred)) / len(y_pred)
    assert value == pytest.approx(float(keras_metric.result()), rel=1e-12)
    back = ours.to_keras().get_config()
    assert {**back, "dtype": "float64"} == keras_metric.get_config()


def test_crossentropy_metric_keeps_from_logits_and_smoothing_and_differs_from_the_loss():
    """Inside fit, a cross-entropy *loss* after a sigmoid is computed from the logits;
    the *metric* takes the probabilities (clipped) as given, as Keras."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(11, 3)) * 40  # saturated sigmoids: the clip shows
    y = (rng.random((11, 2)) > 0.5).astype("float64")
    metrics = [
        "bce",
        keras.metrics.BinaryCrossentropy(label_smoothing=0.2, name="smoothed"),
        keras.metrics.BinaryCrossentropy(from_logits=True, name="as_logits"),
    ]
    model = _compiled(metrics, "binary_crossentropy", "sigmoid")
    keras_logs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    reference_logs = ref.from_keras(model).evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert set(reference_logs) == set(keras_logs)
    for key, value in keras_logs.items():
        assert reference_logs[key] == pytest.approx(value, rel=1e-5)
    clipped = float(np.mean(keras.losses.binary_crossentropy(y, model.predict(x, verbose=0))))
    assert keras_logs["bce"] == keras_logs["loss"] > 1.5 * clipped  # logits: no clip


def test_mape_and_msle_by_short_name_log_what_keras_logs():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(10, 3)), rng.random((10, 2)) + 1
    model = _compiled(["mape", "msle", "log_cosh_error"])
    keras_logs = model.evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    reference_logs = ref.from_keras(model).evaluate(x, y, batch_size=3, verbose=0, return_dict=True)
    assert set(reference_logs) == set(keras_logs)
    for key, value in keras_logs.items():
        assert reference_logs[key] == pytest.approx(value, rel=1e-5)


CONFUSION = [
    "TruePositives",
    "FalsePositives",
    "TrueNegatives",
    "FalseNegatives",
    "Precision",
    "Recall",
]


def test_confusion_metrics_count_over_the_whole_epoch_as_keras():
    """Over uneven batches a precision is not the mean of the batches' precisions, and each
    epoch (and each validation pass) starts from zero counts."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(23, 3))
    y = (rng.random((23, 2)) > 0.6).astype("float64")
    metrics = [getattr(keras.metrics, name)() for name in CONFUSION]
    metrics += [keras.metrics.Precision(thresholds=0.3, name="precision_at_0.3"), "recall"]
    # the second "recall" logs as "recall_1", as in Keras
    model = _compiled(metrics, "binary_crossentropy", "sigmoid")
    reference = ref.from_keras(model)
    keras_logs = model.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)
    reference_logs = reference.evaluate(x, y, batch_size=5, verbose=0, return_dict=True)
    assert set(reference_logs) == set(keras_logs)
    for key, value in keras_logs.items():
        assert reference_logs[key] == pytest.approx(value, rel=1e-5), key
    tp, fn, precision = (m.name for m in (metrics[0], metrics[3], metrics[4]))  # Keras's names
    assert keras_logs[tp] + keras_logs[fn] == y.sum()
    batch_means = np.mean(
        [reference.evaluate(x[i : i + 5], y[i : i + 5], verbose=0, return_dict=True)[precision]
         for i in range(0, 23, 5)]
    )  # fmt: skip
    assert abs(batch_means - keras_logs[precision]) > 1e-3
    fit = dict(batch_size=5, epochs=2, validation_split=0.3, shuffle=False, verbose=0)
    keras_history = model.fit(x, y, **fit).history
    reference_history = reference.fit(x, y, **fit).history
    for key, values in keras_history.items():
        assert reference_history[key] == pytest.approx(values, rel=1e-4), key


def test_confusion_metric_by_name_gets_its_own_state_and_refuses_several_thresholds():
    _, first = ref.metrics.get("precision", (4, 1), (4, 1))
    _, second = ref.metrics.get("precision", (4, 1), (4, 1))
    assert first is not second and first.name == "precision"
    first.update_state(np.array([[1.0], [0.0]]), np.array([[0.9], [0.8]]))
    assert first.result() == 0.5 and second.result() == 0.0
    with pytest.raises(ref.InputError, match=r"thresholds=\[0.3, 0.6\] is not implemented"):
        ref.metrics.from_keras(keras.metrics.serialize(keras.metrics.Recall(thresholds=[0.3, 0.6])))
