"""The twin's ``fit``/``evaluate``/``predict`` (deepkit.reference.trainer): learning, logs,
seeds, early stopping, validation splits and data, input checks, progress display."""

import contextlib
import io

import keras
import numpy as np
import pytest
from twin_churn import churn_like, churn_net

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
    with pytest.raises(ValueError, match="kernel_regularizer"):
        ref.from_keras(
            keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_regularizer="l2")])
        )


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
