"""Each component of the NumPy twin against its Keras namesake: activations,
initializers (by distribution), losses on arrays, optimizer updates, Dropout,
EarlyStopping; plus the model API (validation, seeds, weights, bridges)."""

import contextlib
import io
import re
import tracemalloc

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference import activations, initializers, losses, optimizers

# -- activations ---------------------------------------------------------------


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-6)])
@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_activation_and_derivative_match_keras(name, dtype, rtol):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(6, 5)) * 3).astype(dtype)
    upstream = rng.normal(size=(6, 5)).astype(dtype)
    act = activations.get(name)
    y = act.forward(x)
    dx = act.backward(x, y, upstream)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yt = keras.activations.get(name)(xt)
        objective = tf.reduce_sum(yt * upstream)
    assert y.dtype == x.dtype and dx.dtype == x.dtype
    keras_dx = tape.gradient(objective, xt).numpy()
    # Normwise in float32: near saturation 1 - y^2 amplifies the last-bit
    # differences between NumPy's and TensorFlow's tanh/exp.
    np.testing.assert_allclose(y, yt.numpy(), rtol=rtol, atol=rtol * np.abs(y).max())
    np.testing.assert_allclose(dx, keras_dx, rtol=rtol, atol=rtol * np.abs(keras_dx).max())


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="swishy"):
        ref.Dense(3, activation="swishy")


# -- initializers --------------------------------------------------------------


def _keras_sample(name, shape):
    return keras.initializers.get(name)(shape).numpy()


@pytest.mark.parametrize(
    "name,shape",
    [
        ("glorot_uniform", (300, 200)),
        ("glorot_normal", (300, 200)),
        ("he_normal", (400, 100)),
        ("he_uniform", (400, 100)),
        ("uniform", (200, 200)),
        ("normal", (200, 200)),
        ("glorot_uniform", (3, 3, 16, 32)),
    ],
)
def test_initializer_distribution_matches_keras(name, shape):
    ours = initializers.get(name)(shape, rng=np.random.default_rng(0))
    theirs = _keras_sample(name, shape)
    assert ours.shape == shape and ours.dtype == np.float32
    assert abs(ours.mean()) < 0.05 * theirs.std() + 1e-3
    assert ours.std() == pytest.approx(theirs.std(), rel=0.03)
    assert np.abs(ours).max() <= np.abs(theirs).max() * 1.05 or name == "normal"


@pytest.mark.parametrize(
    "name,kwargs,shape",
    [
        ("TruncatedNormal", {"mean": 0.5, "stddev": 0.2}, (300, 200)),
        ("VarianceScaling", {}, (3, 3, 16, 32)),
        (
            "VarianceScaling",
            {"scale": 2.0, "mode": "fan_out", "distribution": "untruncated_normal"},
            (300, 200),
        ),
        (
            "VarianceScaling",
            {"scale": 0.5, "mode": "fan_avg", "distribution": "uniform"},
            (300, 200),
        ),
    ],
)
def test_configured_initializer_distribution_matches_keras(name, kwargs, shape):
    """Same distribution as Keras: mean, std, extremes and quantiles of 60,000 draws."""
    ours = getattr(initializers, name)(**kwargs)(shape, rng=np.random.default_rng(2))
    theirs = getattr(keras.initializers, name)(**kwargs, seed=2)(shape).numpy()
    std = float(theirs.std())
    assert ours.shape == shape and ours.dtype == np.float32
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.02 * std)
    assert ours.std() == pytest.approx(std, rel=0.02)
    quantiles = [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999]
    np.testing.assert_allclose(
        np.quantile(ours, quantiles), np.quantile(theirs, quantiles), atol=0.1 * std
    )
    if kwargs.get("distribution") != "untruncated_normal":  # bounded: the same bounds
        assert ours.min() == pytest.approx(theirs.min(), abs=0.02 * std)
        assert ours.max() == pytest.approx(theirs.max(), abs=0.02 * std)


@pytest.mark.parametrize("value", [0.3, np.float64(0.3), 2])
def test_constant_initializer_matches_keras(value):
    """Bit for bit: a Python float passes through float32 in Keras, a NumPy one does not."""
    ours = initializers.Constant(value)((4, 3), dtype="float64")
    with keras_float_dtype("float64"):
        theirs = keras.initializers.Constant(value)((4, 3)).numpy()
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)
    assert (ours[0, 0] == value) == (type(value) is not float)
    config = keras.initializers.Constant(-1.5).get_config()
    twin = initializers.get({"class_name": "Constant", "config": config})
    np.testing.assert_array_equal(twin((2,)), keras.initializers.Constant(-1.5)((2,)).numpy())


def test_initializer_bounds_and_truncation():
    rng = np.random.default_rng(1)
    fan_in, fan_out = 300, 200
    limit = np.sqrt(6 / (fan_in + fan_out))
    w = initializers.GlorotUniform()((fan_in, fan_out), rng=rng)
    assert -limit <= w.min() < -0.99 * limit and 0.99 * limit < w.max() <= limit
    std = np.sqrt(2 / (fan_in + fan_out)) / 0.87962566103423978
    w = initializers.GlorotNormal()((fan_in, fan_out), rng=rng)
    assert np.abs(w).max() <= 2 * std
    assert w.std() == pytest.approx(np.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    w = initializers.HeUniform()((fan_in, fan_out), rng=rng)
    assert np.abs(w).max() <= np.sqrt(6 / fan_in)
    w = initializers.get("uniform")((100, 100), rng=rng)
    assert (
        -0.05 <= w.min()
        and w.max() <= 0.05
        and w.std() == pytest.approx(0.1 / np.sqrt(12), rel=0.03)
    )
    w = initializers.RandomNormal(mean=1.0, stddev=0.1)((200, 200), rng=rng)
    assert w.mean() == pytest.approx(1.0, abs=0.002) and w.std() == pytest.approx(0.1, rel=0.02)
    assert np.all(initializers.get("zeros")((3, 2)) == 0)
    assert np.all(initializers.get("ones")((3, 2), dtype="float64") == 1)


def test_initializer_seed_and_keras_config():
    a = initializers.GlorotUniform(seed=5)((4, 3))
    b = initializers.GlorotUniform(seed=5)((4, 3))
    np.testing.assert_array_equal(a, b)
    config = keras.initializers.RandomUniform(-0.1, 0.2).get_config()
    twin = initializers.get({"class_name": "RandomUniform", "config": config})
    assert (twin.minval, twin.maxval) == (-0.1, 0.2)
    assert isinstance(twin.to_keras(), keras.initializers.RandomUniform)
    with pytest.raises(ValueError, match="initializer"):
        initializers.get("lecun_magic")


# -- losses on arrays (the clipping path) ---------------------------------------


def _keras_loss_and_grad(keras_loss, y_true, y_pred):
    p = tf.constant(y_pred)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = keras_loss(y_true, p * 1)  # `* 1`: a plain tensor, no cached logits
    return value.numpy(), tape.gradient(value, p).numpy()


LOSS_ARRAYS = [
    ("BinaryCrossentropy", {}, [[1.0], [0.0], [1.0], [0.0]], [[0.9], [0.2], [0.0], [1.0]]),
    ("BinaryCrossentropy", {"from_logits": True}, [[1.0], [0.0]], [[2.0], [-40.0]]),
    ("CategoricalCrossentropy", {}, [[0, 1, 0], [1, 0, 0]], [[0.1, 0.9, 0.0], [0.0, 0.4, 0.6]]),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        [[0, 1, 0], [1, 0, 0]],
        [[0.1, 3.0, -2.0], [-30.0, 0.4, 0.6]],
    ),
    ("SparseCategoricalCrossentropy", {}, [1, 2], [[0.1, 0.9, 0.0], [0.2, 0.2, 0.6]]),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        [[1], [0]],
        [[0.1, 0.9, 5.0], [0.2, -0.2, 0.6]],
    ),
    ("MeanSquaredError", {}, [[1.0, 0.0], [0.5, 2.0]], [[0.7, 0.1], [0.5, -1.0]]),
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("name,kwargs,y_true,y_pred", LOSS_ARRAYS)
def test_loss_on_arrays_matches_keras(name, kwargs, y_true, y_pred, dtype, rtol):
    y_pred = np.asarray(y_pred, dtype=dtype)
    ours = getattr(losses, name)(**kwargs)
    value, grad = ours.value_and_grad(*ours.prepare(y_true, y_pred))
    with keras_float_dtype(dtype):
        keras_value, keras_grad = _keras_loss_and_grad(
            getattr(keras.losses, name)(**kwargs), np.asarray(y_true), y_pred
        )
    assert value == pytest.approx(float(keras_value), rel=rtol)
    assert ours(y_true, y_pred) == pytest.approx(value, rel=1e-12)
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(grad, keras_grad, rtol=rtol, atol=rtol * 1e-3)


