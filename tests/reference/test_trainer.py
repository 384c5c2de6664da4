"""The NumPy reference's ``Trainer`` (deepkit.reference.trainer): ``fit``, ``evaluate`` and
``predict`` learn and log like Keras (seeds, early stopping, validation splits and data,
input checks, progress display); a model that does not learn by backprop plugs in through
``train_step``; ``fit`` shuffles with the model's generator; validation runs without dropout."""

import contextlib
import io

import keras
import numpy as np
import pytest
from reference_churn import churn_like, churn_net

from deepkit import reference as ref


def test_fit_learns_and_logs_like_keras():
    x, y = churn_like()
    model = churn_net()
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
    x, y = churn_like(100)
    runs = []
    for seed in (7, 7, 8):
        model = churn_net(seed)
        model.fit(x, y, batch_size=10, epochs=2, verbose=0)
        runs.append(model.get_weights())
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(runs[0][0], runs[2][0])


def test_early_stopping_restores_best_weights_in_fit():
    x, y = churn_like(200)
    model = churn_net(1)
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
    x, y = churn_like(100)
    model = churn_net()
    history = model.fit(
        x, y, batch_size=10, epochs=1, validation_split=0.25, shuffle=False, verbose=0
    )
    assert history.history["val_loss"][0] == pytest.approx(
        model.evaluate(x[75:], y[75:], verbose=0)[0], rel=1e-6
    )


def test_bad_input_is_rejected_before_training():
    x, y = churn_like(50)
    model = churn_net()
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


def test_progress_display_looks_like_keras():
    x, y = churn_like(40)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        churn_net().fit(x, y, batch_size=10, epochs=2, verbose=2)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 - ") and "loss: " in lines[1] and "accuracy: " in lines[1]


def test_validation_data_and_unsupported_keras_settings():
    x, y = churn_like(60)
    model = churn_net()
    history = model.fit(
        x[:40], y[:40], batch_size=10, epochs=2, verbose=0, validation_data=(x[40:], y[40:])
    )
    assert history.history["val_loss"][-1] == pytest.approx(
        model.evaluate(x[40:], y[40:], verbose=0)[0], rel=1e-6
    )
    with pytest.raises(ValueError, match=r"validation x has shape \(20, 3\)"):
        model.fit(x[:40], y[:40], verbose=0, validation_data=(x[40:, :3], y[40:]))
    with pytest.raises(ValueError, match="lora_rank"):
        ref.from_keras(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, lora_rank=1)]))


def test_a_diverging_loss_stops_fit_with_the_batch_and_the_learning_rate():
    x, y = churn_like(60)
    model = churn_net(seed=2)
    model.compile(optimizer=ref.optimizers.SGD(1e30), loss="binary_crossentropy")
    start = model.get_weights()
    with pytest.raises(ref.InputError) as caught, np.errstate(over="ignore", invalid="ignore"):
        model.fit(x, y, batch_size=10, epochs=3, shuffle=False, verbose=0)
    # The same steps by hand: the first batch whose loss is not finite is the one named.
    by_hand = churn_net(seed=2)
    by_hand.compile(optimizer=ref.optimizers.SGD(1e30), loss="binary_crossentropy")
    by_hand.set_weights(start)
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):
        while len(losses) < 18 and (not losses or np.isfinite(losses[-1])):
            start_row = 10 * (len(losses) % 6)
            losses.append(
                by_hand.train_on_batch(x[start_row : start_row + 10], y[start_row : start_row + 10])
            )
    epoch, batch = divmod(len(losses) - 1, 6)
    assert not np.isfinite(losses[-1]) and len(losses) > 1  # some steps were finite
    assert str(caught.value) == (
        f"training diverged at epoch {epoch + 1}, batch {batch + 1}: loss is {losses[-1]}; "
        "lower the learning rate (1e+30 now)"
    )
    # Training stopped there: the weights are those after that batch, not after 3 epochs.
    for a, b in zip(model.get_weights(), by_hand.get_weights()):
        np.testing.assert_array_equal(a, b)


