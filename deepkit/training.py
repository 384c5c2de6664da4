"""Training: one path for every Keras model, and the NumPy reference's own.

Every Keras training in deepkit goes through ``fit``, whether or not it can be
resumed: the rows of epoch ``e`` come in an order that depends on ``(seed, e)``
alone (``index_shuffle``, ``deepkit.distribute.epoch_dataset``), so a run that
saves every epoch to a checkpoint folder, is killed and resumed ends with the
weights a run without a folder ends with, bit for bit. What varies is composed,
not switched:

- ``feed``: how the batches reach the model: a ``tf.data`` pipeline on one device
  (the default), the whole epoch as one graph call (``"graph"`` or ``"xla"``,
  ``deepkit.epoch_loop``), or a ``tf.distribute`` strategy splitting each global
  batch over its replicas;
- ``checkpoint``: a ``deepkit.checkpoints`` folder or stage that saves every epoch
  and resumes (``None``: nothing saved);
- ``patience``: early stopping on ``monitor``, its best weights restored (resumable
  through the checkpoint);
- a loss that becomes NaN or infinite stops training with an ``InputError`` naming
  the epoch, the batch and the learning rate (``deepkit.divergence``).

``fit_reference`` trains the NumPy reference of a Keras model
(``deepkit.reference.from_keras``: same layers, weights and compile settings),
which shuffles with its own seeded generator and checks divergence itself.
``ENGINES`` names the two: ``TRAINERS[engine]`` is the function.

(One concept, how a model is trained, over about 300 lines: ``fit``'s composed
options and the two engines' entry points.)
"""

import warnings
from functools import partial

import numpy as np

from deepkit.validation import InputError, check_int

EPOCH_LOOPS = ("graph", "xla")


def _check_common(epochs, batch_size, validation_data, patience):
    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=1)
    if patience is not None:
        check_int(patience, "patience", min_value=0)
        if validation_data is None:
            raise InputError("early stopping (patience) needs validation_data")


def _as_dict(history):
    history = getattr(history, "history", history)
    return {name: [float(v) for v in values] for name, values in history.items()}


def fit(
    model,
    x,
    y,
    *,
    epochs,
    batch_size,
    validation_data=None,
    patience=None,
    monitor="val_loss",
    seed=0,
    verbose=0,
    feed=None,
    checkpoint=None,
    callbacks=(),
):
    """Train a compiled Keras ``model`` on ``(x, y)``.

    Args:
        model: a compiled ``keras.Model`` (built in the strategy's scope if ``feed`` is one).
        x: the training inputs.
        y: the training targets, as many rows as ``x``.
        epochs: the most epochs to train.
        batch_size: the batch one optimizer step sees (split over replicas by a strategy).
        validation_data: ``(x_val, y_val)`` scored after every epoch, or ``None``.
        patience: stop once ``monitor`` has not improved for this many epochs and restore
            the best epoch's weights; ``None`` trains every epoch.
        monitor: the logged value early stopping watches (maximised for accuracies and AUC).
        seed: orders the rows of every epoch, with the epoch's number.
        verbose: 0 silent, 1 one live progress line (``deepkit.progress``), 2 a line per
            epoch (Keras's).
        feed: ``None`` for a ``tf.data`` pipeline on one device (the last, smaller batch
            of an epoch kept); ``"graph"`` or ``"xla"`` for one graph call per epoch
            (``deepkit.epoch_loop``, for small models); or a ``tf.distribute.Strategy`` or
            its name in ``deepkit.distribute.STRATEGIES`` (full global batches only).
        checkpoint: a ``deepkit.checkpoints.Checkpoint`` (a run folder or a stage of one)
            that saves every epoch and resumes from the last; ``None`` saves nothing.
        callbacks: the caller's own Keras callbacks, run after deepkit's order, divergence
            and early-stopping callbacks and before the checkpoint's.

    Returns:
        ``(model, history)``, ``history`` a dict ``{name: [float per epoch]}`` over the
        whole run (resumed epochs included).

    Raises:
        InputError: bad arguments, before any training; or the loss diverged.
    """
    from deepkit import distribute
    from deepkit.checkpoints import NoCheckpoint

    _check_common(epochs, batch_size, validation_data, patience)
    checkpoint = checkpoint or NoCheckpoint()
    order = distribute.epoch_order(seed)
    loop = feed if feed in EPOCH_LOOPS else None
    if loop:
        from deepkit.epoch_loop import EpochLoop, epochs_dataset

        data = epochs_dataset(x, y)
    else:
        strategy = distribute.get_strategy(feed or "default")
        if distribute.is_multiworker(strategy):
            if patience is not None or validation_data is not None or checkpoint.directory:
                raise InputError(
                    "with the multiworker strategy deepkit trains without validation, "
                    "early stopping or checkpoints (Keras 3's fit fails there)"
                )
            data = distribute.epoch_dataset(strategy, x, y, batch_size, order)
            steps = len(x) // batch_size
            return model, distribute.fit_multiworker(model, data, steps, epochs, order, verbose)
        if strategy.num_replicas_in_sync > 1 and (model.steps_per_execution or 1) > 1:
            # Keras's multi-step loop feeds no value to a placeholder of its has_next
            # cond across replicas (TensorFlow's INVALID_ARGUMENT at the first step).
            raise InputError(
                f"steps_per_execution={model.steps_per_execution} fails across "
                f"{strategy.num_replicas_in_sync} replicas; compile the model with 1"
            )
        data = distribute.epoch_dataset(strategy, x, y, batch_size, order)
    make_loop = None
    if loop:
        make_loop = partial(EpochLoop, model, batch_size, jit_compile=loop == "xla")
    return fit_stream(
        model,
        lambda _: data,
        epochs=epochs,
        validation_data=validation_data,
        patience=patience,
        monitor=monitor,
        verbose=verbose,
        order=order,
        checkpoint=checkpoint,
        callbacks=callbacks,
        make_loop=make_loop,
    )