def test_loss_shape_errors_are_named():
    with pytest.raises(ValueError, match="shape"):
        losses.BinaryCrossentropy()(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="out of range"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("hinge_ish")


@pytest.mark.parametrize(
    "keras_loss,unsupported",
    [
        (keras.losses.BinaryCrossentropy(reduction="sum"), "reduction='sum'"),
        (keras.losses.BinaryCrossentropy(label_smoothing=0.1), "label_smoothing=0.1"),
        (keras.losses.CategoricalCrossentropy(axis=0), "axis=0"),
        (keras.losses.SparseCategoricalCrossentropy(ignore_class=0), "ignore_class=0"),
        (keras.losses.MeanSquaredError(reduction=None), "reduction=None"),
    ],
)
def test_loss_from_keras_refuses_options_it_would_drop(keras_loss, unsupported):
    with pytest.raises(ValueError, match=f"uses {re.escape(unsupported)}, which the NumPy twin"):
        losses.from_keras(keras_loss)


def test_loss_from_keras_keeps_from_logits_and_accepts_defaults():
    twin = losses.from_keras(keras.losses.BinaryCrossentropy(from_logits=True, name="bce"))
    assert type(twin) is losses.BinaryCrossentropy and twin.from_logits
    y_true, y_pred = np.array([[1.0], [0.0]]), np.array([[0.3], [-2.0]])
    keras_value = keras.losses.BinaryCrossentropy(from_logits=True)(y_true, y_pred)
    assert twin(y_true, y_pred) == pytest.approx(float(keras_value), rel=1e-6)
    explicit = keras.losses.SparseCategoricalCrossentropy(
        reduction="sum_over_batch_size", ignore_class=None
    )
    assert type(losses.from_keras(explicit)) is losses.SparseCategoricalCrossentropy


# -- optimizers -----------------------------------------------------------------

OPTIMIZER_CASES = [
    ("SGD", {}),
    ("SGD", {"learning_rate": 0.1, "momentum": 0.9}),
    ("SGD", {"learning_rate": 0.05, "momentum": 0.8, "nesterov": True}),
    ("Adagrad", {}),
    ("Adagrad", {"learning_rate": 0.1, "initial_accumulator_value": 0.5}),
    ("RMSprop", {}),
    ("RMSprop", {"momentum": 0.5, "centered": True}),
    ("Adam", {}),
    ("Adam", {"learning_rate": 0.01, "beta_1": 0.5, "epsilon": 1e-3}),
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 2e-6)])
@pytest.mark.parametrize("name,kwargs", OPTIMIZER_CASES)
def test_optimizer_steps_match_keras(name, kwargs, dtype, rtol):
    rng = np.random.default_rng(4)
    start = [rng.normal(size=(4, 3)).astype(dtype), rng.normal(size=3).astype(dtype)]
    grads = [
        [(rng.normal(size=w.shape) * 10.0 ** rng.integers(-4, 1)).astype(dtype) for w in start]
        for _ in range(5)
    ]
    ours = [w.copy() for w in start]
    theirs = [tf.Variable(w) for w in start]
    twin = getattr(optimizers, name)(**kwargs)
    with keras_float_dtype(dtype):
        keras_optimizer = getattr(keras.optimizers, name)(**kwargs)
        for step_grads in grads:
            twin.apply(step_grads, ours)
            keras_optimizer.apply_gradients(zip([tf.constant(g) for g in step_grads], theirs))
    assert twin.iterations == 5
    for w, v in zip(ours, theirs):
        assert w.dtype == np.dtype(dtype)
        np.testing.assert_allclose(w, v.numpy(), rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name,kwargs", OPTIMIZER_CASES)
def test_optimizer_steps_update_in_place_without_temporaries(name, kwargs):
    """After the first step (which builds the slots), a step allocates no array:
    everything runs in the slots and the two scratch buffers."""
    rng = np.random.default_rng(5)
    variable, grad = rng.normal(size=100_000), rng.normal(size=100_000)
    twin = getattr(optimizers, name)(**kwargs)
    twin.apply([grad], [variable])
    before = variable.copy()
    tracemalloc.start()
    try:
        twin.apply([grad], [variable])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < variable.nbytes / 10, f"{name} allocated {peak} bytes in one step"
    assert not np.array_equal(variable, before)


def test_optimizer_bridge_and_errors():
    twin = optimizers.from_keras(keras.optimizers.Adam(learning_rate=0.02, beta_2=0.99))
    assert isinstance(twin, optimizers.Adam) and twin.beta_2 == 0.99
    assert twin.learning_rate == pytest.approx(0.02)
    assert isinstance(twin.to_keras(), keras.optimizers.Adam)
    with pytest.raises(ValueError, match="clipnorm"):
        optimizers.from_keras(keras.optimizers.SGD(clipnorm=1.0))
    with pytest.raises(ValueError, match="Nadam"):
        optimizers.from_keras(keras.optimizers.Nadam())
    with pytest.raises(ValueError, match="unknown optimizer"):
        optimizers.get("adamant")


# -- metrics --------------------------------------------------------------------


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


# -- Dropout --------------------------------------------------------------------


def test_dropout_statistics_and_inference():
    layer = ref.Dropout(0.3)
    layer.rng = np.random.default_rng(0)
    x = np.ones((200, 500), dtype="float32")
    y = layer(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.005)
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert y.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the mean
    np.testing.assert_array_equal(layer(x, training=False), x)
    np.testing.assert_array_equal(layer.backprop(np.ones_like(x)), np.ones_like(x))


def _keras_dropout_forward_backward(keras_layer, x, upstream):
    """Keras's training-mode output and dLoss/dx for Loss = sum(output * upstream)."""
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yt = keras_layer(xt, training=True)
        objective = tf.reduce_sum(yt * upstream)
    return yt.numpy(), tape.gradient(objective, xt).numpy()


def test_dropout_with_keras_mask_matches_keras():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.5, size=(8, 6)).astype("float32")
    upstream = rng.normal(size=(8, 6)).astype("float32")
    keras_y, keras_grad = _keras_dropout_forward_backward(
        keras.layers.Dropout(0.4, seed=3), x, upstream
    )
    layer = ref.Dropout(0.4)
    layer.fixed_mask = keras_y != 0  # recover Keras's mask, inject it
    y = layer(x, training=True)
    np.testing.assert_allclose(y, keras_y, rtol=1e-6)
    np.testing.assert_allclose(layer.backprop(upstream), keras_grad, rtol=1e-6)
    with pytest.raises(ValueError, match="rate"):
        ref.Dropout(1.5)


