"""Training a model of ``new_model`` in the two phases of the Keras transfer-learning guide.

``train_phases`` runs them with a ``fit`` of the caller's: phase 1 trains the head, the
base frozen; phase 2 unfreezes the base's top layers and trains again at a low learning
rate. Each phase is a stage of the ``checkpoint`` given (``head``, then ``unfrozen``;
``deepkit.checkpoints``). ``train`` feeds it arrays through ``deepkit.training.fit``;
``finetune`` is ``new_model`` then ``train`` in one call.
"""

import inspect

import numpy as np

from deepkit.checkpoints import NoCheckpoint
from deepkit.finetune.checks import check_data, check_settings
from deepkit.finetune.head import base_of, check_unfreeze, new_model, unfreeze_top


def train(
    model,
    x,
    y,
    *,
    epochs=5,
    batch_size=64,
    learning_rate=1e-3,
    unfreeze=0,
    fine_tune_epochs=0,
    fine_tune_learning_rate=1e-5,
    validation_split=0.0,
    seed=0,
    verbose=0,
    checkpoint=None,
    engine="keras",
):
    """Train a ``new_model`` on ``(x, y)`` in one or two phases.

    Phase 1 trains the head for ``epochs`` with the base frozen; phase 2 (when
    ``unfreeze`` and ``fine_tune_epochs`` are positive) unfreezes the base's top
    ``unfreeze`` layers and trains ``fine_tune_epochs`` more at
    ``fine_tune_learning_rate``. Each phase compiles the model (Adam, accuracy) and
    trains through ``deepkit.training.fit`` as a stage of ``checkpoint``.

    Args:
        model: a model of ``new_model``.
        x: the training images.
        y: their labels (integers, or one-hot rows).
        epochs: phase 1's epochs (the head, the base frozen).
        batch_size: the batch size of both phases.
        learning_rate: phase 1's learning rate.
        unfreeze: how many top layers of the base phase 2 unfreezes (0: no phase 2).
        fine_tune_epochs: phase 2's epochs (0: no phase 2).
        fine_tune_learning_rate: phase 2's learning rate.
        validation_split: a seeded, stratified random fraction of ``(x, y)``
            (``deepkit.training.carve_validation``) that both phases report on but
            never train on.
        seed: orders the rows of every epoch and seeds the validation carve.
        verbose: Keras's ``verbose``.
        checkpoint: a ``deepkit.checkpoints`` checkpoint (its stages ``head`` and
            ``unfrozen`` hold the phases), or ``None`` to keep nothing.
        engine: ``"keras"``, or ``"numpy"`` for the NumPy reference of each phase's
            model to train (``deepkit.training.fit_in_place``; no checkpoint folder).

    Returns:
        The last phase's history, ``{metric: [value per epoch]}``, also kept as
        ``model.history`` (a ``keras.callbacks.History``).

    Raises:
        InputError: a bad setting or data that do not fit the model, before training.

    Example:

    ```python
    model = deepkit.finetune.new_model("digits_0_4.keras", 5)
    deepkit.finetune.train(model, x, y, epochs=5, unfreeze=2, fine_tune_epochs=2)
    ```
    """
    check_settings(
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        fine_tune_epochs=fine_tune_epochs,
        fine_tune_learning_rate=fine_tune_learning_rate,
        validation_split=validation_split,
        seed=seed,
        checkpoint=checkpoint,
        engine=engine,
    )
    from deepkit import training

    features = base_of(model)
    loss = check_data(model, model.output_shape[-1], x, y)
    check_unfreeze(features, unfreeze, fine_tune_epochs)
    x, y, validation = np.asarray(x), np.asarray(y), None
    if validation_split:
        (x, y), validation = training.carve_validation(
            x, y, validation_split, seed=seed, stratify=True
        )

    def fit(stage, budget):
        saving = {"checkpoint": stage} if engine == "keras" else {}
        return training.fit_in_place(
            engine,
            model,
            x,
            y,
            epochs=budget,
            batch_size=batch_size,
            validation_data=validation,
            seed=seed,
            verbose=verbose,
            **saving,
        )

    histories = train_phases(
        model,
        fit,
        loss=loss,
        epochs=epochs,
        learning_rate=learning_rate,
        unfreeze=unfreeze,
        fine_tune_epochs=fine_tune_epochs,
        fine_tune_learning_rate=fine_tune_learning_rate,
        checkpoint=checkpoint,
    )
    return list(histories.values())[-1]