def fit_stream(
    model,
    make_data,
    *,
    epochs,
    validation_data=None,
    patience=None,
    monitor="val_loss",
    seed=0,
    verbose=0,
    order=None,
    checkpoint=None,
    callbacks=(),
    make_loop=None,
):
    """Train a compiled Keras ``model`` on a dataset that orders its own rows by (seed, epoch).

    The path every Keras training takes (``fit`` builds its dataset from arrays): the epoch
    order, the divergence check, early stopping (resumable), the caller's callbacks, the
    checkpoint's, the progress line, in that order.

    Args:
        model: a compiled ``keras.Model``.
        make_data: a function of the epoch order (``deepkit.distribute.epoch_order``)
            returning the training dataset, which reads the order's epoch to shuffle.
        epochs: the most epochs to train.
        validation_data: validation arrays or a dataset, or ``None``.
        patience: early stopping on ``monitor``, best weights restored; ``None`` for none.
        monitor: the logged value early stopping watches.
        seed: the order's seed, when ``order`` is not given.
        verbose: 0 silent, 1 one live progress line, 2 a line per epoch.
        order: the epoch order the dataset reads (made from ``seed`` if ``None``).
        checkpoint: a ``deepkit.checkpoints`` checkpoint or stage, or ``None``.
        callbacks: the caller's own Keras callbacks.
        make_loop: a function of the order returning a ``model.train_function`` for this
            training (``deepkit.epoch_loop.EpochLoop``), or ``None`` for Keras's own.

    Returns:
        ``(model, history)``, ``history`` over the whole run (resumed epochs included).

    Raises:
        InputError: early stopping without validation data, or the loss diverged.
    """
    from deepkit import distribute
    from deepkit.checkpoints import NoCheckpoint
    from deepkit.divergence import RaiseOnNaN

    if patience is not None and validation_data is None:
        raise InputError("early stopping (patience) needs validation_data")
    checkpoint = checkpoint or NoCheckpoint()
    order = order or distribute.epoch_order(seed)
    stopping = [] if patience is None else [checkpoint.early_stopping(monitor, patience)]
    # early stopping before the checkpoint's callbacks, whose backup overwrites what it
    # loads; the caller's before the checkpoint's logs, so what they log is saved
    every = [order, RaiseOnNaN(), *stopping, *callbacks, *checkpoint.callbacks()]
    if verbose == 1:
        from deepkit.progress import ProgressLine

        every.append(ProgressLine())
    if make_loop is not None:
        model.train_function = make_loop(order)
    try:
        with warnings.catch_warnings():
            # A pipeline of unknown length ends its first epoch by running out of
            # data, which is how Keras learns the length; not a fault here.
            warnings.filterwarnings("ignore", message="Your input ran out of data")
            history = model.fit(
                make_data(order),
                epochs=epochs,
                shuffle=False,  # every dataset orders its rows itself
                validation_data=validation_data,
                callbacks=every,
                verbose=0 if verbose == 1 else verbose,
            )
    finally:
        if make_loop is not None:
            model.train_function = None  # Keras's own loop for the model's next fit
    return model, checkpoint.full_history(_as_dict(history))


