"""Fine-tuning a pretrained Keras model on new classes, in the two phases of the
Keras transfer-learning guide.

    model = deepkit.finetune.finetune("digits_0_4.keras", 5, x, y, unfreeze=2, fine_tune_epochs=2)

1. Cut the old head: keep the model up to a named layer, or up to the last
   feature layer (what precedes the final Dense classifier and its dropout).
2. Freeze that base (``trainable = False``) and call it with ``training=False``,
   as the guide does. In Keras 3 that argument alone does not hold a trainable
   BatchNormalization in inference mode (its moving mean still moves during
   ``fit``); what does is keeping BatchNormalization layers frozen, as step 4 does.
3. Add a new head, ``[GlobalAveragePooling2D] -> Dropout -> Dense(num_classes,
   softmax)``, and train it (phase 1).
4. Optionally unfreeze the top ``unfreeze`` layers of the base (BatchNormalization
   layers stay frozen, so they keep their moving statistics) and train again with
   a low learning rate (phase 2).

``finetune`` does it all in one call; ``new_model`` (steps 1-3, the model) and
``train`` (the two phases) do it in two, for a caller that needs the model before
it trains (a checkpoint stage restores into it). Every training of ``train`` goes
through ``deepkit.training.fit``; each phase is a stage of the ``checkpoint`` given
(``head``, then ``unfrozen``; ``deepkit.checkpoints``), so a killed fine-tune
resumes at its last epoch and a phase that ended is restored, not trained again.
``train_phases`` runs those phases for a caller that feeds its own data
(``deepkit.image_finetune`` streams pictures from a folder).

A base may be a ``keras.applications`` network (``application``, from
``deepkit.applications``, which checks its name and input size before TensorFlow loads).

The result is a plain ``keras.Model`` that saves and loads as ``.keras``.
"""

from pathlib import Path

import numpy as np

from deepkit.applications import APPLICATIONS, application
from deepkit.checkpoints import Checkpoint, NoCheckpoint
from deepkit.validation import InputError, check_float, check_int

__all__ = [
    "APPLICATIONS",
    "application",
    "base_layers",
    "base_of",
    "check_data",
    "check_settings",
    "check_unfreeze",
    "feature_extractor",
    "feature_layer",
    "finetune",
    "load_base",
    "new_model",
    "train",
    "train_phases",
    "unfreeze_top",
    "with_new_head",
]

HEAD_LAYERS = ("Dropout", "Activation", "Softmax")


def load_base(base, safe_mode=True):
    """A Keras model from a model, or from the path of a ``.keras`` file.

    Args:
        base: a ``keras.Model``, or the path (str or ``Path``) of a ``.keras`` file.
        safe_mode: load the file in Keras's safe mode (see ``deepkit.saving``).

    Returns:
        The ``keras.Model``.

    Raises:
        InputError: a path that is not a ``.keras`` file, or a file that does not load.
        TypeError: ``base`` is neither a model nor a path.
    """
    import keras

    from deepkit.saving import load_keras

    if isinstance(base, keras.Model):
        return base
    if isinstance(base, (str, Path)):
        path = Path(base)
        if path.suffix != ".keras":
            raise InputError(f"base must be a Keras model or a .keras file, got the path {path}")
        return load_keras(path, safe_mode=safe_mode, compile=False)
    raise TypeError(
        f"base must be a keras.Model or a path to a .keras file, got {type(base).__name__}"
    )


def feature_layer(model, layer=None):
    """The layer where the base ends: ``layer`` (a name) or the last feature layer.

    The last feature layer is found by walking back from the output over
    dropout/activation layers, one Dense classifier, and the dropout before it.
    A model that does not end in a Dense layer is all base.

    Args:
        model: a Keras model.
        layer: a layer's name, or ``None`` to find the last feature layer.

    Returns:
        The layer.

    Raises:
        InputError: no layer of that name, or no layer below the Dense classifier.
    """
    import keras

    if layer is not None:
        names = [candidate.name for candidate in model.layers]
        if layer not in names:
            raise InputError(
                f"model {model.name!r} has no layer named {layer!r}; its layers are {names}"
            )
        return model.get_layer(layer)
    layers = [
        candidate
        for candidate in model.layers
        if not isinstance(candidate, keras.layers.InputLayer)
    ]
    index = len(layers) - 1
    while index >= 0 and type(layers[index]).__name__ in HEAD_LAYERS:
        index -= 1
    if index >= 0 and isinstance(layers[index], keras.layers.Dense):
        index -= 1
        while index >= 0 and type(layers[index]).__name__ in HEAD_LAYERS:
            index -= 1
    if index < 0:
        raise InputError(
            f"model {model.name!r} has no feature layer below its Dense classifier; name one with layer="
        )
    return layers[index]


def feature_extractor(model, layer=None):
    """``model`` cut at ``feature_layer(model, layer)``, sharing its weights.

    Args:
        model: a Keras model.
        layer: as ``feature_layer``'s.

    Returns:
        A new functional model from ``model``'s input to the cut, or ``model``
        itself when the cut is its last layer (there is nothing to cut, and a model
        nested as the last layer, a ``keras.applications`` base behind a
        ``Resizing`` layer, cannot be cut at its own output).
    """
    import keras

    cut = feature_layer(model, layer)
    if cut is model.layers[-1]:
        return model
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, cut.output, name=f"{model.name}_features")


def with_new_head(features, num_classes, dropout=0.2, seed=None, augmentation=()):
    """Frozen ``features`` called with ``training=False``, then a new softmax head.

    Args:
        features: the base (a Keras model); it is frozen.
        num_classes: the new head's classes.
        dropout: the rate of the dropout before the head (0: none).
        seed: seeds the dropout and the head's initial weights.
        augmentation: layers applied to the inputs before the base, in order (Keras's
            random preprocessing layers, ``RandomFlip``...: active in training only).

    Returns:
        The uncompiled ``keras.Model`` named ``finetuned``.
    """
    import keras

    features.trainable = False
    inputs = keras.Input(shape=features.input_shape[1:])
    x = inputs
    for layer in augmentation:
        x = layer(x)
    x = features(x, training=False)
    if len(x.shape) == 4:
        x = keras.layers.GlobalAveragePooling2D(name="head_pool")(x)
    elif len(x.shape) != 2:
        x = keras.layers.Flatten(name="head_flatten")(x)
    if dropout:
        x = keras.layers.Dropout(dropout, seed=seed, name="head_dropout")(x)
    outputs = keras.layers.Dense(
        num_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed),
        name="head",
    )(x)
    return keras.Model(inputs, outputs, name="finetuned")


def base_layers(features):
    """The layers of ``features`` without its input layer.

    Args:
        features: a base, the model ``feature_extractor`` returns.

    Returns:
        Its layers, bottom to top, without the input layer.
    """
    import keras

    return [layer for layer in features.layers if not isinstance(layer, keras.layers.InputLayer)]


def base_of(model):
    """The frozen base inside a model of ``with_new_head``: its one nested model.

    Args:
        model: a model of ``with_new_head`` (or ``new_model``).

    Returns:
        The nested base model.

    Raises:
        InputError: ``model`` is not one of ``with_new_head``'s.
    """
    import keras

    nested = [layer for layer in model.layers if isinstance(layer, keras.Model)]
    if len(nested) != 1 or model.layers[-1].name != "head":
        raise InputError(
            f"model {model.name!r} is not a base with a new head; build it with new_model"
        )
    return nested[0]


def check_unfreeze(features, count, epochs):
    """Check that ``count`` top layers of ``features`` can be unfrozen and trained for ``epochs``.

    Args:
        features: the base.
        count: how many top layers phase 2 unfreezes (0: no phase 2).
        epochs: phase 2's epochs (0: no phase 2).

    Raises:
        InputError: ``count`` is not an int between 0 and the base's layer count, or
            only one of ``count`` and ``epochs`` is positive.
    """
    layers = len(base_layers(features))
    if not isinstance(count, (int, np.integer)) or not 0 <= count <= layers:
        raise InputError(
            f"unfreeze must be an int between 0 and the base's {layers} layers, got {count!r}"
        )
    if bool(count) != bool(epochs):
        raise InputError(
            f"unfreeze={count} and fine_tune_epochs={epochs}: give both (phase 2) or neither"
        )


