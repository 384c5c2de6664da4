"""The layers of a TabM-mini efficient ensemble (Gorishniy, Kotelnikov and Babenko, "TabM:
Advancing Tabular Deep Learning with Parameter-Efficient Ensembling", 2024).

k heads share one MLP backbone: ``EnsembleAdapter`` makes k copies of each row, copy i scaled
elementwise by its own adapter r_i, ``(batch, features) -> (batch, k, features)``; the backbone's
Dense layers act on the last axis, so one set of weights serves every copy; ``EnsembleDense``
gives each head its own output layer, ``(batch, k, d) -> (batch, k, units)``. Training takes the
mean of the k heads' losses, prediction the mean of their probabilities
(``deepkit.models.tabular.networks``).

The adapters start at random signs, +1 or -1 (``RandomSigns``), as in TabM-mini, so the heads
differ from the first step. NumPy references: ``deepkit.reference.layers.ensemble``.
"""

import keras
from keras import ops

from deepkit.models._checks import check_optional_seed
from deepkit.validation import check_int


@keras.saving.register_keras_serializable(package="deepkit")
class RandomSigns(keras.initializers.Initializer):
    """Each entry +1 or -1 with probability 1/2 (seeded by ``seed``, an int or None)."""

    def __init__(self, seed=None):
        self.seed = check_optional_seed(seed)

    def __call__(self, shape, dtype=None):
        bits = keras.random.randint(shape, 0, 2, seed=self.seed)
        return ops.cast(2 * bits - 1, dtype or "float32")

    def get_config(self):
        return {"seed": self.seed}


@keras.saving.register_keras_serializable(package="deepkit")
class EnsembleAdapter(keras.layers.Layer):
    """``outputs[:, i, :] = inputs * adapters[i]``: k copies of each row, each scaled by its head's
    adapter; ``(batch, features) -> (batch, heads, features)``.

    Weight ``adapters`` (heads, features), initialized by ``RandomSigns``.

    Args:
        heads: the ensemble's size k (an int >= 1).
        seed: seeds the adapters' signs (an int, or None).
    """

    def __init__(self, heads, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.heads = check_int(heads, "heads", min_value=1)
        self.seed = check_optional_seed(seed)

    def build(self, input_shape):
        self.adapters = self.add_weight(
            shape=(self.heads, input_shape[-1]),
            initializer=RandomSigns(self.seed),
            name="adapters",
        )

    def call(self, inputs):
        return ops.expand_dims(inputs, 1) * self.adapters

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.heads, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "seed": self.seed}


@keras.saving.register_keras_serializable(package="deepkit")
class EnsembleDense(keras.layers.Layer):
    """One Dense layer per head: ``outputs[:, i] = activation(inputs[:, i] @ kernel[i] + bias[i])``;
    ``(batch, heads, input_dim) -> (batch, heads, units)``.

    Weights ``kernel`` (heads, input_dim, units) and ``bias`` (heads, units).

    Args:
        units: each head's outputs (an int >= 1).
        activation: applied to the outputs (``"sigmoid"`` for probabilities).
        kernel_initializer: the kernels (Keras's fans of the 3-D kernel: both multiplied by
            the number of heads).
        bias_initializer: the biases.
    """

    def __init__(
        self,
        units,
        activation=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = check_int(units, "units", min_value=1)
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        heads, input_dim = input_shape[-2], input_shape[-1]
        self.kernel = self.add_weight(
            shape=(heads, input_dim, self.units),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(heads, self.units), initializer=self.bias_initializer, name="bias"
        )

    def call(self, inputs):
        return self.activation(ops.einsum("bkd,kdu->bku", inputs, self.kernel) + self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
        }
