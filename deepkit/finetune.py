"""Fine-tuning a pretrained Keras model on new classes, in the two phases of the
Keras transfer-learning guide.

    model = deepkit.finetune.finetune("digits_0_4.keras", 5, x, y, unfreeze=2, fine_tune_epochs=2)

1. Cut the old head: keep the model up to a named layer, or up to the last
   feature layer (what precedes the final Dense classifier and its dropout).
2. Freeze that base (``trainable = False``) and call it with ``training=False``,
   as the guide does. In Keras 3 that argument alone does not hold a trainable
   BatchNormalization in inference mode (measured: its moving mean moves during
   ``fit``); what does is keeping BatchNormalization layers frozen, as step 4 does.
3. Add a new head, ``[GlobalAveragePooling2D] -> Dropout -> Dense(num_classes,
   softmax)``, and train it.
4. Optionally unfreeze the top ``unfreeze`` layers of the base (BatchNormalization
   layers stay frozen, so they keep their moving statistics) and train again with
   a low learning rate.

With ``checkpoint=`` (a ``deepkit.checkpoints.Checkpoint``) each phase is a stage
of it (``head``, ``unfrozen``): a killed fine-tune resumes at its last epoch, and
a phase that ended is restored instead of trained again.

The result is a plain ``keras.Model`` that saves and loads as ``.keras``.
"""

from pathlib import Path

import numpy as np

from deepkit.checkpoints import Checkpoint
from deepkit.validation import InputError, check_float, check_int

HEAD_LAYERS = ("Dropout", "Activation", "Softmax")


def load_base(base, safe_mode=True):
    """A Keras model from a model, or from the path of a ``.keras`` file (loaded in
    Keras's safe mode unless ``safe_mode=False``: see ``deepkit.saving``)."""
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


def application(name, input_shape, weights=None):
    """A ``keras.applications`` model without its top, e.g. ``application("MobileNetV2", (32, 32, 3))``.

    ``weights`` is None (random), a weights file on disk (``.weights.h5``), or
    ``"imagenet"`` (Keras downloads it unless it is already in Keras's cache).
    """
    import keras

    builder = getattr(keras.applications, name, None)
    if builder is None or not callable(builder):
        raise InputError(f"keras.applications has no model named {name!r}")
    if weights not in (None, "imagenet") and not Path(weights).is_file():
        raise FileNotFoundError(f"weights file not found: {weights}")
    return builder(
        include_top=False,
        weights=None if weights is None else str(weights),
        input_shape=tuple(input_shape),
    )


def feature_layer(model, layer=None):
    """The layer where the base ends: ``layer`` (a name) or the last feature layer.

    The last feature layer is found by walking back from the output over
    dropout/activation layers, one Dense classifier, and the dropout before it.
    A model that does not end in a Dense layer is all base.
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
    """``model`` cut at ``feature_layer(model, layer)``, as a new functional model sharing its weights."""
    import keras

    cut = feature_layer(model, layer)
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, cut.output, name=f"{model.name}_features")


def with_new_head(features, num_classes, dropout=0.2, seed=None):
    """Frozen ``features`` called with ``training=False``, then a new softmax head of ``num_classes``."""
    import keras

    features.trainable = False
    inputs = keras.Input(shape=features.input_shape[1:])
    x = features(inputs, training=False)
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
    """The layers of ``features`` without its input layer, bottom to top."""
    import keras

    return [layer for layer in features.layers if not isinstance(layer, keras.layers.InputLayer)]


def check_unfreeze(features, count, epochs):
    """Raise unless ``count`` top layers can be unfrozen and trained for ``epochs``."""
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
    """Make the top ``count`` layers of ``features`` trainable; BatchNormalization stays frozen."""
    import keras

    layers = base_layers(features)
    features.trainable = True
    for index, layer in enumerate(layers):
        top = index >= len(layers) - count
        layer.trainable = top and not isinstance(layer, keras.layers.BatchNormalization)


def check_data(model, num_classes, x, y):
    """Raise a clear error unless ``x`` fits ``model``'s input and ``y`` fits ``num_classes``; returns the loss."""
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