def train_phases(
    model,
    fit,
    *,
    loss,
    epochs,
    learning_rate,
    unfreeze,
    fine_tune_epochs,
    fine_tune_learning_rate,
    checkpoint,
):
    """The two phases of ``train``, each trained by ``fit`` as a stage of ``checkpoint``.

    ``train`` feeds arrays; a caller streaming its data (``deepkit.image_finetune``
    feeds pictures from a folder) gives its own ``fit``. Every option is required: the
    defaults are ``train``'s (and the image recipe's settings).

    Args:
        model: a model of ``new_model``.
        fit: ``fit(stage, epochs)`` trains the compiled ``model`` for ``epochs`` as the
            checkpoint ``stage`` and returns its history, ``{metric: [value per epoch]}``.
        loss: the loss ``model`` is compiled with.
        epochs: phase 1's epochs (the head, the base frozen).
        learning_rate: phase 1's learning rate.
        unfreeze: how many top layers of the base phase 2 unfreezes (0: no phase 2).
        fine_tune_epochs: phase 2's epochs (0: no phase 2).
        fine_tune_learning_rate: phase 2's learning rate.
        checkpoint: a ``deepkit.checkpoints`` checkpoint (stages ``head`` and
            ``unfrozen``), or ``None`` to keep nothing.

    Returns:
        ``{phase: history}`` (``head``, then ``unfrozen`` if phase 2 ran), a finished
        phase's as its stage saved it; the last phase's is also ``model.history``.

    Raises:
        InputError: ``model`` is not one of ``new_model``'s, or a bad ``unfreeze``.
    """
    import keras

    features = base_of(model)
    check_unfreeze(features, unfreeze, fine_tune_epochs)
    checkpoint = checkpoint or NoCheckpoint()
    histories = {}
    phases = [("head", 0, epochs, learning_rate)]
    if unfreeze:
        phases.append(("unfrozen", unfreeze, fine_tune_epochs, fine_tune_learning_rate))
    for name, count, budget, rate in phases:
        if count:
            unfreeze_top(features, count)
        model.compile(keras.optimizers.Adam(rate), loss=loss, metrics=["accuracy"])

        def train_phase(stage, budget=budget):
            return {"history": fit(stage, budget)}

        histories[name] = history = checkpoint.stage(name).run(model, train_phase)["history"]
    record = keras.callbacks.History()
    record.set_model(model)
    record.history, record.epoch = history, list(range(len(next(iter(history.values()), []))))
    model.history = record
    return histories


def finetune(
    base, num_classes, x, y, *, layer=None, dropout=0.2, seed=0, safe_mode=True, **training
):
    """Put a new ``num_classes`` head on ``base`` and train it on ``(x, y)``.

    ``new_model`` then ``train``, every setting checked before TensorFlow loads.

    Args:
        base: a ``keras.Model``, or the path of a ``.keras`` file (as ``new_model``'s).
        num_classes: the number of new classes (as ``new_model``'s).
        x: the training images (as ``train``'s).
        y: their labels, integers or one-hot rows (as ``train``'s).
        layer: the name of the layer where the base ends (as ``new_model``'s).
        dropout: the new head's dropout rate (as ``new_model``'s).
        seed: seeds the new head, the validation carve and the data order.
        safe_mode: Keras's ``safe_mode`` for loading ``base`` (as ``new_model``'s).
        **training: ``train``'s keywords, with its defaults: ``epochs``, ``batch_size``,
            ``learning_rate``, ``unfreeze``, ``fine_tune_epochs``,
            ``fine_tune_learning_rate``, ``validation_split``, ``verbose`` and
            ``checkpoint``.

    Returns:
        The trained ``keras.Model``; ``model.history`` holds the last phase's history.
        A model passed in shares its layers with it, so it is frozen too.

    Raises:
        InputError: a bad setting or bad data, before any training.
        TypeError: a keyword that neither ``finetune`` nor ``train`` takes, before any work.

    Example:

    ```python
    model = deepkit.finetune.finetune("digits_0_4.keras", 5, x, y, epochs=5, dropout=0.5)
    ```
    """
    # train's own checks come after new_model has loaded TensorFlow: run them first here.
    inspect.signature(train).bind(None, x, y, seed=seed, **training)
    checked = inspect.signature(check_settings).parameters
    check_settings(
        num_classes=num_classes,
        dropout=dropout,
        seed=seed,
        **{name: value for name, value in training.items() if name in checked},
    )
    model = new_model(
        base, num_classes, layer=layer, dropout=dropout, seed=seed, safe_mode=safe_mode
    )
    train(model, x, y, seed=seed, **training)
    return model
