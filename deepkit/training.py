"""Training shared by the recipes: one engine switch and one validation carve.

``ENGINES``
    ``("keras", "numpy")``: train the Keras model itself, or its NumPy twin
    (``deepkit.reference.from_keras``: same layers, weights, compile settings).

``fit(model, x, y, *, engine="keras", epochs, batch_size, validation_data=None,
patience=None, monitor="val_loss", seed=0, verbose=0, strategy=None, checkpoint_dir=None,
epoch_loop=None, callbacks=())``
    Trains ``model`` (or its twin) and returns ``(trained_model, history)``,
    ``history`` a dict ``{metric: [float per epoch]}``. With ``patience``,
    training stops once ``monitor`` on ``validation_data`` has not improved for
    that many epochs, and the best weights are restored.
    With a ``strategy`` (``deepkit.distribute``; the model must have been built in
    its scope) or a ``checkpoint_dir``, the data is fed as a ``tf.data`` pipeline
    whose order depends only on (seed, epoch), ``batch_size`` is the global batch
    split over the replicas, and ``deepkit.checkpoints.Checkpoint`` saves every
    epoch in ``checkpoint_dir``, so a killed run resumes where it stopped (and a
    folder holding a run with other ``run_arguments`` is refused; early stopping's
    state is resumed too, ``deepkit.early_stopping``). ``checkpoint_dir`` may also be a
    ``Checkpoint`` stage of a multi-training run (``Checkpoint.stage``).
    ``epoch_loop="graph"`` or ``"xla"`` runs each epoch as one graph call
    (``deepkit.epoch_loop``: rows shuffled by (seed, epoch); ``"graph"`` is bit for
    bit Keras's step, ``"xla"`` compiles the loop with XLA, faster, equal to float32
    rounding), for small models on one device; ``None`` is Keras's own loop.
    ``callbacks`` are the caller's own Keras callbacks, run after deepkit's.
    A loss that becomes NaN or infinite stops training with an ``InputError``
    naming the epoch, the batch and the learning rate (``deepkit.divergence``
    for Keras; the twin's ``fit`` does it itself).

``carve_validation(x, y, fraction, *, seed, stratify=False)``
    Holds out ``round(fraction * len(x))`` rows as a validation set and returns
    ``(x_fit, y_fit), (x_val, y_val)``. Seeded; ``stratify=True`` keeps the class
    proportions of ``y`` in both parts. ``x`` may be an array or a DataFrame.
    ``fraction=0`` gives an empty validation set.
"""

import warnings

import numpy as np

from deepkit.validation import InputError, check_choice, check_int

ENGINES = ("keras", "numpy")
EPOCH_LOOPS = (None, "graph", "xla")


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
    strategy=None,
    checkpoint_dir=None,
    run_arguments=None,
    epoch_loop=None,
    callbacks=(),
):
    """Fit ``model`` (``engine="keras"``) or its NumPy twin (``"numpy"``); return ``(model, history)``."""
    check_choice(engine, "engine", ENGINES)
    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=1)
    if patience is not None:
        check_int(patience, "patience", min_value=0)
    if patience is not None and validation_data is None:
        raise InputError("early stopping (patience) needs validation_data")
    check_choice(epoch_loop, "epoch_loop", EPOCH_LOOPS)
    pipelined = strategy is not None or checkpoint_dir is not None
    if engine == "numpy" and (pipelined or epoch_loop):
        raise InputError("strategy, checkpoint_dir and epoch_loop need engine='keras' (TensorFlow)")
    if epoch_loop and strategy is not None:
        raise InputError("epoch_loop trains on one device: leave it None with a strategy")
    if engine == "numpy":
        from deepkit.reference import EarlyStopping, from_keras

        model = from_keras(model, seed=seed)
    else:
        from keras.callbacks import EarlyStopping

        from deepkit.divergence import RaiseOnNaN
    extra = list(callbacks)
    callbacks = [] if engine == "numpy" else [RaiseOnNaN()]  # the twin's fit checks itself
    fed = bool(epoch_loop) or pipelined  # a dataset whose order is a function of (seed, epoch)
    if fed:
        from deepkit import distribute

        order = distribute.epoch_order(seed)
        callbacks.append(order)
    if epoch_loop:
        from deepkit.epoch_loop import EpochLoop, epochs_dataset

        loop = EpochLoop(model, batch_size, order, jit_compile=epoch_loop == "xla")
        data = (epochs_dataset(x, y),)
    elif pipelined:
        strategy = distribute.get_strategy(strategy or "default")
        if strategy.num_replicas_in_sync > 1 and (model.steps_per_execution or 1) > 1:
            # Keras's multi-step loop feeds no value to a placeholder of its has_next
            # cond across replicas (TensorFlow's INVALID_ARGUMENT at the first step).
            raise InputError(
                f"steps_per_execution={model.steps_per_execution} fails across "
                f"{strategy.num_replicas_in_sync} replicas; compile the model with 1"
            )
        data = (distribute.epoch_dataset(strategy, x, y, batch_size, order),)
        if distribute.is_multiworker(strategy):
            if patience is not None or validation_data is not None or checkpoint_dir:
                raise InputError(
                    "with the multiworker strategy deepkit trains without validation, "
                    "early stopping or checkpoints (Keras 3's fit fails there)"
                )
            steps = len(x) // batch_size
            history = distribute.fit_multiworker(model, data[0], steps, epochs, order, verbose)
            return model, history
    else:
        data = (x, y)
    checkpoint = None
    if checkpoint_dir is not None:
        from deepkit.checkpoints import Checkpoint

        checkpoint = (
            checkpoint_dir
            if isinstance(checkpoint_dir, Checkpoint)
            else Checkpoint(checkpoint_dir, run_arguments or {})
        )
    if patience is not None and checkpoint is not None:
        from deepkit.early_stopping import ResumableEarlyStopping

        callbacks.append(ResumableEarlyStopping(checkpoint, monitor, patience))
    elif patience is not None:
        callbacks.append(
            EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)
        )
    callbacks += extra  # before the checkpoint's logs, so what they add to an epoch is saved
    if checkpoint is not None:  # after early stopping: its backup overwrites what that loads
        callbacks += checkpoint.callbacks()
    if epoch_loop:
        model.train_function = loop
    try:
        with warnings.catch_warnings():
            # A pipeline of unknown length ends its first epoch by running out of
            # data, which is how Keras learns the length; not a fault here.
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            history = model.fit(
                *data,
                batch_size=None if fed else batch_size,
                shuffle=not fed,  # the dataset shuffles itself
                epochs=epochs,
                validation_data=validation_data,
                callbacks=callbacks,
                verbose=verbose,
            )
    finally:
        if epoch_loop:
            model.train_function = None  # Keras's own loop for the model's next fit
    if checkpoint is not None:
        return model, checkpoint.full_history()
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