def unfreeze_top(features, count):
    """Make the top ``count`` layers of ``features`` trainable; BatchNormalization stays frozen.

    Args:
        features: the base.
        count: how many of its top layers to unfreeze.
    """
    import keras

    layers = base_layers(features)
    features.trainable = True
    for index, layer in enumerate(layers):
        top = index >= len(layers) - count
        layer.trainable = top and not isinstance(layer, keras.layers.BatchNormalization)


def check_data(model, num_classes, x, y):
    """Check that ``x`` fits ``model``'s input and ``y`` fits ``num_classes``.

    Args:
        model: the model to train.
        num_classes: the number of classes of the new head.
        x: the training inputs.
        y: the labels: integers of shape (n,) or one-hot rows of shape (n, num_classes).

    Returns:
        The loss for ``y``: sparse categorical cross-entropy for integer labels,
        categorical cross-entropy for one-hot rows.

    Raises:
        InputError: ``x`` has the wrong shape or a non-finite value, ``x`` and ``y``
            differ in length, or a label is outside ``0..num_classes - 1``.
    """
    check_int(num_classes, "num_classes", min_value=2)
    x, y = np.asarray(x), np.asarray(y)
    expected = tuple(model.input_shape[1:])
    if x.ndim != len(expected) + 1 or any(
        e is not None and e != s for e, s in zip(expected, x.shape[1:])
    ):
        raise InputError(
            f"x has shape {x.shape}, but the base takes inputs of shape (n, {', '.join(map(str, expected))})"
        )
    if not np.isfinite(x).all():
        raise InputError(
            f"x contains NaN or infinite values (first in sample {int(np.argwhere(~np.isfinite(x))[0][0])})"
        )
    if len(y) != len(x):
        raise InputError(f"x has {len(x)} samples but y has {len(y)}")
    if y.ndim == 2:
        if y.shape[1] != num_classes:
            raise InputError(f"one-hot y has {y.shape[1]} columns but num_classes is {num_classes}")
        return "categorical_crossentropy"
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise InputError(
            f"y must be integer labels of shape (n,) or one-hot (n, {num_classes}); got {y.dtype} {y.shape}"
        )
    bad = np.flatnonzero((y < 0) | (y >= num_classes))
    if bad.size:
        raise InputError(
            f"label {y[bad[0]]} at index {bad[0]} is outside 0..{num_classes - 1} (num_classes={num_classes})"
        )
    return "sparse_categorical_crossentropy"


def check_settings(
    *,
    num_classes=2,
    dropout=0.0,
    epochs=1,
    batch_size=1,
    learning_rate=1e-3,
    fine_tune_epochs=0,
    fine_tune_learning_rate=1e-5,
    validation_split=0.0,
    seed=0,
    checkpoint=None,
):
    """Check the settings of ``new_model``, ``train`` or ``finetune``.

    Every argument is the setting of the same name (the defaults pass); nothing is
    imported, so a bad setting is refused before TensorFlow loads.

    Args:
        num_classes: the number of classes, at least 2.
        dropout: the head's dropout rate, in [0, 1).
        epochs: phase 1's epochs, at least 1.
        batch_size: the batch size, at least 1.
        learning_rate: phase 1's learning rate, > 0.
        fine_tune_epochs: phase 2's epochs, at least 0.
        fine_tune_learning_rate: phase 2's learning rate, > 0.
        validation_split: the held-out fraction, in [0, 1).
        seed: the seed, an int >= 0.
        checkpoint: a ``deepkit.checkpoints`` checkpoint or ``None``.

    Raises:
        InputError: naming the setting and the value.
    """
    check_int(num_classes, "num_classes", min_value=2)
    if (
        isinstance(dropout, bool)
        or not isinstance(dropout, (int, float, np.floating))
        or not 0 <= dropout < 1
    ):
        raise InputError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    for name, value, least in (
        ("epochs", epochs, 1),
        ("batch_size", batch_size, 1),
        ("fine_tune_epochs", fine_tune_epochs, 0),
    ):
        check_int(value, name, min_value=least)
    for name, rate in (
        ("learning_rate", learning_rate),
        ("fine_tune_learning_rate", fine_tune_learning_rate),
    ):
        check_float(rate, name, 0.0, include_min=False)
    if not 0.0 <= check_float(validation_split, "validation_split") < 1.0:
        raise InputError(f"validation fraction must be in [0, 1), got {validation_split!r}")
    check_int(seed, "seed", min_value=0)
    if checkpoint is not None and not isinstance(checkpoint, (Checkpoint, NoCheckpoint)):
        raise InputError(
            f"checkpoint must be a deepkit.checkpoints.Checkpoint, got {type(checkpoint).__name__}"
        )