def test_dropout_noise_shape_matches_keras():
    """noise_shape (None, 1, 6): one mask per sample and feature, shared along axis 1."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0.5, 1.5, size=(8, 5, 6)).astype("float32")
    upstream = rng.normal(size=x.shape).astype("float32")
    keras_layer = keras.layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=4)
    keras_y, keras_grad = _keras_dropout_forward_backward(keras_layer, x, upstream)
    keras_kept = keras_y != 0
    assert (keras_kept == keras_kept[:, :1]).all() and 0 < keras_kept.mean() < 1
    twin = ref.from_keras(keras.Sequential([keras.Input((5, 6)), keras_layer])).layers[0]
    assert twin.noise_shape == (None, 1, 6)
    twin.fixed_mask = keras_kept[:, :1]
    np.testing.assert_allclose(twin(x, training=True), keras_y, rtol=1e-6)
    np.testing.assert_allclose(twin.backprop(upstream), keras_grad, rtol=1e-6)
    twin.fixed_mask, twin.rng = None, np.random.default_rng(0)  # its own draw: same shape
    kept = twin(np.ones((400, 5, 6), "float32"), training=True) != 0
    assert twin.mask.shape == (400, 1, 6) and (kept == kept[:, :1]).all()
    assert kept.mean() == pytest.approx(0.5, abs=0.02)


# -- EarlyStopping ----------------------------------------------------------------


class _FakeModel:
    def __init__(self):
        self.stop_training = False
        self.weights = [np.zeros(1)]
        self.epoch = 0

    def get_weights(self):
        return [np.array([float(self.epoch)])]

    def set_weights(self, weights):
        self.weights = weights


@pytest.mark.parametrize(
    "kwargs",
    [
        {"patience": 2},
        {"patience": 0},
        {"patience": 3, "min_delta": 0.05},
        {"patience": 2, "restore_best_weights": True},
        {"monitor": "val_accuracy", "mode": "max", "patience": 1, "restore_best_weights": True},
        {"patience": 1, "baseline": 0.5, "restore_best_weights": True},
    ],
)
def test_early_stopping_matches_keras(kwargs):
    val_loss = [1.0, 0.8, 0.82, 0.79, 0.81, 0.85, 0.7, 0.9, 0.95, 0.99]
    stops = []
    for callback in (ref.EarlyStopping(**kwargs), keras.callbacks.EarlyStopping(**kwargs)):
        model = _FakeModel()
        if isinstance(callback, keras.callbacks.Callback):
            callback.set_model(model)
        else:
            callback.model = model
        callback.on_train_begin()
        for epoch, value in enumerate(val_loss):
            model.epoch = epoch
            callback.on_epoch_end(epoch, {"val_loss": value, "val_accuracy": 1 - value})
            if model.stop_training:
                break
        callback.on_train_end()
        stops.append((epoch, float(model.weights[0][0])))
    assert stops[0] == stops[1]


# -- the model API ----------------------------------------------------------------


def _churn_like(n=300, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 11))
    return x, (x[:, 0] - x[:, 1] > 0).astype(int)


def _churn_net(seed=0, dtype="float32"):
    model = ref.Sequential(
        [
            ref.Input((11,)),
            ref.Dense(6, activation="relu"),
            ref.Dense(6, activation="relu"),
            ref.Dense(1, activation="sigmoid"),
        ],
        seed=seed,
        dtype=dtype,
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_fit_learns_and_logs_like_keras():
    x, y = _churn_like()
    model = _churn_net()
    model.compile(
        optimizer=ref.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    history = model.fit(x, y, batch_size=10, epochs=15, validation_split=0.2, verbose=0)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.epoch == list(range(15))
    assert history.history["loss"][-1] < 0.6 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9
    loss, accuracy = model.evaluate(x[240:], y[240:], verbose=0)
    assert loss == pytest.approx(history.history["val_loss"][-1], rel=1e-6)
    assert accuracy == pytest.approx(history.history["val_accuracy"][-1])
    predictions = model.predict(x)
    assert predictions.shape == (300, 1) and predictions.dtype == np.float32
    np.testing.assert_allclose(predictions, model(x), rtol=1e-6)


def test_same_seed_same_run_and_different_seed_differs():
    x, y = _churn_like(100)
    runs = []
    for seed in (7, 7, 8):
        model = _churn_net(seed)
        model.fit(x, y, batch_size=10, epochs=2, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(runs[0][0], runs[2][0])


def test_early_stopping_restores_best_weights_in_fit():
    x, y = _churn_like(200)
    model = _churn_net(1)
    snapshots = []

    class Snapshot(ref.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append((logs["val_loss"], self.model.get_weights()))

    stopper = ref.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(
        x,
        y,
        batch_size=50,
        epochs=40,
        validation_split=0.5,
        verbose=0,
        callbacks=[Snapshot(), stopper],
        validation_data=None,
    )
    best_loss, best_weights = min(snapshots, key=lambda s: s[0])
    for a, b in zip(model.get_weights(), best_weights):
        np.testing.assert_array_equal(a, b)
    assert len(history.epoch) == len(snapshots)


def test_validation_split_holds_out_the_last_samples():
    x, y = _churn_like(100)
    model = _churn_net()
    history = model.fit(
        x, y, batch_size=10, epochs=1, validation_split=0.25, shuffle=False, verbose=0
    )
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[75:], y[75:], verbose=0)[0], rel=1e-6
    )


def test_bad_input_is_rejected_before_training():
    x, y = _churn_like(50)
    model = _churn_net()
    weights = None
    with pytest.raises(ValueError, match=r"shape \(50, 10\)"):
        model.fit(x[:, :10], y, verbose=0)
    weights = model.get_weights()
    bad = x.copy()
    bad[7, 3] = np.nan
    with pytest.raises(ValueError, match="^x contains NaN .*row 7"):
        model.fit(bad, y, verbose=0)
    with pytest.raises(ValueError, match="^validation x contains NaN .*row 7"):
        model.fit(x, y, verbose=0, validation_data=(bad, y))
    bad_y = y.astype("float64")
    bad_y[4] = np.inf
    with pytest.raises(ValueError, match="^validation y contains NaN .*row 4"):
        model.fit(x, y, verbose=0, validation_data=(x, bad_y))
    with pytest.raises(ValueError, match="49 samples"):
        model.fit(x, y[:49], verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        model.fit(x, y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="validation_split"):
        model.fit(x, y, validation_split=1.0, verbose=0)
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="compile"):
        ref.Sequential([ref.Input((3,)), ref.Dense(1)]).fit(np.zeros((2, 3)), np.zeros(2))
    with pytest.raises(ValueError, match="expects 6 weight arrays"):
        model.set_weights(weights[:2])
    with pytest.raises(ValueError, match="kernel"):
        model.layers[0].set_weights([np.zeros((3, 3)), np.zeros(6)])


def test_summary_weights_and_float64():
    model = _churn_net(dtype="float64")
    model.build()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    text = out.getvalue()
    assert "Total params: 121" in text and "(None, 6)" in text
    assert model.count_params() == 121
    assert all(w.dtype == np.float64 for w in model.get_weights())
    x, y = _churn_like(40)
    model.fit(x, y, batch_size=10, epochs=1, verbose=0)
    assert model.predict(x).dtype == np.float64


def test_progress_display_looks_like_keras():
    x, y = _churn_like(40)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        _churn_net().fit(x, y, batch_size=10, epochs=2, verbose=2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 - ") and "loss: " in lines[1] and "accuracy: " in lines[1]


def test_keras_bridge_round_trip():
    keras_model = keras.Sequential(
        [
            keras.Input((11,)),
            keras.layers.Dense(6, activation="relu", kernel_initializer="uniform"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    keras_model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    twin = ref.from_keras(keras_model)
    assert [type(layer).__name__ for layer in twin.layers] == ["Dense", "Dropout", "Dense"]
    assert twin.layers[0].kernel_initializer.get_config()["maxval"] == 0.05
    assert isinstance(twin.optimizer, optimizers.Adam)
    assert twin.optimizer.learning_rate == pytest.approx(0.01)
    assert twin.loss.name == "binary_crossentropy" and twin.metrics == ["accuracy"]
    x, _ = _churn_like(20)
    np.testing.assert_allclose(
        twin.predict(x), keras_model.predict(x, verbose=0), rtol=1e-5, atol=1e-7
    )
    back = twin.to_keras()
    assert [type(layer).__name__ for layer in back.layers] == ["Dense", "Dropout", "Dense"]
    assert back.layers[1].rate == 0.1
    np.testing.assert_allclose(back.predict(x, verbose=0), twin.predict(x), rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="LSTM"):
        ref.from_keras(keras.Sequential([keras.Input((3, 2)), keras.layers.LSTM(2)]))


def test_validation_data_and_unsupported_keras_settings():
    x, y = _churn_like(60)
    model = _churn_net()
    history = model.fit(
        x[:40], y[:40], batch_size=10, epochs=2, verbose=0, validation_data=(x[40:], y[40:])
    )
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[40:], y[40:], verbose=0)[0], rel=1e-6
    )
    with pytest.raises(ValueError, match=r"validation x has shape \(20, 3\)"):
        model.fit(x[:40], y[:40], verbose=0, validation_data=(x[40:, :3], y[40:]))
    with pytest.raises(ValueError, match="kernel_regularizer"):
        ref.from_keras(
            keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_regularizer="l2")])
        )


def test_float64_twin_to_keras_keeps_dtype_and_outputs():
    model = ref.Sequential(
        [ref.Input((3,)), ref.Dense(4, activation="elu"), ref.Dense(2)], seed=3, dtype="float64"
    )
    x = np.random.default_rng(0).normal(size=(5, 3))
    with keras_float_dtype("float64"):
        keras_model = model.to_keras()
        assert all(w.dtype == "float64" for w in keras_model.weights)
        np.testing.assert_allclose(keras_model.predict(x, verbose=0), model.predict(x), rtol=1e-13)


def test_tutorial_style_input_dim_builds_at_once_like_keras():
    x, y = _churn_like(40)
    model = ref.Sequential(
        [
            ref.Dense(6, kernel_initializer="uniform", activation="relu", input_dim=11),
            ref.Dense(6, kernel_initializer="uniform", activation="relu"),
            ref.Dense(1, kernel_initializer="uniform", activation="sigmoid"),
        ],
        seed=0,
    )
    # Keras 3 builds a Sequential whose first layer declares its input at once.
    assert model.input_shape == (None, 11) and model.built and model.count_params() == 121
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=10, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    fresh = ref.Sequential([ref.Dense(6, kernel_initializer="uniform", input_dim=11)], seed=0)
    assert 0.04 < np.abs(fresh.layers[0].kernel).max() <= 0.05  # "uniform": U(-0.05, 0.05)
