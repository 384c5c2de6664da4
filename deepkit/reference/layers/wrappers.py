"""TimeDistributed (mirrors keras/src/layers/rnn/time_distributed.py): one layer, one
set of weights, applied to every timestep (axis 1) of its input.

Keras runs the inner layer on each slice x[:, t] and stacks the results. A layer whose
output for one sample depends on that sample only gives the same result on all the
slices at once, so the time axis is folded into the batch:

    (batch, time, ...) -> (batch * time, ...) -> layer -> (batch * time, ...') -> (batch, time, ...')

Backward: dLoss/dy is folded the same way and goes through the inner layer's backward
pass, and dLoss/dx is unfolded. The inner weights are shared by every timestep, so
their gradients are sums over all (sample, timestep) rows, which the inner layer's
backward pass computes over the folded batch:

    dW = sum_t dLoss/dW(x[:, t]).
"""

import numpy as np

from deepkit.reference.layers.base import LAYERS, Layer, register
from deepkit.reference.layers.core import InputLayer
from deepkit.reference.layers.merge import Merge
from deepkit.reference.layers.minibatch_stddev import MinibatchStdDev
from deepkit.reference.layers.normalization import BatchNormalization
from deepkit.validation import InputError

# Layers whose output for one sample depends on the rest of its batch: Keras applies
# them to each timestep's batch separately, which folding the time axis would change.
BATCH_COUPLED = (BatchNormalization, MinibatchStdDev)


@register
class TimeDistributed(Layer):
    """Applies ``layer`` to every timestep of a (batch, time, ...) input with one set of
    weights: ``outputs[:, t] = layer(inputs[:, t])``. Weights: the inner layer's, in its
    order; its regularizers and constraints apply as in Keras. Setting ``trainable``
    after construction sets it on the inner layer too, as Keras does.

    Args:
        layer: a NumPy reference layer that takes one input and treats each sample of
            its batch on its own (Dense, Conv2D, Dropout, Flatten, LSTM, ...).

    Raises:
        InputError: ``layer`` is not a NumPy reference layer, takes a list of inputs (a
            merge layer, InputLayer), depends on its whole batch (BatchNormalization,
            MinibatchStdDev), or has an ``activity_regularizer`` (which Keras ignores
            inside TimeDistributed); or the input has fewer than 3 axes.
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise InputError(
                f"TimeDistributed must wrap a NumPy reference layer, got {type(layer).__name__}"
            )
        where = f"TimeDistributed cannot wrap {type(layer).__name__} {layer.name!r}"
        if isinstance(layer, (Merge, InputLayer)):
            raise InputError(f"{where}: it is a merge or input layer, not a layer of one tensor")
        if isinstance(layer, BATCH_COUPLED):
            raise InputError(
                f"{where}: its output depends on the whole batch, and Keras applies it to "
                "each timestep's batch separately, which the NumPy reference does not implement"
            )
        if layer.activity_regularizer is not None:
            raise InputError(
                f"{where} with an activity_regularizer: Keras ignores it inside "
                "TimeDistributed (give TimeDistributed the activity_regularizer instead)"
            )
        super().__init__(**kwargs)
        self.layer = layer

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """As Keras: setting it on the wrapper sets it on the inner layer (once wrapped)."""
        self._trainable = value
        if "layer" in vars(self):
            self.layer.trainable = value

    @property
    def sublayers(self):
        return (self.layer,)

    @staticmethod
    def _child_shape(input_shape):
        if len(input_shape) < 3:
            raise InputError(
                "TimeDistributed needs inputs with at least 3 axes (batch, time, ...), "
                f"got shape {tuple(input_shape)}"
            )
        return (input_shape[0],) + tuple(input_shape[2:])

    def build(self, input_shape):
        child_shape = self._child_shape(input_shape)
        if not self.layer.built:
            self.layer.dtype, self.layer.rng = self.dtype, self.rng
            self.layer.build(child_shape)
        self.built = True

    # -- weights: the inner layer's -----------------------------------------------------

    @property
    def weight_names(self):
        return [f"{self.layer.name}/{name}" for name in self.layer.weight_names]

    def weight_is_trainable(self, name):
        inner = name.removeprefix(f"{self.layer.name}/")
        return self.trainable and self.layer.weight_is_trainable(inner)

    @property
    def weights(self):
        return self.layer.weights

    @property
    def gradients(self):
        return self.layer.gradients

    @property
    def trainable_weights(self):
        return self.layer.trainable_weights if self.trainable else []

    @property
    def trainable_gradients(self):
        return self.layer.trainable_gradients if self.trainable else []

    def set_weights(self, weights):
        self.layer.set_weights(weights)

    def bind(self, weights, grads):
        self.layer.bind(weights, grads)

    # -- forward and backward ------------------------------------------------------------

    def call(self, inputs, training=False):
        self._steps = inputs.shape[1]
        folded = inputs.reshape((-1,) + inputs.shape[2:])
        outputs = self.layer(folded, training)
        return outputs.reshape((-1, self._steps) + outputs.shape[1:])

    def backward(self, grad):
        grad = np.ascontiguousarray(grad)
        self.layer.propagate = self.propagate
        dx = self.layer.backprop(grad.reshape((-1,) + grad.shape[2:]))
        if dx is None or not self.propagate:
            return None
        return dx.reshape((-1, self._steps) + dx.shape[1:])

    # -- shapes, config, Keras ------------------------------------------------------------

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (child[0], input_shape[1]) + tuple(child[1:])

    def get_config(self):
        layer = {"class_name": type(self.layer).__name__, "config": self.layer.get_config()}
        return {**super().get_config(), "layer": layer}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = config.pop("layer")
        if isinstance(layer, dict):
            layer = LAYERS[layer["class_name"]].from_config(layer["config"])
        return cls(layer, **config)

    @classmethod
    def from_keras(cls, keras_layer):
        """The NumPy reference of a Keras TimeDistributed: the NumPy reference of its inner layer."""
        import keras

        inner = keras_layer.layer
        where = f"Keras layer {keras_layer.name!r} wraps {type(inner).__name__} {inner.name!r}"
        reference_cls = LAYERS.get(type(inner).__name__)
        if reference_cls is None:
            raise InputError(f"{where}, which has no NumPy reference counterpart")
        try:
            layer = reference_cls.from_keras(inner)
        except ValueError as error:  # InputError included
            raise InputError(
                f"{where}: {str(error).removeprefix(f'Keras layer {inner.name!r} ')}"
            ) from error
        activity = keras_layer.activity_regularizer
        if activity is not None:
            activity = keras.regularizers.serialize(activity)
        return cls(
            layer,
            name=keras_layer.name,
            trainable=keras_layer.trainable,
            activity_regularizer=activity,
        )

    def to_keras(self):
        import keras

        activity = self.activity_regularizer
        return keras.layers.TimeDistributed(
            self.layer.to_keras(),
            name=self.name,
            trainable=self.trainable,
            dtype=self.dtype,
            activity_regularizer=None if activity is None else activity.to_keras(),
        )
