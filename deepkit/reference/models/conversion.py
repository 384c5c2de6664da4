"""The Keras bridge: ``from_keras`` makes a Keras model's NumPy reference counterpart,
``to_keras`` goes back.

``from_keras`` hosts ``keras.Sequential`` models and functional ``keras.Model``
graphs (several inputs and outputs, merge layers, a layer called more than once,
nested models) built from the layers in ``LAYERS``. It refuses anything else with
one ``InputError`` that lists every problem at once.
"""

from deepkit.reference import losses, optimizers
from deepkit.reference import metrics as metrics_module
from deepkit.reference.layers import LAYERS, Input
from deepkit.reference.models.export import map_structure
from deepkit.reference.models.functional import Model
from deepkit.reference.models.sequential import Sequential
from deepkit.validation import InputError


def from_keras(keras_model, seed=None):
    """The NumPy reference's counterpart of a Keras model (nested ones included):
    same graph, layers, weights, dtype and ``trainable`` flags, and (when compiled)
    the same optimizer hyperparameters (fresh state), losses, loss weights and metrics.

    Args:
        keras_model: a built ``keras.Sequential``, or a functional ``keras.Model``.
        seed: seeds the model's random numbers (dropout masks, shuffling).

    Returns:
        A ``Sequential`` for a ``keras.Sequential``, else a ``Model``.

    Raises:
        InputError: one error listing everything the NumPy reference cannot host:
            each unsupported layer or operation (its name in the model and its
            class), each unsupported argument, loss, metric and compile setting; a
            subclassed model; and an unbuilt model (saying how to build it).
    """
    problems = []
    model = _counterpart(keras_model, seed, problems)
    compiled = getattr(keras_model, "optimizer", None) is not None and getattr(
        keras_model, "loss", None
    )
    compile_args = _compile_args(keras_model, problems) if compiled else None
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise InputError(
            f"the NumPy reference cannot host Keras model {keras_model.name!r}:\n{listed}\n"
            f"(it hosts Sequential and functional models of the layers "
            f"{', '.join(sorted(LAYERS))})"
        )
    if compile_args is not None:
        model.compile(**compile_args)
    return model


def _counterpart(keras_model, seed, problems):
    """The reference model of ``keras_model``, or None after adding to ``problems``."""
    import keras

    name = f"model {getattr(keras_model, 'name', keras_model)!r}"
    if isinstance(keras_model, keras.Sequential):
        return _sequential(keras_model, seed, problems)
    if not isinstance(keras_model, keras.Model):
        problems.append(f"{name} ({type(keras_model).__name__}) is not a Keras model")
    elif not _is_functional(keras_model):
        problems.append(
            f"{name} is a subclassed keras.Model ({type(keras_model).__name__}), which the "
            "NumPy reference does not host (it hosts Sequential and functional models)"
        )
    else:
        return _functional(keras_model, seed, problems)
    return None


def _is_functional(keras_model):
    from keras.src.models.functional import Functional

    return isinstance(keras_model, Functional)


def _dtype(keras_model, problems):
    """The float dtype of the model's weights (integer ones, such as Normalization's
    ``count``, are held in it as well); a model without any: its dtype policy's."""
    dtypes = {w.dtype for w in keras_model.weights if "int" not in w.dtype}
    if len(dtypes) > 1:
        problems.append(f"the model mixes weight dtypes {sorted(dtypes)}")
    if len(dtypes) == 1:
        return dtypes.pop()
    return getattr(getattr(keras_model, "dtype_policy", None), "variable_dtype", "float32")


def _sequential(keras_model, seed, problems):
    if not _is_built(keras_model):
        problems.append(
            f"Keras Sequential model {keras_model.name!r} is not built, so its weights "
            "do not exist yet: call model.build(input_shape) (e.g. model.build((None, 11))), "
            "start it with keras.Input(shape), or call it once on a batch of data"
        )
    layers = {}
    for keras_layer in keras_model.layers:
        layers[keras_layer] = _layer(keras_layer, seed, problems)
    dtype = _dtype(keras_model, problems) if _is_built(keras_model) else "float32"
    if problems:
        return None
    model = Sequential(list(layers.values()), name=keras_model.name, seed=seed, dtype=dtype)
    model.build(keras_model.input_shape)
    return _copy_state(model, layers, keras_model)


def _is_built(keras_model):
    try:
        shape = keras_model.input_shape
    except (AttributeError, ValueError):
        return False
    return bool(keras_model.built) and shape is not None


