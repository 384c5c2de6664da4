"""``Model``: a directed acyclic graph of reference layers, Keras's functional API
(mirrors keras/src/models/functional.py; training comes from ``Trainer``)::

    inputs = Input((8,))
    hidden = Dense(16, activation="relu")(inputs)
    outputs = Dense(1, activation="sigmoid")(Add()([hidden, Dense(16)(inputs)]))
    model = Model(inputs, outputs, seed=0)

Several inputs and outputs are lists (``Model([a, b], [y, z])``; ``fit`` then takes
lists, or dicts keyed by input and output name, and ``compile`` one loss per
output with its weight). A layer called more than once shares its weights, and
their gradients sum over its calls. A model is itself a layer of another model.
The graph's order, and the passes over it, are ``graph.py``'s.

Determinism: ``Model(..., seed=s)`` owns one ``numpy.random.Generator`` seeded
with ``s``; it initializes every weight, draws every dropout mask and shuffles
every epoch, so the same seed gives the same run bit for bit.

Weights: packed into flat buffers, one optimizer update per step; an inner model
keeps its own buffer, so its weights are shared, not copied (``weights.py``).
"""

import numpy as np

from deepkit.reference.layers import Layer
from deepkit.reference.layers import node as nodes
from deepkit.reference.layers.base import default_name
from deepkit.reference.models.graph import Graph, map_graph
from deepkit.reference.models.weights import ModelWeights
from deepkit.reference.trainer import Trainer, check_finite
from deepkit.validation import InputError

FLOAT_DTYPES = ("float32", "float64")


