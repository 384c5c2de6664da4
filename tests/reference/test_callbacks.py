"""The NumPy reference's EarlyStopping against Keras's on the same validation losses."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref


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
