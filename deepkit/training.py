"""Training shared by the recipes: one engine switch and one validation carve.

``ENGINES``
    ``("keras", "numpy")``: train the Keras model itself, or its NumPy twin
    (``deepkit.reference.from_keras``: same layers, weights, compile settings).

``fit(model, x, y, *, engine="keras", epochs, batch_size, validation_data=None,
patience=None, monitor="val_loss", seed=0, verbose=0)``
    Trains ``model`` (or its twin) and returns ``(trained_model, history)``,
    ``history`` a dict ``{metric: [float per epoch]}``. With ``patience``,
    training stops once ``monitor`` on ``validation_data`` has not improved for
    that many epochs, and the best weights are restored.

``carve_validation(x, y, fraction, *, seed, stratify=False)``
    Holds out ``round(fraction * len(x))`` rows as a validation set and returns
    ``(x_fit, y_fit), (x_val, y_val)``. Seeded; ``stratify=True`` keeps the class
    proportions of ``y`` in both parts. ``x`` may be an array or a DataFrame.
    ``fraction=0`` gives an empty validation set.
"""

import numpy as np

from deepkit.reference.validation import InputError, check_choice, check_int

ENGINES = ("keras", "numpy")


def fit(
    model,
    x,
    y,
    *,
    engine="keras",
    epochs,
    batch_size,
    validation_data=None,
    patience=None,
    monitor="val_loss",
    seed=0,
    verbose=0,
):
    """Fit ``model`` (``engine="keras"``) or its NumPy twin (``"numpy"``); return ``(model, history)``."""
    check_choice(engine, "engine", ENGINES)
    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=1)
    if patience is not None:
        check_int(patience, "patience", min_value=0)
    if patience is not None and validation_data is None:
        raise InputError("early stopping (patience) needs validation_data")
    if engine == "numpy":
        from deepkit.reference import EarlyStopping, from_keras

        model = from_keras(model, seed=seed)
    else:
        from keras.callbacks import EarlyStopping
    callbacks = []
    if patience is not None:
        callbacks.append(
            EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)
        )
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation_data,
        callbacks=callbacks,
        verbose=verbose,
    )
    history = getattr(history, "history", history)
    return model, {name: [float(v) for v in values] for name, values in history.items()}


def carve_validation(x, y, fraction, *, seed, stratify=False):
    """``(x_fit, y_fit), (x_val, y_val)``: ``fraction`` of the rows held out, seeded by ``seed``."""
    if not 0.0 <= fraction < 1.0:
        raise InputError(f"validation fraction must be in [0, 1), got {fraction!r}")
    if len(x) != len(y):
        raise InputError(f"x has {len(x)} rows but y has {len(y)}")
    n_val = int(round(fraction * len(x)))
    if stratify and n_val:
        from sklearn.model_selection import StratifiedShuffleSplit

        fit_rows, val_rows = next(
            StratifiedShuffleSplit(1, test_size=n_val, random_state=seed).split(x, y)
        )
    else:
        order = np.random.default_rng(seed).permutation(len(x))
        val_rows, fit_rows = order[:n_val], order[n_val:]
    return (_take(x, fit_rows), _take(y, fit_rows)), (_take(x, val_rows), _take(y, val_rows))


def _take(data, rows):
    return data.iloc[rows] if hasattr(data, "iloc") else data[rows]
