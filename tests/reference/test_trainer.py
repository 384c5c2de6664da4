"""The twin's Trainer: a model that does not learn by backprop plugs in through
``train_step``; ``fit`` shuffles with the model's generator; validation runs
without dropout."""

import numpy as np
import pytest

from deepkit import reference as ref


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
