"""Fine-tuning: each init keeps the candidate learning rate best on the validation split,
the rate decaying per epoch; with ``refit``, the kept net is that rate and schedule trained
again, for the best epoch count, on the training and validation images together."""

import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit import training
from deepkit.models.dbn import pretrain
from deepkit.recipes.dbn import compare_inits
from deepkit.recipes.mnist_classifier import load, prepare

BUDGET = dict(learning_rates=(1e-7, 0.3), seed=0, epochs=3, batch_size=50, patience=3)


@pytest.fixture(scope="module")
def setup():
    """Pretrained RBMs and ``(train, validation, test)``: 500, 100 and 100 images."""
    (x, y), (x_test, y_test) = load(600, SUBSET)
    x, x_test = prepare(x, flat=True), prepare(x_test, flat=True)
    rbms = pretrain(x[:500], (32,), epochs=1, batch_size=50)
    return rbms, ((x[:500], y[:500]), (x[500:], y[500:]), (x_test, y_test))


@pytest.fixture(scope="module")
def compared(setup):
    """``compare_inits`` with a rate halving each epoch and the refit."""
    rbms, data = setup
    return compare_inits(rbms, (32,), data, refit=True, decay=0.5, **BUDGET)


def test_each_init_keeps_the_learning_rate_best_on_validation(setup, compared):
    (x_test, y_test) = setup[1][2]
    errors, rates, histories, _ = compared
    # 1e-7 cannot move the weights in 3 epochs; the validation split must say so
    assert rates == {"pretrained": 0.3, "random init": 0.3}
    chance = 1 - np.bincount(y_test).max() / len(y_test)
    assert errors["pretrained"] < chance - 0.2 and set(histories) == set(rates)


def test_the_rate_halves_each_epoch_and_the_refit_replays_it_for_the_best_epochs(setup, compared):
    import keras

    from deepkit.models.dbn import dbn

    rbms, data = setup
    (x, y), (x_val, y_val), _ = data
    _, rates, histories, models = compared
    rate = rates["pretrained"]
    np.testing.assert_allclose(histories["pretrained"]["learning_rate"], [rate, rate / 2, rate / 4])
    epochs = int(np.argmax(histories["pretrained"]["val_accuracy"])) + 1
    expected = dbn(784, (32,), 10, rbms=rbms, optimizer=keras.optimizers.SGD(rate, momentum=0.9))
    x_all, y_all = np.concatenate([x, x_val]), np.concatenate([y, y_val])
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch: rate * 0.5**epoch)
    training.fit(expected, x_all, y_all, epochs=epochs, batch_size=50, callbacks=[schedule])
    for kept, want in zip(models["pretrained"].get_weights(), expected.get_weights()):
        np.testing.assert_array_equal(kept, want)