def new_model(
    base, num_classes, *, layer=None, dropout=0.2, seed=0, safe_mode=True, augmentation=()
):
    """``base`` cut at its feature layer, frozen, under a new ``num_classes`` softmax head.

    Args:
        base: a ``keras.Model`` or the path of a ``.keras`` file.
        num_classes: the new head's classes.
        layer: where the base ends (a layer's name); ``None``: the last feature layer.
        dropout: the rate of the dropout before the head, in [0, 1).
        seed: seeds TensorFlow first (``deepkit.seeding.set_seed``), then the head.
        safe_mode: load a ``.keras`` path in Keras's safe mode.
        augmentation: layers applied to the inputs before the base (``with_new_head``'s).

    Returns:
        The uncompiled model; ``train`` compiles and trains it. A model passed in
        shares its layers with it, so it is frozen too.

    Raises:
        InputError: a bad setting (before TensorFlow loads), or a base without a
            feature layer.
    """
    check_settings(num_classes=num_classes, dropout=dropout, seed=seed)
    from deepkit.seeding import set_seed

    set_seed(seed)
    features = feature_extractor(load_base(base, safe_mode), layer)
    return with_new_head(features, num_classes, dropout, seed, augmentation)


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
        _, history = training.fit(
            model,
            x,
            y,
            epochs=budget,
            batch_size=batch_size,
            validation_data=validation,
            seed=seed,
            verbose=verbose,
            checkpoint=stage,
        )
        return history

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
    unfreeze=0,
    fine_tune_epochs=0,
    fine_tune_learning_rate=1e-5,
    checkpoint=None,
):
    """The two phases of ``train``, each trained by ``fit`` as a stage of ``checkpoint``.

    ``train`` feeds arrays; a caller streaming its data (``deepkit.image_finetune``
    feeds pictures from a folder) gives its own ``fit``.

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
    base,
    num_classes,
    x,
    y,
    *,
    layer=None,
    dropout=0.2,
    epochs=5,
    batch_size=64,
    learning_rate=1e-3,
    unfreeze=0,
    fine_tune_epochs=0,
    fine_tune_learning_rate=1e-5,
    validation_split=0.0,
    seed=0,
    verbose=0,
    safe_mode=True,
    checkpoint=None,
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
        epochs: phase 1's epochs (as ``train``'s).
        batch_size: the batch size (as ``train``'s).
        learning_rate: phase 1's learning rate (as ``train``'s).
        unfreeze: how many top layers phase 2 unfreezes (as ``train``'s).
        fine_tune_epochs: phase 2's epochs (as ``train``'s).
        fine_tune_learning_rate: phase 2's learning rate (as ``train``'s).
        validation_split: the held-out fraction (as ``train``'s).
        seed: seeds the new head, the validation carve and the data order.
        verbose: Keras's ``verbose`` (as ``train``'s).
        safe_mode: Keras's ``safe_mode`` for loading ``base`` (as ``new_model``'s).
        checkpoint: a ``deepkit.checkpoints`` checkpoint, or ``None`` (as ``train``'s).

    Returns:
        The trained ``keras.Model``; ``model.history`` holds the last phase's history.
        A model passed in shares its layers with it, so it is frozen too.

    Raises:
        InputError: a bad setting or bad data, before any training.

    Example:

    ```python
    model = deepkit.finetune.finetune("digits_0_4.keras", 5, x, y, epochs=5, dropout=0.5)
    ```
    """
    training_settings = dict(
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        fine_tune_epochs=fine_tune_epochs,
        fine_tune_learning_rate=fine_tune_learning_rate,
        validation_split=validation_split,
        seed=seed,
    )
    check_settings(
        num_classes=num_classes, dropout=dropout, checkpoint=checkpoint, **training_settings
    )
    model = new_model(
        base, num_classes, layer=layer, dropout=dropout, seed=seed, safe_mode=safe_mode
    )
    train(
        model, x, y, unfreeze=unfreeze, verbose=verbose, checkpoint=checkpoint, **training_settings
    )
    return model