class RunningMean(ref.Sequential):
    """A model whose training step is not backprop: the bias of its one Dense
    layer moves towards the batch mean of x by ``rate`` (an exponential average)."""

    rate = 0.5

    def train_step(self, x, y):
        bias = self.layers[0].bias
        bias += self.rate * (x.mean(axis=0) - bias)
        return {"loss": float(np.mean((x - bias) ** 2)), "distance": float(np.abs(bias).sum())}

    def test_step(self, x, y):
        return {"loss": float(np.mean((x - self.layers[0].bias) ** 2))}

    def _prepare_y(self, y, n, what="y"):
        return None  # unsupervised: no targets


def test_a_custom_train_step_gets_fit_history_callbacks_and_validation():
    model = RunningMean([ref.Input((3,)), ref.Dense(3)], seed=0)
    model.compile(optimizer="sgd")
    x = np.random.default_rng(0).normal(loc=[1.0, -2.0, 3.0], size=(64, 3))
    seen = []

    class Spy(ref.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(logs["distance"])

    stopper = ref.EarlyStopping(monitor="val_loss", patience=0, min_delta=10.0)
    history = model.fit(
        x,
        batch_size=16,
        epochs=5,
        verbose=0,
        callbacks=[Spy(), stopper],
        validation_data=(x[:8], None),
    )
    # Four batches per epoch, batch logs are running means over the epoch so far.
    assert len(seen) == 4 * len(history.epoch)
    assert set(history.history) == {"loss", "distance", "val_loss"}
    # The step itself ran: the bias learned the data mean (it started at zero).
    np.testing.assert_allclose(model.layers[0].bias, x.mean(axis=0), atol=0.35)
    assert history.history["loss"][-1] < history.history["loss"][0]
    # EarlyStopping with an impossible min_delta stops after its patience.
    assert len(history.epoch) == 2


def _dropout_net(seed=0):
    model = ref.Sequential(
        [ref.Input((4,)), ref.Dense(8, activation="relu"), ref.Dropout(0.5), ref.Dense(1)],
        seed=seed,
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_fit_shuffles_each_epoch_with_the_models_generator():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 1))
    shuffled, by_hand, in_order = _dropout_net(), _dropout_net(), _dropout_net()
    shuffled.fit(x, y, batch_size=4, epochs=2, verbose=0)
    in_order.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
    for _ in range(2):  # what fit must do: one permutation per epoch from model.rng
        order = by_hand.rng.permutation(len(x))
        for start in range(0, len(x), 4):
            by_hand.train_on_batch(x[order[start : start + 4]], y[order[start : start + 4]])
    for a, b in zip(shuffled.get_weights(), by_hand.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(shuffled.get_weights()[0], in_order.get_weights()[0])


def test_validation_and_evaluate_run_without_dropout():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(30, 4)), rng.normal(size=(30, 1))
    model = _dropout_net()
    history = model.fit(x, y, batch_size=10, epochs=1, verbose=0, validation_data=(x, y))
    expected = float(np.mean((model.predict(x) - y) ** 2))
    assert history.history["val_loss"][0] == pytest.approx(expected, rel=1e-6)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(expected, rel=1e-6)
    # ... while a training-mode pass differs (the dropout masks are real).
    assert float(np.mean((model(x, training=True) - y) ** 2)) != pytest.approx(expected, rel=1e-3)


class TwoLosses(RunningMean):
    """Logs a GAN's two losses; the second batch's d_loss is infinite."""

    def train_step(self, x, y):
        self.steps = getattr(self, "steps", 0) + 1
        return {"d_loss": float("inf") if self.steps == 2 else 0.5, "g_loss": 0.7}


def test_any_diverging_loss_of_a_custom_step_stops_fit():
    model = TwoLosses([ref.Input((3,)), ref.Dense(3)], seed=0)
    model.compile(optimizer=ref.optimizers.SGD(0.25))
    x = np.zeros((64, 3))
    message = (
        r"^training diverged at epoch 1, batch 2: d_loss is inf; lower the learning rate \(0.25"
    )
    with pytest.raises(ref.InputError, match=message):
        model.fit(x, batch_size=16, epochs=3, verbose=0)
    assert model.steps == 2  # stopped at once
