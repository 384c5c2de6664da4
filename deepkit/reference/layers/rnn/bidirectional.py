"""Bidirectional (mirrors keras/src/layers/rnn/bidirectional.py)."""

import numpy as np

from deepkit.reference.layers.base import LAYERS, Layer, register
from deepkit.reference.layers.rnn.recurrent import Recurrent
from deepkit.validation import InputError

MERGE_MODES = ("concat", "sum", "ave", "mul")


@register
class Bidirectional(Layer):
    """Runs ``layer`` forwards and a copy with ``go_backwards`` flipped (or
    ``backward_layer``) on the same inputs and merges their outputs:

        y = merge(y_forward, flip(y_backward))     (flip over time with return_sequences)

    merge: "concat" [y_f, y_b] (default), "sum" y_f + y_b, "ave" (y_f + y_b) / 2, "mul"
    y_f * y_b; ``merge_mode=None`` (two outputs) is refused. Weights: the forward
    layer's, then the backward layer's. Backward: the merge's vector-Jacobian product
    splits dLoss/dy between the two layers; dLoss/dx is the sum of theirs.

    Each layer keeps its own regularizers and constraints (the copy made for the backward
    direction too, as Keras's); the wrapper's ``activity_regularizer`` penalizes y.

    Raises:
        InputError: for a layer that is not a reference SimpleRNN, LSTM or GRU, an
            unknown ``merge_mode``, or layers with the same ``go_backwards`` or different
            ``return_sequences``.
    """

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, Recurrent):
            raise InputError(
                f"Bidirectional layer must be a reference SimpleRNN, LSTM or GRU, got {layer!r}"
            )
        if merge_mode not in MERGE_MODES:
            raise InputError(
                f"Bidirectional merge_mode={merge_mode!r} is not implemented by the NumPy reference; "
                f"choose one of {', '.join(MERGE_MODES)}"
            )
        super().__init__(**kwargs)
        if backward_layer is None:
            config = layer.get_config()
            config.update(go_backwards=not layer.go_backwards, name=f"backward_{layer.name}")
            backward_layer = type(layer).from_config(config)
        if not isinstance(backward_layer, Recurrent):
            raise InputError(
                f"Bidirectional backward_layer must be a reference SimpleRNN, LSTM or GRU, "
                f"got {backward_layer!r}"
            )
        if backward_layer.go_backwards == layer.go_backwards:
            raise InputError(
                "Bidirectional: the forward and backward layers need different go_backwards, "
                f"both have go_backwards={layer.go_backwards}"
            )
        if backward_layer.return_sequences != layer.return_sequences:
            raise InputError(
                "Bidirectional: the forward and backward layers need the same "
                f"return_sequences, got {layer.return_sequences} and "
                f"{backward_layer.return_sequences}"
            )
        self.forward_layer, self.backward_layer = layer, backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences

    @property
    def sublayers(self):
        return (self.forward_layer, self.backward_layer)

    def build(self, input_shape):
        for layer in self.sublayers:
            layer.dtype, layer.rng = self.dtype, self.rng
            layer.build(input_shape)
        self.built = True

    # -- weights: the forward layer's, then the backward layer's -----------------------

    @property
    def weight_names(self):
        return [f"{layer.name}/{name}" for layer in self.sublayers for name in layer.weight_names]

    @property
    def weights(self):
        return self.forward_layer.weights + self.backward_layer.weights

    @property
    def gradients(self):
        return self.forward_layer.gradients + self.backward_layer.gradients

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return self.forward_layer.trainable_weights + self.backward_layer.trainable_weights

    @property
    def trainable_gradients(self):
        if not self.trainable:
            return []
        return self.forward_layer.trainable_gradients + self.backward_layer.trainable_gradients

    def set_weights(self, weights):
        weights = list(weights)
        count = len(self.forward_layer.weights)
        if len(weights) != count + len(self.backward_layer.weights):
            raise InputError(
                f"layer {self.name!r} expects {count + len(self.backward_layer.weights)} "
                f"weight arrays, got {len(weights)}"
            )
        self.forward_layer.set_weights(weights[:count])
        self.backward_layer.set_weights(weights[count:])

    def bind(self, weights, grads):
        count = len(self.forward_layer.weights)
        self.forward_layer.bind(weights[:count], grads[:count])
        self.backward_layer.bind(weights[count:], grads[count:])

    # -- forward and backward ----------------------------------------------------------

    def _flip(self, y):
        return y[:, ::-1] if self.return_sequences else y

    def call(self, inputs, training=False):
        self._y_forward = self.forward_layer(inputs, training)
        self._y_backward = self._flip(self.backward_layer(inputs, training))
        y_f, y_b = self._y_forward, self._y_backward
        if self.merge_mode == "concat":
            return np.concatenate([y_f, y_b], axis=-1)
        if self.merge_mode == "sum":
            return y_f + y_b
        if self.merge_mode == "ave":
            return (y_f + y_b) / 2
        return y_f * y_b

    def backward(self, grad):
        if self.merge_mode == "concat":
            units = self.forward_layer.units
            g_f, g_b = grad[..., :units], grad[..., units:]
        elif self.merge_mode == "sum":
            g_f = g_b = grad
        elif self.merge_mode == "ave":
            g_f = g_b = grad / 2
        else:
            g_f, g_b = grad * self._y_backward, grad * self._y_forward
        for layer in self.sublayers:
            layer.propagate = self.propagate
        dx_f = self.forward_layer.backprop(np.ascontiguousarray(g_f))
        dx_b = self.backward_layer.backprop(np.ascontiguousarray(self._flip(g_b)))
        return None if not self.propagate else dx_f + dx_b

    # -- shapes, config, Keras ----------------------------------------------------------

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        if self.merge_mode == "concat":
            shape = shape[:-1] + (2 * shape[-1],)
        return shape

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode}

    @classmethod
    def from_keras(cls, keras_layer):
        """The NumPy reference of a Keras Bidirectional: the NumPy references of its forward and backward layers."""
        if keras_layer.merge_mode not in MERGE_MODES:
            raise InputError(
                f"Keras layer {keras_layer.name!r} uses merge_mode={keras_layer.merge_mode!r}, "
                "which the NumPy reference Bidirectional does not implement"
            )
        reference_layers = []
        for sub in (keras_layer.forward_layer, keras_layer.backward_layer):
            reference_cls = LAYERS.get(type(sub).__name__)
            if reference_cls is None or not issubclass(reference_cls, Recurrent):
                raise InputError(
                    f"Keras layer {keras_layer.name!r} wraps {type(sub).__name__}, which the "
                    "NumPy reference Bidirectional does not implement"
                )
            reference_layers.append(reference_cls.from_keras(sub))
        return cls(
            reference_layers[0],
            merge_mode=keras_layer.merge_mode,
            backward_layer=reference_layers[1],
            name=keras_layer.name,
            trainable=keras_layer.trainable,
            activity_regularizer=keras_layer.get_config().get("activity_regularizer"),
        )

    def to_keras(self):
        import keras

        return keras.layers.Bidirectional(
            self.forward_layer.to_keras(),
            merge_mode=self.merge_mode,
            backward_layer=self.backward_layer.to_keras(),
            name=self.name,
            trainable=self.trainable,
            dtype=self.dtype,
            activity_regularizer=self.get_config().get("activity_regularizer"),
        )
