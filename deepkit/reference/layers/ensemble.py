"""The TabM-mini efficient ensemble's layers, EnsembleAdapter and EnsembleDense: the NumPy
references of ``deepkit.models.tabular.ensemble``'s Keras layers.

EnsembleAdapter, outputs[:, i] = x * r_i, with g = dLoss/d(outputs) of shape (batch, heads, d):

    dr_i = sum_batch g[:, i] x,  dx = sum_i g[:, i] r_i.

EnsembleDense, outputs[:, i] = x[:, i] @ kernel_i + bias_i, per head i:

    dkernel_i = x[:, i]^T g[:, i],  dbias_i = sum_batch g[:, i],  dx[:, i] = g[:, i] kernel_i^T.

Both register with ``LAYERS`` when this module is imported.
"""

import numpy as np

from deepkit.reference import initializers
from deepkit.reference.layers.base import register
from deepkit.reference.layers.embeddings_numeric import TabularLayer
from deepkit.validation import check_int


class RandomSigns(initializers.Initializer):
    """Each entry +1 or -1 with probability 1/2, from the model's generator (Keras's
    ``deepkit.models.tabular.RandomSigns`` draws the same distribution)."""

    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype="float32", rng=None):
        rng = rng if rng is not None else np.random.default_rng(self.seed)
        return (2 * rng.integers(0, 2, size=shape) - 1).astype(dtype)

    def get_config(self):
        return {"seed": self.seed}


@register
class EnsembleAdapter(TabularLayer):
    """``outputs[:, i, :] = inputs * adapters[i]``; ``(batch, features) -> (batch, heads,
    features)``; ``adapters`` start at random signs. ``seed`` is accepted and unused (a
    model's generator draws the signs)."""

    def __init__(self, heads, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.heads = check_int(heads, "heads", min_value=1)
        self.seed = seed

    def build(self, input_shape):
        self.add_weight("adapters", (self.heads, input_shape[-1]), RandomSigns())
        self.built = True

    def call(self, inputs, training=False):
        self._inputs = inputs
        return inputs[:, None, :] * self.adapters

    def backward(self, grad):
        np.einsum("bkf,bf->kf", grad, self._inputs, out=self.grads["adapters"])
        if not self.propagate:
            return None
        return np.einsum("bkf,kf->bf", grad, self.adapters)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.heads, input_shape[-1])

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "seed": self.seed}


@register
class EnsembleDense(TabularLayer):
    """``outputs[:, i] = activation(inputs[:, i] @ kernel[i] + bias[i])``; ``(batch, heads,
    input_dim) -> (batch, heads, units)``."""

    def __init__(
        self,
        units,
        activation=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(activation=activation, **kwargs)
        self.units = check_int(units, "units", min_value=1)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        heads, input_dim = input_shape[-2], input_shape[-1]
        self.add_weight("kernel", (heads, input_dim, self.units), self.kernel_initializer)
        self.add_weight("bias", (heads, self.units), self.bias_initializer)
        self.built = True

    def call(self, inputs, training=False):
        self._per_head = inputs.transpose(1, 0, 2)  # (heads, batch, input_dim)
        return np.matmul(self._per_head, self.kernel).transpose(1, 0, 2) + self.bias

    def backward(self, grad):
        per_head = grad.transpose(1, 0, 2)
        np.matmul(self._per_head.transpose(0, 2, 1), per_head, out=self.grads["kernel"])
        np.add.reduce(grad, 0, out=self.grads["bias"])
        if not self.propagate:
            return None
        return np.matmul(per_head, self.kernel.transpose(0, 2, 1)).transpose(1, 0, 2)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }
