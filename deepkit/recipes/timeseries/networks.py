"""The two networks, each trained from scratch on one origin's past and forecasting all
``horizon`` steps at once.

- LSTM: ``deepkit.models.rnn.rnn_forecaster`` reads ``window`` past first differences
  d_t = y_t - y_{t-1} (scaled by their training standard deviation) and outputs the next
  ``horizon`` differences; the forecast is the last value plus their running sum. Its
  epochs stop early on windows carved (seeded) from the training part.
- hybrid (as the M4 winner ES-RNN: a classical model carries level and season, a network
  learns what it misses): a ``deepkit.models.dense.mlp`` with one hidden layer reads the
  last ``window`` seasonal differences z_t = y_t - y_{t-m}, minus the mean of the last m of
  them and divided by the standard deviation s of z over the training part, and outputs
  r_h, h = 1..horizon; the forecast is f[T, h] + s * r_h, f a base of ``bases`` (a
  classical forecast made at the origin T). It learns r from every earlier time t of the
  training part, target (y_{t+h} - f[t, h]) / s, for a fixed number of epochs. Its output
  layer starts at zero, so training starts from the classical forecast itself.
"""

import contextlib
import logging

import numpy as np


def difference_windows(diffs, window, horizon):
    """(X, Y): every ``window`` consecutive differences, shaped (n, window, 1), and the
    ``horizon`` differences that follow them, (n, horizon)."""
    n = len(diffs) - window - horizon + 1
    starts = np.arange(n)[:, None]
    x = diffs[starts + np.arange(window)][..., None]
    y = diffs[starts + window + np.arange(horizon)]
    return x.astype("float32"), y.astype("float32")


def _fit(engine, model, x, y, **options):
    """``training.TRAINERS[engine]``; Keras's epochs run as one graph call each (small
    models, many epochs)."""
    from deepkit import training

    feed = {"feed": "graph"} if engine == "keras" else {}
    return training.TRAINERS[engine](model, x, y, **options, **feed)


def lstm(train, horizon, *, window, units, epochs, seed, engine="keras"):
    """The LSTM's forecast from ``train`` and the epochs it trained, on ``engine``."""
    from deepkit import training
    from deepkit.models.rnn import rnn_forecaster
    from deepkit.seeding import set_seed

    diffs = np.diff(train)
    scale = diffs.std() or 1.0
    x, y = difference_windows(diffs / scale, window, horizon)
    (x_fit, y_fit), validation = training.carve_validation(x, y, 0.15, seed=seed)
    set_seed(seed)
    model = rnn_forecaster("lstm", units, window, 1, horizon, learning_rate=0.003, seed=seed)
    model, history = _fit(
        engine,
        model,
        x_fit,
        y_fit,
        epochs=epochs,
        batch_size=16,
        validation_data=validation,
        patience=20,
        monitor="val_loss",
        seed=seed,
    )
    last = (diffs[-window:] / scale).astype("float32")[None, :, None]
    steps = np.asarray(model.predict(last, verbose=0))[0] * scale
    return train[-1] + np.cumsum(steps), len(history["loss"])


def hybrid_first_time(window, season):
    """The first time whose inputs the hybrid reads: its ``window`` seasonal differences
    start two seasons in, after the bases' start-up."""
    return window + 2 * season - 1


def growth_inputs(train, times, window, season, scale):
    """The hybrid's inputs at each of ``times``: (len(times), window), float32."""
    growth = np.full(len(train), np.nan)
    growth[season:] = train[season:] - train[:-season]
    rows = growth[np.asarray(times)[:, None] - np.arange(window)[::-1]]
    return ((rows - rows[:, -season:].mean(1, keepdims=True)) / scale).astype("float32")


def hybrid_model(window, units, horizon, dropout, seed):
    """The hybrid's network: ``window`` inputs, one ReLU layer of ``units``, ``horizon``
    linear outputs, compiled (MSE, Adam at 0.003); its output layer's kernel set to zero
    (its bias starts at zero), so it outputs zero until trained."""
    import keras

    from deepkit.models.dense import mlp

    model = mlp(window, [units, horizon], ["relu", "linear"], dropout=dropout, loss="mse",
                learning_rate=0.003, seed=seed)  # fmt: skip
    head = model.layers[-1]
    head.kernel.assign(keras.ops.zeros(head.kernel.shape))
    return model


def hybrid(train, paths, horizon, season, *, window, units, epochs, dropout, seed, engine="keras"):
    """The hybrid's forecast from ``train``: the base ``paths``' last row, corrected; the
    network trained on ``engine``."""
    from deepkit.seeding import set_seed

    scale = np.std(train[season:] - train[:-season]) or 1.0
    times = np.arange(hybrid_first_time(window, season), len(train) - horizon)
    steps = np.arange(1, horizon + 1)
    x = growth_inputs(train, times, window, season, scale)
    y = ((train[times[:, None] + steps] - paths[times]) / scale).astype("float32")
    set_seed(seed)
    model = hybrid_model(window, units, horizon, dropout, seed)
    model, _ = _fit(engine, model, x, y, epochs=epochs, batch_size=32, seed=seed)
    last = growth_inputs(train, [len(train) - 1], window, season, scale)
    return paths[-1] + np.asarray(model.predict(last, verbose=0))[0] * scale


def _not_a_retracing_note(record):
    return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def without_retracing_notes():
    """TensorFlow's notes that a function was traced again, dropped while the block runs:
    every origin trains new models, and each traces its own steps."""
    logger = logging.getLogger("tensorflow")
    logger.addFilter(_not_a_retracing_note)
    try:
        yield
    finally:
        logger.removeFilter(_not_a_retracing_note)
