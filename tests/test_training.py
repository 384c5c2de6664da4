"""deepkit.training: the seeded validation carve and the engine switch."""

import numpy as np
import pandas as pd
import pytest

from deepkit.training import ENGINES, TRAINERS, carve_validation, fit, fit_reference


def _data(n=1000):
    x = np.arange(2 * n, dtype=np.float32).reshape(n, 2)
    y = (np.arange(n) % 5 == 0).astype(np.float32)  # 20% positives
    return x, y


def test_carve_holds_out_the_fraction_disjointly_and_is_seeded():
    x, y = _data()
    (x_fit, y_fit), (x_val, y_val) = carve_validation(x, y, 0.15, seed=1)
    assert len(x_val) == 150 and len(x_fit) == 850
    rows = np.concatenate([x_fit[:, 0], x_val[:, 0]])
    assert sorted(rows) == sorted(x[:, 0])  # every row once
    again = carve_validation(x, y, 0.15, seed=1)[1][0]
    other = carve_validation(x, y, 0.15, seed=2)[1][0]
    assert np.array_equal(x_val, again) and not np.array_equal(x_val, other)


def test_stratified_carve_keeps_class_proportions_and_frames():
    x, y = _data()
    frame = pd.DataFrame(x, columns=["a", "b"])
    (f_fit, y_fit), (f_val, y_val) = carve_validation(frame, y, 0.2, seed=0, stratify=True)
    assert isinstance(f_val, pd.DataFrame) and len(f_val) == 200
    assert y_val.mean() == pytest.approx(0.2) and y_fit.mean() == pytest.approx(0.2)
    assert np.array_equal(y_val, y[f_val.index.to_numpy()])  # labels follow their rows


def test_carve_and_fit_refuse_bad_arguments():
    x, y = _data()
    with pytest.raises(ValueError, match="fraction"):
        carve_validation(x, y, 1.0, seed=0)
    with pytest.raises(ValueError, match="rows"):
        carve_validation(x, y[:10], 0.1, seed=0)
    with pytest.raises(ValueError, match="epochs must be an int >= 1"):
        fit_reference(None, x, y, epochs=0, batch_size=8)
    with pytest.raises(ValueError, match="validation_data"):
        fit(None, x, y, epochs=1, batch_size=8, patience=2)


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_stops_early_on_monitor_and_returns_float_history(engine):
    from deepkit.models.dense import mlp

    x, y = _data(200)
    x = (x - x.mean(0)) / x.std(0)
    model = mlp(
        2,
        (4, 1),
        ["relu", "sigmoid"],
        optimizer="adam",
        learning_rate=1e-20,
        loss="binary_crossentropy",
        metrics=["accuracy"],
        seed=0,
    )
    # a step below float32's resolution: val_loss never improves, so training stops after
    # 1 + patience epochs
    trained, history = TRAINERS[engine](
        model,
        x,
        y,
        epochs=20,
        batch_size=50,
        validation_data=(x, y),
        patience=2,
        seed=0,
    )
    assert len(history["loss"]) == 3 and all(isinstance(v, float) for v in history["val_loss"])
    assert (type(trained).__module__.startswith("deepkit.reference")) == (engine == "numpy")


def _diverging_net(steps_per_execution=1):
    from deepkit.models.dense import mlp

    return mlp(
        2,
        (4, 1),
        ["relu", "sigmoid"],
        optimizer="sgd",
        learning_rate=1e30,
        loss="binary_crossentropy",
        steps_per_execution=steps_per_execution,
        seed=0,
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_fit_stops_a_diverging_run_with_a_clear_error(engine):
    from deepkit.validation import InputError

    x, y = _data(200)
    with pytest.raises(InputError, match=r"^training diverged at epoch 1, batch \d+: loss is "):
        with np.errstate(over="ignore", invalid="ignore"):
            TRAINERS[engine](_diverging_net(), x, y, epochs=5, batch_size=10, seed=0)
    # ... where Keras's own TerminateOnNaN returns as if training had ended.
    import keras

    history = _diverging_net().fit(
        x, y, batch_size=10, epochs=5, verbose=0, callbacks=[keras.callbacks.TerminateOnNaN()]
    )
    assert len(history.history["loss"]) == 1 and np.isnan(history.history["loss"][0])


def test_raise_on_nan_names_epoch_batch_and_learning_rate():
    from deepkit.divergence import RaiseOnNaN
    from deepkit.validation import InputError

    callback = RaiseOnNaN()
    callback.set_model(_diverging_net(steps_per_execution=20))
    callback.on_epoch_begin(2)
    callback.on_batch_end(19, {"loss": 0.7})  # finite: nothing happens
    for value in (float("nan"), float("inf")):
        message = f"training diverged at epoch 3, batch 20: loss is {value}; "
        with pytest.raises(InputError, match=message + r"lower the learning rate \(1e\+30 now\)"):
            callback.on_batch_end(19, {"loss": np.float32(value)})
    with pytest.raises(InputError, match="batch 5: g_loss is nan; "):
        callback.on_batch_end(4, {"d_loss": 0.6, "g_loss": float("nan")})