def fit_reference(
    model,
    x,
    y,
    *,
    epochs,
    batch_size,
    validation_data=None,
    patience=None,
    monitor="val_loss",
    seed=0,
    verbose=0,
):
    """Train the NumPy reference of the compiled Keras ``model`` (``from_keras``).

    Args:
        model: a compiled Keras model, or a ``deepkit.reference`` model.
        x: the training inputs (as ``fit``'s).
        y: the training targets (as ``fit``'s).
        epochs: the most epochs to train (as ``fit``'s).
        batch_size: rows per step (as ``fit``'s).
        validation_data: ``(x_val, y_val)``, or ``None`` (as ``fit``'s).
        patience: early stopping's patience, or ``None`` (as ``fit``'s).
        monitor: the log early stopping watches (as ``fit``'s).
        verbose: the progress display (as ``fit``'s).
        seed: seeds the reference model's generator (initial shuffles, dropout masks).

    Returns:
        ``(reference_model, history)``, ``history`` as ``fit``'s.

    Raises:
        InputError: bad arguments, a model the reference cannot host, or divergence.
    """
    from deepkit.reference import EarlyStopping, Model, from_keras

    _check_common(epochs, batch_size, validation_data, patience)
    if not isinstance(model, Model):
        model = from_keras(model, seed=seed)
    stopping = []
    if patience is not None:
        stopping = [EarlyStopping(monitor=monitor, patience=patience, restore_best_weights=True)]
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation_data,
        callbacks=stopping,
        verbose=verbose,
    )
    return model, _as_dict(history)


TRAINERS = {"keras": fit, "numpy": fit_reference}
ENGINES = tuple(TRAINERS)


def fit_in_place(engine, model, x, y, **options):
    """Train the Keras ``model`` on ``engine`` and leave the trained weights in it: with
    ``"numpy"``, its NumPy reference trains (``fit_reference``) and the weights come back.

    Args:
        engine: ``"keras"`` or ``"numpy"`` (``ENGINES``).
        model: a compiled Keras model.
        x: the training inputs.
        y: the training targets.
        **options: the trainer's keywords (``fit``'s or ``fit_reference``'s).

    Returns:
        The history, ``{metric: [value per epoch]}``.
    """
    trainer = fit if engine == "keras" else fit_reference  # looked up now, as TRAINERS
    trained, history = trainer(model, x, y, **options)
    if trained is not model:
        model.set_weights(trained.get_weights())
    return history


def engine_setting():
    """The ``engine`` field of a recipe that trains on either engine (``TRAINERS``)."""
    from deepkit.settings import setting

    return setting("keras", "train with Keras or the NumPy reference", choices=ENGINES)


def validation_size(n, fraction):
    """The rows ``carve_validation`` holds out of ``n``: ``round(fraction * n)``."""
    return int(round(fraction * n))


def carve_validation(x, y, fraction, *, seed, stratify=False):
    """Hold out ``round(fraction * len(x))`` rows as a validation set.

    Args:
        x: an array (or DataFrame) of inputs.
        y: an array (or DataFrame) of targets, as many rows as ``x``.
        fraction: in [0, 1); 0 gives an empty validation set.
        seed: seeds the choice of rows.
        stratify: keep the class proportions of ``y`` in both parts.

    Returns:
        ``(x_fit, y_fit), (x_val, y_val)``.

    Raises:
        InputError: ``fraction`` out of range, or ``x`` and ``y`` of different lengths.
    """
    if not 0.0 <= fraction < 1.0:
        raise InputError(f"validation fraction must be in [0, 1), got {fraction!r}")
    if len(x) != len(y):
        raise InputError(f"x has {len(x)} rows but y has {len(y)}")
    n_val = validation_size(len(x), fraction)
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
