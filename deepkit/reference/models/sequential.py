"""``Sequential``: a stack of reference layers (mirrors keras/src/models/sequential.py).

It is the functional ``Model`` whose graph is a chain: at build it calls each layer
on the previous layer's output tensor, from an input of the declared shape, and
from then on the model, its weights and its training are ``Model``'s. Unlike a
functional model it can wait for its input shape (from ``build`` or the first
batch) and grow with ``add``. A ``Sequential`` (or any ``Model``) is itself a
layer of another model, as in Keras.
"""

from deepkit.reference.layers import InputLayer, Layer
from deepkit.reference.layers.base import default_name
from deepkit.reference.layers.node import KerasTensor, Node
from deepkit.reference.models.functional import Model
from deepkit.validation import InputError


class Sequential(Model):
    """A linear stack of layers: ``Sequential([Input((11,)), Dense(6), ...], seed=0)``.

    ``dtype`` ("float32", Keras's default, or "float64") is the dtype of every
    weight and of the inputs, which are cast to it once per call. With an
    ``Input`` first (or a first layer that declares ``input_shape``), the model is
    built at once (weights exist before any call).
    """

    shows_connections = False

    def __init__(self, layers=None, name=None, seed=None, dtype="float32", trainable=True):
        self._configure(name or default_name("Sequential"), seed, dtype, trainable)
        self._layers = []
        self._input_shape = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._input_shape is not None and self._layers:
            self.build()

    @property
    def layers(self):
        """The layers, without the input (as Keras's ``Sequential.layers``)."""
        return list(self._layers)

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        return super().output_shape if self.built else None

    @property
    def activation(self):
        """The last layer's activation (a loss may use the logits before it)."""
        return self._layers[-1].activation

    @property
    def output_names(self):
        return [self._layers[-1].name] if self._layers else []

    def add(self, layer, rebuild=True):
        """Append ``layer`` (a reference layer or model); a model that knows its input
        shape rebuilds, keeping the weights it has. An ``Input`` tensor first declares
        the input shape."""
        if isinstance(layer, KerasTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise InputError("Input must be the first entry of a Sequential model")
            self._input_shape = (None,) + layer.shape
            return
        if not isinstance(layer, (Layer, Model)):
            raise InputError(f"Sequential takes deepkit.reference layers, got {layer!r}")
        if not self._layers and self._input_shape is None:
            if isinstance(layer, Model):
                declared = layer.input_shape
            else:
                declared = (
                    None if layer.input_shape_arg is None else (None,) + layer.input_shape_arg
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
        inputs = Node(InputLayer(shape[1:], name=f"{self.name}_input"), None, [shape]).outputs[0]
        outputs = inputs
        for layer in self._layers:
            outputs = layer(outputs)
        self._connect(inputs, outputs)

    def _ensure_built(self, first_input, what):
        if not self.built:
            if first_input.ndim < 2:
                raise InputError(f"{what} must have a batch axis, got shape {first_input.shape}")
            self.build(self._input_shape or (None,) + first_input.shape[1:])

    @property
    def input_names(self):
        return [f"{self.name}_input"]

    def to_keras(self):
        """An equivalent ``keras.Sequential``: same layers, weights, dtype and compile settings."""
        from deepkit.reference.models.export import sequential_to_keras

        return sequential_to_keras(self)

    def compute_output_shape(self, input_shape):
        for layer in self._layers:
            input_shape = layer.compute_output_shape(input_shape)
        return input_shape
