"""``Sequential``: a stack of reference layers (mirrors keras/src/models/sequential.py;
training comes from ``Trainer`` in ``trainer.py``).

Determinism: ``Sequential(..., seed=s)`` owns one ``numpy.random.Generator``
seeded with ``s``; it initializes every weight, draws every dropout mask and
shuffles every epoch, so the same seed gives the same run bit for bit.

Speed: at ``build`` every weight of the model's own layers (and its gradient)
becomes a view into one flat buffer, so a training step is a forward pass, one
backward pass writing gradients in place, and one optimizer update over the
buffer (over its trainable spans when some layers are frozen).

Nesting: a ``Sequential`` is itself a layer of another ``Sequential``, as in
Keras. The inner model keeps its own buffer, so its weights are shared, not
copied: the outer optimizer updates the inner buffer's trainable spans too, and
training the inner model alone updates the same arrays. ``trainable`` is read
at every step, so freezing a layer (or a whole inner model) after ``compile``
takes effect at once.

(One concept, the NumPy reference's model structure, over about 300 lines: building and
packing, nesting, weights, the forward and backward loops, and the Keras bridge
that must mirror all of them.)
"""

import numpy as np

from deepkit.reference import losses, optimizers
from deepkit.reference.layers import LAYERS, InputLayer, Layer
from deepkit.reference.trainer import Trainer, check_finite
from deepkit.validation import InputError

FLOAT_DTYPES = ("float32", "float64")


class Sequential(Trainer):
    """A linear stack of layers: ``Sequential([Input((11,)), Dense(6), ...], seed=0)``.

    ``dtype`` ("float32", Keras's default, or "float64") is the dtype of every
    weight and of the inputs, which are cast to it once per call. With an
    ``Input`` first, the model is built at once (weights exist before any call).
    """

    def __init__(self, layers=None, name="sequential", seed=None, dtype="float32", trainable=True):
        dtype = np.dtype(dtype).name
        if dtype not in FLOAT_DTYPES:
            raise InputError(f"dtype must be float32 or float64, got {dtype!r}")
        self.name, self.seed, self.dtype = name, seed, dtype
        self.rng = np.random.default_rng(seed)
        self._layers = []
        self._input_shape = None
        self._trainable = trainable
        self.built = False
        self.propagate = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._input_shape is not None and self._layers:
            self.build()

    # -- structure -------------------------------------------------------------

    @property
    def layers(self):
        return list(self._layers)

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        return self._layers[-1].output_shape if self.built else None

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """As Keras: setting it on a model sets it on every layer inside."""
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = bool(value)

    def add(self, layer, rebuild=True):
        """Append ``layer`` (a reference layer or a reference ``Sequential``); a model that
        knows its input shape rebuilds, keeping the weights it has."""
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise InputError("Input must be the first entry of a Sequential model")
            self._input_shape = (None,) + layer.shape
            return
        if not isinstance(layer, (Layer, Sequential)):
            raise InputError(f"Sequential takes deepkit.reference layers, got {layer!r}")
        if not self._layers and self._input_shape is None:
            declared = (
                layer.input_shape
                if isinstance(layer, Sequential)
                else (None if layer.input_shape_arg is None else (None,) + layer.input_shape_arg)
            )
            self._input_shape = declared
        self._layers.append(layer)
        if rebuild and self._input_shape is not None:
            self.build()

    def build(self, input_shape=None):
        """Build every layer for ``input_shape`` (batch axis first) and pack the weights."""
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise InputError(
                "the model has no input shape: start it with Input(shape), or "
                "call build(input_shape) or the model on data"
            )
        if not self._layers:
            raise InputError("the model has no layers")
        shape = self._input_shape = (None,) + tuple(input_shape[1:])
        for layer in self._layers:
            if layer.dtype not in (None, self.dtype):
                raise InputError(
                    f"layer {layer.name!r} has dtype {layer.dtype}, the model {self.dtype}"
                )
            if isinstance(layer, Layer):
                layer.dtype, layer.rng = self.dtype, self.rng
                layer.input_shape = shape
            if not layer.built:
                layer.build(shape)
                layer.built = True
            shape = tuple(layer.compute_output_shape(shape))
            if isinstance(layer, Layer):
                layer.output_shape = shape
        self._pack_weights()
        self.built = True

    def compute_output_shape(self, input_shape):
        for layer in self._layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape

    def _own_layers(self):
        return [layer for layer in self._layers if isinstance(layer, Layer)]

    def _nested_models(self):
        return [layer for layer in self._layers if isinstance(layer, Sequential)]

    def _pack_weights(self):
        """Make the weights and gradients of the model's own layers views of two
        flat buffers; nested models keep theirs."""
        for layer in self._own_layers():
            owner = getattr(layer, "_owner", None)
            if owner is not None and owner is not self:
                raise InputError(
                    f"layer {layer.name!r} already belongs to model {owner.name!r}: nest "
                    "that model instead of sharing its layers"
                )
        total = sum(w.size for layer in self._own_layers() for w in layer.weights)
        self._params = np.empty(total, dtype=self.dtype)
        self._grads = np.zeros(total, dtype=self.dtype)
        self._spans, offset = [], 0
        for layer in self._own_layers():
            weights, grads = [], []
            for name, w in zip(layer.weight_names, layer.weights):
                end = offset + w.size
                weights.append(self._params[offset:end].reshape(w.shape))
                grads.append(self._grads[offset:end].reshape(w.shape))
                self._spans.append((layer, name, offset, end))
                offset = end
            layer.bind(weights, grads)
            layer._owner = self

    def _optimizer_targets(self):
        """(gradient buffers, weight buffers, spans): this model's flat buffers and
        those of nested models, each with the (start, end) runs of trainable
        weights in it, adjacent trainable layers merged into one run."""
        runs = []
        for layer, name, start, end in self._spans:
            if not (self._trainable and layer.weight_is_trainable(name)) or start == end:
                continue
            if runs and runs[-1][1] == start:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((start, end))
        grads, params, spans = [self._grads], [self._params], [runs]
        for model in self._nested_models():
            g, p, s = model._optimizer_targets()
            grads += g
            params += p
            spans += s if self._trainable else [[] for _ in s]
        return grads, params, spans

    # -- weights ---------------------------------------------------------------

    @property
    def weights(self):
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self):
        """The weights the optimizer updates, in Keras's order."""
        if not self._trainable:
            return []
        return [w for layer in self._layers for w in layer.trainable_weights]

    @property
    def trainable_gradients(self):
        """The gradients of the last backward pass, aligned with ``trainable_weights``."""
        if not self._trainable:
            return []
        return [g for layer in self._layers for g in layer.trainable_gradients]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        expected = len(self.weights)
        if len(weights) != expected:
            raise InputError(
                f"model {self.name!r} expects {expected} weight arrays, got {len(weights)}"
            )
        start = 0
        for layer in self._layers:
            count = len(layer.weights)
            layer.set_weights(weights[start : start + count])
            start += count

    def count_params(self):
        return sum(layer.count_params() for layer in self._layers)

    # -- forward and backward --------------------------------------------------

    @property
    def activation(self):
        """The last layer's activation (a loss may use the logits before it)."""
        return self._layers[-1].activation

    @property
    def logits(self):
        return self._layers[-1].logits

    def _check_x(self, x, what="x"):
        x = np.asarray(x, dtype=self.dtype)
        if not self.built:
            if x.ndim < 2:
                raise InputError(f"{what} must have a batch axis, got shape {x.shape}")
            self.build(self._input_shape or (None,) + x.shape[1:])
        expected = self._input_shape
        if x.ndim != len(expected) or any(
            e is not None and e != s for e, s in zip(expected[1:], x.shape[1:])
        ):
            raise InputError(
                f"{what} has shape {x.shape}, the model expects {expected} (batch axis first)"
            )
        return x

    def _prepare_y(self, y, n, what="y"):
        if y is None:
            raise InputError(f"{what} is missing: this model trains on targets")
        y = np.asarray(y)
        if len(y) != n:
            raise InputError(f"{what} has {len(y)} samples, x has {n}")
        if y.dtype.kind not in "biuf":
            raise InputError(f"{what} must be numeric, got dtype {y.dtype}")
        if y.dtype.kind == "f":
            check_finite(y, what)
        if self.loss is None:
            return y
        pred = np.broadcast_to(np.zeros((), self.dtype), (n,) + self.output_shape[1:])
        return self.loss.prepare(y, pred)[0]

    def __call__(self, x, training=False):
        """The outputs for ``x`` in one pass (no batching)."""
        return self._forward(self._check_x(x), training)

    def _forward(self, x, training):
        for layer in self._layers:
            x = layer(x, training)
        return x

    def _backward(self, grad, from_logits=False, need_input_grad=False):
        """dLoss/d(outputs) (or d(logits)) -> every layer's weight gradients, and
        dLoss/d(inputs) when ``need_input_grad`` (else None)."""
        self._layers[0].propagate = need_input_grad
        for layer in self._layers[:0:-1]:
            layer.propagate = True
        grad = self._layers[-1].backprop(grad, from_logits=from_logits)
        for layer in self._layers[-2::-1]:
            grad = layer.backprop(grad)
        return grad

    def backprop(self, grad, from_logits=False):
        """As a layer of an outer model: dLoss/d(outputs) -> dLoss/d(inputs)."""
        return self._backward(grad, from_logits, need_input_grad=self.propagate)

    # -- description and the Keras bridge ----------------------------------------

    def summary(self, print_fn=print):
        """A Keras-style table of layers, output shapes and parameter counts."""
        if not self.built:
            self.build()
        rows = [("Layer (type)", "Output Shape", "Param #")] + [
            (
                f"{layer.name} ({type(layer).__name__})",
                str(layer.output_shape),
                f"{layer.count_params():,}",
            )
            for layer in self._layers
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
        trainable = sum(w.size for w in self.trainable_weights)
        total = self.count_params()
        print_fn(
            "\n".join([f'Model: "{self.name}"', *lines])
            + f"\n Total params: {total:,}\n Trainable params: {trainable:,}\n"
            f" Non-trainable params: {total - trainable:,}"
        )

    def to_keras(self):
        """An equivalent Keras model: same layers, weights, dtype, and compile settings."""
        import keras

        if not self.built:
            self.build()
        model = keras.Sequential(
            [keras.Input(self._input_shape[1:], dtype=self.dtype)]
            + [layer.to_keras() for layer in self._layers],
            name=self.name,
        )
        for layer, keras_layer in zip(self._layers, model.layers):
            keras_layer.set_weights(layer.get_weights())
            keras_layer.trainable = layer.trainable
        if self.loss is not None:
            model.compile(
                optimizer=self.optimizer.to_keras(),
                loss=self.loss.to_keras(),
                metrics=[m if isinstance(m, str) else m.to_keras() for m in self.metrics] or None,
            )
        return model


def from_keras(keras_model, seed=None):
    """The NumPy reference's counterpart of a Keras ``Sequential`` model (nested ones
    included): same layers, weights, dtype and ``trainable`` flags, and (when
    compiled) the same optimizer hyperparameters (fresh state), loss and metrics.

    Args:
        keras_model: a built ``keras.Sequential``.
        seed: seeds the model's random numbers (dropout masks, shuffling).

    Returns:
        A ``Sequential``.

    Raises:
        InputError: one error listing everything the NumPy reference cannot host:
            each unsupported layer (its name in the model and its class), each
            unsupported argument, loss, metric and compile setting; a model that
            is not a ``Sequential`` (saying when a functional model is a plain
            chain of layers, which ``keras.Sequential(model.layers)`` hosts);
            and an unbuilt model (saying how to build it).
    """
    import keras

    problems = []
    is_sequential = isinstance(keras_model, keras.Sequential)
    if not is_sequential:
        problems.append(_structure_problem(keras_model))
    elif not _is_built(keras_model):
        problems.append(
            f"Keras Sequential model {keras_model.name!r} is not built, so its weights "
            "do not exist yet: call model.build(input_shape) (e.g. model.build((None, 11))), "
            "start it with keras.Input(shape), or call it once on a batch of data"
        )
    reference_layers = _reference_layers(keras_model, seed, problems)
    dtypes = set()
    if is_sequential:
        dtypes = {w.dtype for w in keras_model.weights}
        if len(dtypes) > 1:
            problems.append(f"the model mixes weight dtypes {sorted(dtypes)}")
    compiled = getattr(keras_model, "optimizer", None) is not None and getattr(
        keras_model, "loss", None
    )
    compile_args = _compile_args(keras_model, problems) if compiled else None
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        raise InputError(
            f"the NumPy reference cannot host Keras model {keras_model.name!r}:\n{listed}\n"
            f"(it hosts Sequential models of the layers {', '.join(sorted(LAYERS))})"
        )
    dtype = dtypes.pop() if dtypes else "float32"
    model = Sequential(reference_layers, name=keras_model.name, seed=seed, dtype=dtype)
    model.build(keras_model.input_shape)
    for reference, keras_layer in zip(reference_layers, keras_model.layers):
        reference.set_weights(keras_layer.get_weights())
    if compile_args is not None:
        model.compile(**compile_args)
    model._trainable = keras_model.trainable  # its layers' flags are already copied
    return model


def _is_built(keras_model):
    try:
        shape = keras_model.input_shape
    except (AttributeError, ValueError):
        return False
    return bool(keras_model.built) and shape is not None


def _reference_layers(keras_model, seed, problems):
    """The counterpart of each layer of ``keras_model``; each layer it cannot host
    adds a line to ``problems`` (and None to the list)."""
    import keras

    reference_layers = []
    for keras_layer in keras_model.layers:
        if isinstance(keras_layer, keras.layers.InputLayer):
            continue
        where = f"layer {keras_layer.name!r} ({type(keras_layer).__name__})"
        if isinstance(keras_layer, keras.Sequential):
            inner = []
            reference_layers.append(_nested(keras_layer, seed, inner))
            problems.extend(f"in nested model {keras_layer.name!r}: {p}" for p in inner)
            continue
        cls = LAYERS.get(type(keras_layer).__name__)
        if cls is None:
            problems.append(f"{where}: no NumPy reference counterpart")
            reference_layers.append(None)
            continue
        try:
            reference_layers.append(cls.from_keras(keras_layer))
        except ValueError as error:  # InputError included
            message = str(error).removeprefix(f"Keras layer {keras_layer.name!r} ")
            problems.append(f"{where}: {message}")
            reference_layers.append(None)
    return reference_layers


def _nested(keras_model, seed, problems):
    try:
        return from_keras(keras_model, seed=seed)
    except InputError as error:
        lines = str(error).splitlines()[1:-1]
        problems.extend(line.strip()[2:] for line in lines)
        return None


def _structure_problem(keras_model):
    """Why a model that is not a ``keras.Sequential`` is refused, naming the way out
    when it is a functional plain chain."""
    import keras

    name = f"model {getattr(keras_model, 'name', keras_model)!r}"
    if not isinstance(keras_model, keras.Model):
        return f"{name} ({type(keras_model).__name__}) is not a Keras model"
    if not _is_functional(keras_model):
        return (
            f"{name} is a subclassed keras.Model ({type(keras_model).__name__}), which the "
            "NumPy reference does not host (it hosts keras.Sequential models)"
        )
    try:
        chain = _plain_chain(keras_model)
    except (AttributeError, TypeError, ValueError, IndexError):
        chain = None
    if chain is not None:
        return (
            f"{name} is a functional model, which the NumPy reference does not host; it "
            f"is a plain chain of layers ({' -> '.join(chain)}), so "
            "from_keras(keras.Sequential(model.layers)) hosts the same network with the "
            "same weights"
        )
    return (
        f"{name} is a functional model that is not a plain chain of layers (several "
        "inputs or outputs, a branch or a merge), which the NumPy reference does not host "
        "(it hosts keras.Sequential models)"
    )


def _is_functional(keras_model):
    try:
        from keras.src.models.functional import Functional
    except ImportError:  # a Keras without this module: judge by the graph attributes
        return hasattr(keras_model, "operations") and hasattr(keras_model, "outputs")
    return isinstance(keras_model, Functional)


def _plain_chain(keras_model):
    """The layer names from input to output when ``keras_model`` is a functional
    model whose layers form one chain (one input, one output, every layer called
    once on the previous layer's output), else None."""
    if len(keras_model.inputs or []) != 1 or len(keras_model.outputs or []) != 1:
        return None
    tensor, chain = keras_model.outputs[0], []
    while True:
        operation, node_index, _ = tensor._keras_history
        chain.append(operation)
        inputs = operation._inbound_nodes[node_index].input_tensors
        if not inputs:
            break
        if len(inputs) != 1:
            return None
        tensor = inputs[0]
    operations = list(getattr(keras_model, "operations", keras_model.layers))
    if len(chain) != len(operations) or {id(op) for op in chain} != {id(op) for op in operations}:
        return None
    return [op.name for op in reversed(chain)]


# Compile settings the NumPy reference does not implement, with the value it accepts.
UNSUPPORTED_COMPILE = {"loss_weights": None, "weighted_metrics": None}


def _compile_args(keras_model, problems):
    """The arguments of ``compile`` for the counterpart of a compiled Keras model;
    each loss, metric, optimizer or setting it cannot host adds a line to ``problems``."""
    from deepkit.reference import metrics as metrics_module

    config = keras_model.get_compile_config() or {}
    args = {}
    for setting, accepted in UNSUPPORTED_COMPILE.items():
        if config.get(setting, accepted) not in (accepted, [], {}):
            problems.append(
                f"compile setting {setting}={config[setting]!r} is not implemented by the "
                "NumPy reference"
            )
    for key, convert, value in (
        ("optimizer", optimizers.from_keras, keras_model.optimizer),
        ("loss", losses.from_keras, keras_model.loss),
    ):
        try:
            args[key] = convert(value)
        except InputError as error:
            problems.append(f"{key}: {error}")
    entries = config.get("metrics") or []
    if not isinstance(entries, (list, tuple)):
        problems.append(f"metrics {entries!r}: only a list of metrics is implemented")
        entries = []
    args["metrics"] = []
    for entry in entries:
        try:
            args["metrics"].append(metrics_module.from_keras(entry))
        except InputError as error:
            problems.append(str(error))
    return args
