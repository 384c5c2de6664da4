"""A pretrained model's base under a new head: the cut below its classifier, the freeze,
and the top layers unfrozen for phase 2.

``new_model`` does steps 1-3 of ``deepkit.finetune``: ``load_base``, then
``feature_extractor`` (the cut at ``feature_layer``), then ``with_new_head`` (the base
frozen and called with ``training=False`` under a new softmax head). ``base_of`` finds
that base again in the model; ``unfreeze_top`` opens its top layers for phase 2,
BatchNormalization layers kept frozen.
"""

from pathlib import Path

import numpy as np

from deepkit.finetune.checks import check_settings
from deepkit.validation import InputError

# Layers above a classifier's Dense layer or between it and the features: not features.
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
