"""A reference model back as Keras: ``to_keras`` builds the same graph of Keras layers,
with the same weights, dtype and compile settings.

This module imports no reference model class, so ``Model.to_keras`` and
``Sequential.to_keras`` call it without an import circle.
"""


def map_structure(structure, convert):
    """``convert`` applied to each entry of a loss or metrics structure (a list, a dict
    keyed by output name, or one entry); None entries stay None."""
    if isinstance(structure, dict) and "class_name" not in structure:
        return {key: map_structure(value, convert) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [map_structure(value, convert) for value in structure]
    return None if structure is None else convert(structure)


def to_keras(model):
    """An equivalent Keras model: same graph, layers, weights, dtype and compile settings.

    Args:
        model: a reference ``Sequential`` or ``Model``.

    Returns:
        A ``keras.Sequential`` for a ``Sequential``, else a functional ``keras.Model``.
    """
    return model.to_keras()


def sequential_to_keras(model):
    """``keras.Sequential`` of a reference ``Sequential``'s layers (``to_keras``)."""
    import keras

    if not model.built:
        model.build()
    keras_layers = {layer: layer.to_keras() for layer in model.layers}
    keras_model = keras.Sequential(
        [keras.Input(model.input_shape[1:], dtype=model.dtype)] + list(keras_layers.values()),
        name=model.name,
    )
    return _with_weights_and_compile(model, keras_layers, keras_model)


def functional_to_keras(model):
    """The functional ``keras.Model`` of a reference ``Model``'s graph (``to_keras``)."""
    import keras

    if not model.built:
        model.build()
    keras_layers, tensors = {}, {}
    for node in model._graph.nodes:
        if not node.inputs:
            shape = node.outputs[0].shape[1:]
            tensor = keras.Input(shape, dtype=model.dtype, name=node.layer.name)
            tensors[id(node.outputs[0])] = tensor
            continue
        if node.layer not in keras_layers:
            keras_layers[node.layer] = node.layer.to_keras()
        inputs = [tensors[id(x)] for x in node.inputs]
        out = keras_layers[node.layer](inputs if node.many else inputs[0])
        for x, y in zip(node.outputs, out if isinstance(out, list) else [out]):
            tensors[id(x)] = y
    keras_model = keras.Model(
        model._per_input([tensors[id(x)] for x in model.inputs]),
        model._per_output([tensors[id(y)] for y in model.outputs]),
        name=model.name,
    )
    return _with_weights_and_compile(model, keras_layers, keras_model)


def _with_weights_and_compile(model, keras_layers, keras_model):
    for layer, keras_layer in keras_layers.items():
        keras_layer.set_weights(layer.get_weights())
        if hasattr(keras_layer, "finalize_state"):  # Normalization derives its constants
            keras_layer.finalize_state()
        keras_layer.trainable = layer.trainable
    if model.loss is not None:
        keras_model.compile(
            optimizer=model.optimizer.to_keras(),
            loss=map_structure(model.loss, lambda loss: loss.to_keras()),
            loss_weights=model.loss_weights,
            metrics=map_structure(
                model.metrics, lambda m: m if isinstance(m, str) else m.to_keras()
            )
            or None,
        )
    return keras_model