def check_settings(epochs, batch_size, dropout, fine_tune_epochs):
    """Raise a clear ValueError for a training setting ``finetune`` cannot use."""
    for name, value, least in (
        ("epochs", epochs, 1),
        ("batch_size", batch_size, 1),
        ("fine_tune_epochs", fine_tune_epochs, 0),
    ):
        check_int(value, name, min_value=least)
    if (
        isinstance(dropout, bool)
        or not isinstance(dropout, (int, float, np.floating))
        or not 0 <= dropout < 1
    ):
        raise InputError(f"dropout must be a rate in [0, 1), got {dropout!r}")


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
    """Put a new ``num_classes`` head on ``base`` (model or ``.keras`` path) and train it on ``(x, y)``.

    Phase 1 trains the head for ``epochs`` with the base frozen; phase 2 (when
    ``unfreeze`` and ``fine_tune_epochs`` are positive) unfreezes the base's top
    ``unfreeze`` layers and trains ``fine_tune_epochs`` more at ``fine_tune_learning_rate``.
    ``validation_split`` holds out a seeded, stratified random fraction of ``(x, y)``
    (``deepkit.training.carve_validation``) that both phases report on but never train on.
    Returns the compiled ``keras.Model``; ``model.history`` holds the last phase's history.
    A model passed in shares its layers with the result, so it is frozen too.

    A ``.keras`` path loads in Keras's safe mode unless ``safe_mode=False``.
    ``checkpoint`` (a ``deepkit.checkpoints.Checkpoint``) makes both phases resumable
    (see ``train_phase``; the data is then fed in (seed, epoch) order, full batches only).
    """
    check_settings(epochs, batch_size, dropout, fine_tune_epochs)
    check_int(num_classes, "num_classes", min_value=2)
    for name, rate in (
        ("learning_rate", learning_rate),
        ("fine_tune_learning_rate", fine_tune_learning_rate),
    ):
        check_float(rate, name, 0.0, include_min=False)
    if not 0.0 <= check_float(validation_split, "validation_split") < 1.0:
        raise InputError(f"validation fraction must be in [0, 1), got {validation_split!r}")
    check_int(seed, "seed", min_value=0)
    if checkpoint is not None and not isinstance(checkpoint, Checkpoint):
        raise InputError(
            f"checkpoint must be a deepkit.checkpoints.Checkpoint, got {type(checkpoint).__name__}"
        )
    import keras

    from deepkit.seeding import set_seed
    from deepkit.training import carve_validation

    set_seed(seed)
    features = feature_extractor(load_base(base, safe_mode), layer)
    loss = check_data(features, num_classes, x, y)
    check_unfreeze(features, unfreeze, fine_tune_epochs)
    x, y, validation = np.asarray(x), np.asarray(y), None
    if validation_split:
        (x, y), validation = carve_validation(x, y, validation_split, seed=seed, stratify=True)
    model = with_new_head(features, num_classes, dropout, seed)
    fit_args = dict(batch_size=batch_size, validation_data=validation, seed=seed, verbose=verbose)

    model.compile(keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])
    stage = None if checkpoint is None else checkpoint.stage("head")
    train_phase(model, x, y, epochs, stage, **fit_args)
    if unfreeze:
        unfreeze_top(features, unfreeze)
        model.compile(
            keras.optimizers.Adam(fine_tune_learning_rate), loss=loss, metrics=["accuracy"]
        )
        stage = None if checkpoint is None else checkpoint.stage("unfrozen")
        train_phase(model, x, y, fine_tune_epochs, stage, **fit_args)
    return model


def train_phase(model, x, y, epochs, stage, **fit_args):
    """Fit the compiled ``model`` with ``deepkit.training.fit``. With a checkpoint ``stage``
    training resumes from its last saved epoch, and a finished stage is restored, not retrained."""
    from deepkit.training import fit

    if stage is None:
        fit(model, x, y, epochs=epochs, **fit_args)
    elif stage.finished:
        stage.restore(model)
    else:
        fit(model, x, y, epochs=epochs, checkpoint_dir=stage, **fit_args)
        stage.finish(model)