def _functional(keras_model, seed, problems):
    """Replay the Keras graph node by node with the counterparts of its layers."""
    start = len(problems)
    layers, calls = {}, []
    for depth in sorted(keras_model._nodes_by_depth, reverse=True):
        for node in keras_model._nodes_by_depth[depth]:
            if node.is_input:
                continue
            layer = node.operation
            if layer not in layers:
                layers[layer] = _layer(layer, seed, problems)
            # The model's own training flag replaces the one recorded at the call.
            kwargs = node.arguments.kwargs
            extra = sorted(k for k, v in kwargs.items() if v is not None and k != "training")
            if extra or len(node.arguments.args) != 1:
                problems.append(
                    f"layer {layer.name!r} is called with "
                    f"{', '.join(extra) or f'{len(node.arguments.args)} positional arguments'}"
                    ", which the NumPy reference does not implement (it calls a layer on its "
                    "inputs only)"
                )
            calls.append(node)
    for what in ("inputs", "outputs"):
        if isinstance(getattr(keras_model, f"_{what}_struct"), dict):
            problems.append(f"the model's {what} are a dict; the NumPy reference takes lists")
    dtype = _dtype(keras_model, problems)
    if len(problems) > start:
        return None
    tensors = {}
    for x in keras_model.inputs:
        tensors[id(x)] = Input(x.shape[1:], name=x._keras_history.operation.name)
    for node in calls:
        args = node.arguments.args[0]
        many = isinstance(args, (list, tuple))
        inputs = [tensors[id(x)] for x in (args if many else [args])]
        out = layers[node.operation](inputs if many else inputs[0])
        for x, y in zip(node.outputs, out if isinstance(out, list) else [out]):
            tensors[id(x)] = y
    model = Model(
        _structured(keras_model._inputs_struct, [tensors[id(x)] for x in keras_model.inputs]),
        _structured(keras_model._outputs_struct, [tensors[id(y)] for y in keras_model.outputs]),
        name=keras_model.name,
        seed=seed,
        dtype=dtype,
    )
    return _copy_state(model, layers, keras_model)


def _structured(struct, tensors):
    return tensors if isinstance(struct, (list, tuple)) else tensors[0]


def _copy_state(model, layers, keras_model):
    """Copy the weights and ``trainable`` flags (nested models copied theirs)."""
    for keras_layer, layer in layers.items():
        layer.set_weights(keras_layer.get_weights())
    model._trainable = keras_model.trainable  # its layers' flags are already copied
    return model


def _layer(keras_layer, seed, problems):
    """The counterpart of one Keras layer (or nested model); None after adding to
    ``problems`` when the NumPy reference cannot host it."""
    import keras

    where = f"layer {keras_layer.name!r} ({type(keras_layer).__name__})"
    if isinstance(keras_layer, keras.Model):
        inner = []
        model = _counterpart(keras_layer, seed, inner)
        problems.extend(f"in nested model {keras_layer.name!r}: {p}" for p in inner)
        return model
    cls = LAYERS.get(type(keras_layer).__name__)
    if not isinstance(keras_layer, keras.layers.Layer):
        problems.append(
            f"operation {keras_layer.name!r} ({type(keras_layer).__name__}, a keras.ops call "
            "on a symbolic tensor) has no NumPy reference counterpart; use the layer instead"
        )
    elif cls is None:
        problems.append(f"{where}: no NumPy reference counterpart")
    else:
        try:
            return cls.from_keras(keras_layer)
        except ValueError as error:  # InputError included
            message = str(error).removeprefix(f"Keras layer {keras_layer.name!r} ")
            problems.append(f"{where}: {message}")
    return None


# Compile settings the NumPy reference does not implement, with the value it accepts.
UNSUPPORTED_COMPILE = {"weighted_metrics": None}


def _compile_args(keras_model, problems):
    """The arguments of ``compile`` for the counterpart of a compiled Keras model;
    each loss, metric, optimizer or setting it cannot host adds a line to ``problems``."""
    config = keras_model.get_compile_config() or {}
    for setting, accepted in UNSUPPORTED_COMPILE.items():
        if config.get(setting, accepted) not in (accepted, [], {}):
            problems.append(
                f"compile setting {setting}={config[setting]!r} is not implemented by the "
                "NumPy reference"
            )

    def checked(convert, prefix=""):
        def run(entry):
            try:
                return convert(entry)
            except InputError as error:
                problems.append(f"{prefix}{error}")
                return None

        return run

    return {
        "optimizer": checked(optimizers.from_keras, "optimizer: ")(keras_model.optimizer),
        "loss": map_structure(keras_model.loss, checked(losses.from_keras, "loss: ")),
        "loss_weights": config.get("loss_weights"),
        "metrics": map_structure(config.get("metrics") or [], checked(metrics_module.from_keras)),
    }
