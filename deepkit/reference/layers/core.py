"""Input, Dense, Activation and Embedding (mirror keras/src/layers/core/input_layer.py,
dense.py, embedding.py and keras/src/layers/activations/activation.py)."""

import numpy as np

from deepkit.reference import initializers
from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError


@register
class InputLayer(Layer):
    """Declares the input shape (without the batch axis); passes its input through."""

    def __init__(self, shape, **kwargs):
        super().__init__(**kwargs)
        self.shape = tuple(shape)

    def call(self, inputs, training=False):
        return inputs

    def backward(self, grad):
        return grad

    def get_config(self):
        return {**super().get_config(), "shape": self.shape}


@register
class Dense(Layer):
    """outputs = activation(inputs @ kernel + bias), over the last axis of ``inputs``.

    kernel: (input_dim, units), initialized by ``kernel_initializer``
    (glorot_uniform); bias: (units,), ``bias_initializer`` (zeros).
    Backward, with g = dLoss/d(inputs @ kernel + bias) flattened to (n, units)
    and x the inputs flattened to (n, input_dim):
    dkernel = x^T g, dbias = sum_n g, dinputs = g kernel^T.
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ):
        super().__init__(activation=activation, **kwargs)
        if not isinstance(units, (int, np.integer)) or units < 1:
            raise InputError(f"Dense units must be a positive int, got {units!r}")
        self.units = int(units)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def build(self, input_shape):
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer)
        self.built = True

    def call(self, inputs, training=False):
        self._inputs = inputs
        outputs = inputs @ self.kernel
        if self.use_bias:
            np.add(outputs, self.bias, out=outputs)
        return outputs

    def backward(self, grad):
        x = self._inputs
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
        g = grad if grad.ndim == 2 else grad.reshape(-1, self.units)
        np.matmul(x.T, g, out=self.grads["kernel"])
        if self.use_bias:
            np.add.reduce(g, 0, out=self.grads["bias"])
        if not self.propagate:
            return None
        return grad @ self.kernel.T

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
        }


@register
class Activation(Layer):
    """outputs = activation(inputs); no weights."""

    def __init__(self, activation, **kwargs):
        super().__init__(activation=activation, **kwargs)

    def call(self, inputs, training=False):
        return inputs

    def backward(self, grad):
        return grad


@register
class Embedding(Layer):
    """outputs[..., :] = embeddings[inputs[...]]: a row of the (input_dim, output_dim)
    table per integer index (the inputs are cast to ints, as Keras casts them).

    Backward: each output row's gradient is added to the row of the table it
    came from (np.add.at, so repeated indices add up); the indices have no
    gradient, so nothing propagates to the inputs.

    Args:
        input_dim: the vocabulary size (indices 0 .. input_dim - 1).
        output_dim: the size of each vector.
        embeddings_initializer: Keras's "uniform" (-0.05 to 0.05).
        mask_zero: only False (masking has no NumPy counterpart).

    Raises:
        InputError: for ``mask_zero=True`` and, when called, indices out of range.
    """

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        mask_zero=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for value, what in ((input_dim, "input_dim"), (output_dim, "output_dim")):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise InputError(f"Embedding {what} must be a positive int, got {value!r}")
        if mask_zero:
            raise InputError(
                "Embedding mask_zero=True is not implemented by the NumPy reference "
                "(masking has no counterpart)"
            )
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)

    def build(self, input_shape):
        self.add_weight(
            "embeddings", (self.input_dim, self.output_dim), self.embeddings_initializer
        )
        self.built = True

    def call(self, inputs, training=False):
        ids = np.asarray(inputs).astype(np.intp)
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise InputError(
                f"Embedding {self.name!r}: index out of range [0, {self.input_dim}): "
                f"min {ids.min()}, max {ids.max()}"
            )
        self._ids = ids
        return self.embeddings[ids]

    def backward(self, grad):
        """dLoss/d(embeddings)[i] = the sum of the output gradients at the positions that
        read row i: one ``np.bincount`` over (row, column) bins, which adds in index order
        (as ``np.add.at``, in float64) and fills the table in the same pass."""
        d = self.output_dim
        bins = (self._ids.reshape(-1, 1) * d + np.arange(d)).reshape(-1)
        sums = np.bincount(bins, weights=grad.reshape(-1), minlength=self.input_dim * d)
        self.grads["embeddings"][...] = sums.reshape(self.input_dim, d)
        return None

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "mask_zero": False,
        }
