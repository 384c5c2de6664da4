"""Numerical feature embeddings: PeriodicEmbedding (PLR) and PiecewiseLinearEncoding (PLE), the
NumPy references of ``deepkit.models.tabular.embeddings``'s Keras layers.

PeriodicEmbedding, per feature f, with v = 2 pi x_f c_f (``num_frequencies`` frequencies),
p = [sin v, cos v] and g = dLoss/d(p @ kernel_f + bias_f):

    dkernel_f = p^T g,  dbias_f = sum_batch g,  dp = g kernel_f^T,
    dv = dp_sin cos v - dp_cos sin v,  dc_f = sum_batch dv 2 pi x_f,  dx_f = sum_j dv_j 2 pi c_fj.

PiecewiseLinearEncoding, per feature f and bin t of width w_t > 0 (edges fixed):
r = (x_f - b_t) / w_t, outputs clip(r, 0, 1); dx_f = sum_t g_t / w_t where 0 <= r <= 1 (the
clip passes the gradient on its bounds, as ``tf.clip_by_value``), 0 for an empty bin.

PLE's bins come from training rows (``deepkit.binning.quantile_edges``). Both layers
register with ``LAYERS`` when this module is imported; ``to_keras`` builds the Keras layer of
``deepkit.models.tabular``.
"""

import numpy as np

from deepkit.binning import check_edges
from deepkit.reference import initializers
from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError, check_float, check_int


class TabularLayer(Layer):
    """A reference layer whose Keras counterpart lives in ``deepkit.models.tabular``."""

    def to_keras(self):
        from deepkit.models import tabular

        return getattr(tabular, type(self).__name__).from_config(self.get_config())


@register
class PeriodicEmbedding(TabularLayer):
    """PLR: ``outputs[:, f] = activation(concat(sin v, cos v) @ kernel[f] + bias[f])``, with
    ``v = 2 pi inputs[:, f, None] frequencies[f]``; ``(batch, features) -> (batch, features,
    units)``. Arguments as Keras's ``deepkit.models.tabular.PeriodicEmbedding``; ``seed`` is
    accepted and unused (a model's generator draws the frequencies, N(0, sigma))."""

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
        super().__init__(activation=activation, **kwargs)
        self.num_frequencies = check_int(num_frequencies, "num_frequencies", min_value=1)
        self.units = check_int(units, "units", min_value=1)
        self.sigma = check_float(sigma, "sigma", min_value=0.0, include_min=False)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.seed = seed

    def build(self, input_shape):
        features, periodic = input_shape[-1], 2 * self.num_frequencies
        frequencies = initializers.RandomNormal(stddev=self.sigma)
        self.add_weight("frequencies", (features, self.num_frequencies), frequencies)
        self.add_weight("kernel", (features, periodic, self.units), self.kernel_initializer)
        self.add_weight("bias", (features, self.units), self.bias_initializer)
        self.built = True

    def call(self, inputs, training=False):
        self._scaled = (2 * np.pi) * inputs[..., None]
        angles = self._scaled * self.frequencies
        self._sin, self._cos = np.sin(angles), np.cos(angles)
        self._periodic = np.concatenate([self._sin, self._cos], axis=-1).transpose(1, 0, 2)
        return np.matmul(self._periodic, self.kernel).transpose(1, 0, 2) + self.bias

    def backward(self, grad):
        per_feature = grad.transpose(1, 0, 2)  # (features, batch, units)
        np.matmul(self._periodic.transpose(0, 2, 1), per_feature, out=self.grads["kernel"])
        np.add.reduce(grad, 0, out=self.grads["bias"])
        d_periodic = np.matmul(per_feature, self.kernel.transpose(0, 2, 1)).transpose(1, 0, 2)
        d_sin, d_cos = np.split(d_periodic, 2, axis=-1)
        d_angles = d_sin * self._cos - d_cos * self._sin
        np.add.reduce(d_angles * self._scaled, 0, out=self.grads["frequencies"])
        if not self.propagate:
            return None
        return (2 * np.pi) * (d_angles * self.frequencies).sum(axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "num_frequencies": self.num_frequencies,
            "units": self.units,
            "sigma": self.sigma,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "seed": self.seed,
        }


@register
class PiecewiseLinearEncoding(TabularLayer):
    """PLE: ``outputs[:, f, t] = clip((inputs[:, f] - b_t) / (b_(t+1) - b_t), 0, 1)`` for the bins
    of feature f's row of ``edges``, 0 for an empty bin; no weights."""

    def __init__(self, edges, **kwargs):
        super().__init__(**kwargs)
        self.edges = check_edges(edges)

    def build(self, input_shape):
        if input_shape[-1] != len(self.edges):
            raise InputError(
                f"PiecewiseLinearEncoding has edges for {len(self.edges)} features, "
                f"the inputs have {input_shape[-1]}"
            )
        self.built = True

    def call(self, inputs, training=False):
        edges = np.asarray(self.edges, dtype=inputs.dtype)
        left, width = edges[:, :-1], edges[:, 1:] - edges[:, :-1]
        self._filled = width > 0
        self._width = np.where(self._filled, width, 1).astype(inputs.dtype)
        self._ratio = (inputs[..., None] - left) / self._width
        return np.clip(self._ratio, 0, 1) * self._filled

    def backward(self, grad):
        if not self.propagate:
            return None
        passes = (self._ratio >= 0) & (self._ratio <= 1) & self._filled
        return (grad * passes / self._width).sum(axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape, len(self.edges[0]) - 1)

    def get_config(self):
        return {**super().get_config(), "edges": self.edges}
