"""Numerical feature embeddings as Keras layers (Gorishniy, Rubachev and Babenko, "On Embeddings
for Numerical Features in Tabular Deep Learning", 2022).

- ``PeriodicEmbedding`` (PLR): each feature x_f becomes
  ``activation(W_f [sin(2 pi c_f x_f), cos(2 pi c_f x_f)] + b_f)``, with trainable frequencies
  ``c_f`` (``num_frequencies`` per feature, drawn from N(0, sigma)) and a Linear layer of its own
  per feature; ``(batch, features) -> (batch, features, units)``.
- ``PiecewiseLinearEncoding`` (PLE): each feature x_f becomes one value per bin
  ``[b_t, b_(t+1))`` of its training quantiles (``quantile_edges``):
  ``clip((x_f - b_t) / (b_(t+1) - b_t), 0, 1)``, 0 for an empty bin;
  ``(batch, features) -> (batch, features, bins)``. ``quantile_edges`` (NumPy, shared with the
  reference) computes the bins.

A ``Flatten`` after either feeds an MLP. Both are registered for ``.keras`` files
(``deepkit>PeriodicEmbedding``, ...), and their NumPy references are in
``deepkit.reference.layers.embeddings_numeric``.
"""

import math

import keras
import numpy as np
from keras import ops

from deepkit.binning import check_edges, quantile_edges
from deepkit.models._checks import check_optional_seed
from deepkit.validation import InputError, check_float, check_int

__all__ = ["PeriodicEmbedding", "PiecewiseLinearEncoding", "quantile_edges"]


@keras.saving.register_keras_serializable(package="deepkit")
class PeriodicEmbedding(keras.layers.Layer):
    """PLR: ``outputs[:, f] = activation(concat(sin(v), cos(v)) @ kernel[f] + bias[f])`` with
    ``v = 2 pi * inputs[:, f, None] * frequencies[f]``.

    Weights: ``frequencies`` (features, num_frequencies) ~ N(0, sigma); ``kernel``
    (features, 2 num_frequencies, units); ``bias`` (features, units).

    Args:
        num_frequencies: frequencies per feature (an int >= 1).
        units: the size of each feature's embedding (an int >= 1).
        sigma: the standard deviation of the initial frequencies (> 0): the scale of the
            periods the features start from, in the units of the (standardized) inputs.
        activation: applied to each embedding; ``"relu"`` makes PLR, ``None`` PL.
        kernel_initializer: each feature's Linear kernel (Keras's fans of the 3-D kernel).
        bias_initializer: each feature's Linear bias.
        seed: seeds the frequencies (an int, or None).
    """

    def __init__(
        self,
        num_frequencies=16,
        units=16,
        sigma=1.0,
        activation="relu",
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.num_frequencies = check_int(num_frequencies, "num_frequencies", min_value=1)
        self.units = check_int(units, "units", min_value=1)
        self.sigma = check_float(sigma, "sigma", min_value=0.0, include_min=False)
        self.activation = keras.activations.get(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)
        self.seed = check_optional_seed(seed)

    def build(self, input_shape):
        features = input_shape[-1]
        self.frequencies = self.add_weight(
            shape=(features, self.num_frequencies),
            initializer=keras.initializers.RandomNormal(stddev=self.sigma, seed=self.seed),
            name="frequencies",
        )
        self.kernel = self.add_weight(
            shape=(features, 2 * self.num_frequencies, self.units),
            initializer=self.kernel_initializer,
            name="kernel",
        )
        self.bias = self.add_weight(
            shape=(features, self.units), initializer=self.bias_initializer, name="bias"
        )

    def call(self, inputs):
        angles = (2 * math.pi) * ops.expand_dims(inputs, -1) * self.frequencies
        periodic = ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)
        return self.activation(ops.einsum("bfi,fiu->bfu", periodic, self.kernel) + self.bias)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "num_frequencies": self.num_frequencies,
            "units": self.units,
            "sigma": self.sigma,
            "activation": keras.activations.serialize(self.activation),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "bias_initializer": keras.initializers.serialize(self.bias_initializer),
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="deepkit")
class PiecewiseLinearEncoding(keras.layers.Layer):
    """PLE: ``outputs[:, f, t] = clip((inputs[:, f] - b_t) / (b_(t+1) - b_t), 0, 1)`` for the
    bins ``[b_t, b_(t+1))`` of feature f's ``edges`` row, 0 where a bin is empty (b_t = b_(t+1)).

    No weights: the edges are part of the configuration (``quantile_edges`` of the training
    rows), so a row below its first edge encodes as zeros and one above its last as ones.

    Args:
        edges: a (features, bins + 1) array of non-decreasing edges per feature.
    """

    def __init__(self, edges, **kwargs):
        super().__init__(**kwargs)
        self.edges = check_edges(edges)

    def build(self, input_shape):
        if input_shape[-1] != len(self.edges):
            raise InputError(
                f"PiecewiseLinearEncoding has edges for {len(self.edges)} features, "
                f"the inputs have {input_shape[-1]}"
            )

    def call(self, inputs):
        edges = ops.convert_to_tensor(np.asarray(self.edges), dtype=self.compute_dtype)
        left, width = edges[:, :-1], edges[:, 1:] - edges[:, :-1]
        filled = ops.cast(width > 0, self.compute_dtype)
        ratio = (ops.expand_dims(inputs, -1) - left) / ops.where(width > 0, width, 1.0)
        return ops.clip(ratio, 0.0, 1.0) * filled

    def compute_output_shape(self, input_shape):
        return (*input_shape, len(self.edges[0]) - 1)

    def get_config(self):
        return {**super().get_config(), "edges": self.edges}