class Model(Trainer, ModelWeights):
    """``Model(inputs, outputs, seed=0)``: the layers between ``Input`` tensors and the
    tensors computed from them (see the module docstring).

    Args:
        inputs: an ``Input`` tensor, or a list of them.
        outputs: a tensor computed from ``inputs``, or a list of them.
        name: the model's name.
        seed: seeds the model's generator (weights, dropout masks, shuffling).
        dtype: "float32" (Keras's default) or "float64": every weight's dtype and the
            inputs', which are cast to it once per call.
        trainable: False freezes every layer.
    """

    shows_connections = True  # summary's "Connected to" column (a chain's is obvious)

    def __init__(self, inputs, outputs, name=None, seed=None, dtype="float32", trainable=True):
        self._configure(name or default_name("Functional"), seed, dtype, trainable)
        self._connect(inputs, outputs)

    def _configure(self, name, seed, dtype, trainable):
        dtype = np.dtype(dtype).name
        if dtype not in FLOAT_DTYPES:
            raise InputError(f"dtype must be float32 or float64, got {dtype!r}")
        self.name, self.seed, self.dtype = name, seed, dtype
        self.rng = np.random.default_rng(seed)
        self._trainable = trainable
        self.built = False
        self.propagate = False

    def _connect(self, inputs, outputs):
        """Map the graph from ``inputs`` to ``outputs``, build its layers, pack the weights."""
        # As Keras's Functional: a list of one input or output is that one (unpacked).
        self.inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        self.outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
        self._several_inputs, self._several_outputs = len(self.inputs) > 1, len(self.outputs) > 1
        for tensor in self.inputs + self.outputs:
            if not isinstance(tensor, nodes.KerasTensor):
                raise InputError(
                    f"Model takes Input tensors and the tensors of layers called on them, "
                    f"got {tensor!r}"
                )
        graph_nodes, layers = map_graph(self.inputs, self.outputs)
        self._build_layers(graph_nodes)
        self._graph = Graph(self.inputs, self.outputs, graph_nodes, layers)
        self._pack_weights()
        self.built = True

    def _build_layers(self, graph_nodes):
        """Build each layer at its first node, with the model's dtype and generator."""
        done = set()
        for node in graph_nodes:
            layer = node.layer
            if not node.inputs or layer in done:
                continue
            done.add(layer)
            if layer.dtype not in (None, self.dtype):
                raise InputError(
                    f"layer {layer.name!r} has dtype {layer.dtype}, the model {self.dtype}"
                )
            if isinstance(layer, Layer):
                layer.dtype, layer.rng = self.dtype, self.rng
                layer.input_shape = node.input_shapes
            if not layer.built:
                layer.build(node.input_shapes)
                layer.built = True
            if isinstance(layer, Layer):
                layer.output_shape = node.outputs[0].shape

    # -- structure -------------------------------------------------------------------

    @property
    def layers(self):
        """The layers in Keras's order (the graph's, Input layers included)."""
        return list(self._graph.layers)

    def _per_input(self, values):
        return list(values) if self._several_inputs else values[0]

    def _per_output(self, values):
        return list(values) if self._several_outputs else values[0]

    @property
    def input_shape(self):
        return self._per_input([x.shape for x in self.inputs])

    @property
    def output_shape(self):
        return self._per_output([y.shape for y in self.outputs])

    @property
    def input_names(self):
        return [x.node.layer.name for x in self.inputs]

    @property
    def output_names(self):
        """The name of the layer that computes each output (as Keras names them)."""
        return [y.node.layer.name for y in self.outputs]

    def build(self, input_shape=None):
        """A functional model is built when it is made."""

    def compute_output_shape(self, input_shape):
        return self.output_shape

    # -- data --------------------------------------------------------------------------

    def _listed_data(self, data, names, what, kind):
        """``data`` as a list with one array per name: a dict keyed by name, a list or
        tuple (for several), or one array-like (for one)."""
        if isinstance(data, dict):
            missing = [name for name in names if name not in data]
            if missing or len(data) != len(names):
                raise InputError(
                    f"{what} is a dict with keys {sorted(data)}; the model's {kind}s are "
                    f"named {names}"
                )
            return [data[name] for name in names]
        if len(names) == 1:  # one array, or a list of one array for a list of one output
            one = isinstance(data, (list, tuple)) and len(data) == 1
            return [data[0]] if one and isinstance(data[0], np.ndarray) else [data]
        if not isinstance(data, (list, tuple)) or len(data) != len(names):
            raise InputError(
                f"the model has {len(names)} {kind}s ({', '.join(names)}): {what} must be "
                f"a list of {len(names)} arrays or a dict keyed by those names"
            )
        return list(data)

    def _ensure_built(self, first_input, what):
        """A functional model is always built (a ``Sequential`` builds here)."""

    def _check_x(self, x, what="x"):
        arrays = self._listed_data(x, self.input_names, what, "input")
        arrays = [np.asarray(a, dtype=self.dtype) for a in arrays]
        self._ensure_built(arrays[0], what)
        for i, (array, tensor) in enumerate(zip(arrays, self.inputs)):
            expected = tensor.shape
            label = what if len(arrays) == 1 else f"{what}[{i}]"
            if array.ndim != len(expected) or any(
                e is not None and e != s for e, s in zip(expected[1:], array.shape[1:])
            ):
                raise InputError(
                    f"{label} has shape {array.shape}, the model expects {expected} "
                    "(batch axis first)"
                )
            if len(array) != len(arrays[0]):
                raise InputError(f"{label} has {len(array)} samples, {what}[0] {len(arrays[0])}")
        return self._per_input(arrays)

    def _prepare_y(self, y, n, what="y"):
        if y is None:
            raise InputError(f"{what} is missing: this model trains on targets")
        ys = self._listed_data(y, self.output_names, what, "output")
        for i, target in enumerate(ys):
            label = what if len(ys) == 1 else f"{what}[{i}]"
            target = ys[i] = np.asarray(target)
            if len(target) != n:
                raise InputError(f"{label} has {len(target)} samples, x has {n}")
            if target.dtype.kind not in "biuf":
                raise InputError(f"{label} must be numeric, got dtype {target.dtype}")
            if target.dtype.kind == "f":
                check_finite(target, label)
        if self.loss is not None:
            shapes = [y.shape for y in self.outputs]
            ys = self._compile_loss().prepare(ys, shapes, self.dtype)
        return self._per_output(ys)

    # -- forward and backward --------------------------------------------------------------

    @property
    def activation(self):
        """The activation that computes each output (a loss may use the logits before it)."""
        return self._per_output(self._graph.activations)

    @property
    def logits(self):
        """Each output's values before its activation, from the last forward pass."""
        return self._per_output(self._graph.logits)

    def __call__(self, x, training=False):
        """The outputs for ``x`` in one pass (no batching); on symbolic tensors, the
        output tensor(s) of this model called as a layer."""
        if nodes.is_symbolic(x):
            return nodes.call(self, x)
        return self._forward(self._check_x(x), training)

    def _forward(self, x, training):
        inputs = x if self._several_inputs else [x]
        return self._per_output(self._graph.forward(inputs, training))

    def _backward(self, grad, from_logits=False, need_input_grad=False):
        """dLoss/d(outputs) (or d(logits) where ``from_logits``; lists for several
        outputs) -> every layer's weight gradients, and dLoss/d(inputs) when
        ``need_input_grad`` (else None)."""
        grads = list(grad) if self._several_outputs else [grad]
        flags = [from_logits] * len(grads) if isinstance(from_logits, bool) else list(from_logits)
        input_grads = self._graph.backward(grads, flags, need_input_grad)
        return self._per_input(input_grads) if need_input_grad else None

    def backprop(self, grad, from_logits=False):
        """As a layer of an outer model: dLoss/d(outputs) -> dLoss/d(inputs)."""
        return self._backward(grad, from_logits, need_input_grad=self.propagate)

    # -- description and the Keras bridge ------------------------------------------------

    def summary(self, print_fn=print):
        """A Keras-style table of layers, output shapes, parameter counts and, for a
        functional model, the layers each one is connected to."""
        if not self.built:
            self.build()
        first = {}
        for node in self._graph.nodes:
            first.setdefault(node.layer, node)
        functional = self.shows_connections
        header = ("Layer (type)", "Output Shape", "Param #") + (("Connected to",) * functional)
        rows = [header]
        for layer in self.layers:
            node = first[layer]
            shapes = [str(y.shape) for y in node.outputs]
            row = (
                f"{layer.name} ({type(layer).__name__})",
                shapes[0] if len(shapes) == 1 else ", ".join(shapes),
                f"{layer.count_params():,}",
            )
            if functional:
                row += (", ".join(x.node.layer.name for x in node.inputs) or "-",)
            rows.append(row)
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
        trainable = sum(w.size for w in self.trainable_weights)
        total = self.count_params()
        print_fn(
            "\n".join([f'Model: "{self.name}"', *lines])
            + f"\n Total params: {total:,}\n Trainable params: {trainable:,}\n"
            f" Non-trainable params: {total - trainable:,}"
        )

    def to_keras(self):
        """An equivalent Keras model: same graph, layers, weights, dtype, and compile settings."""
        from deepkit.reference.models.export import functional_to_keras

        return functional_to_keras(self)
