"""The recurrent reference layers' common machinery and SimpleRNN (mirrors keras/src/layers/rnn/rnn.py,
dropout_rnn_cell.py and simple_rnn.py).

A recurrent layer reads ``inputs`` (batch, timesteps, features) one timestep at
a time (last to first with ``go_backwards``) from a zero state, and returns the
last output (batch, units) or, with ``return_sequences``, every output
(batch, timesteps, units) in the order processed. Its cell's pre-activations
split in two parts:

    z_t = P_t + Q_t,   P_t = x_t @ kernel (+ bias),   Q_t = h_{t-1} @ recurrent_kernel

``P`` does not depend on the state, so it is computed for all timesteps in one
matrix product before the loop; only ``Q`` is computed inside it.

Backprop through time: one loop from the last timestep to the first carries
dLoss/dh (and dLoss/dc for LSTM) backwards and stores dLoss/dP_t and
dLoss/dQ_t; the weight gradients are then single products over all timesteps,
dkernel = X^T dP and drecurrent_kernel = H_prev^T dQ (for the candidate block of a
GRU with ``reset_after=False``, the reset states r * h_{t-1} instead of H_prev), and
dLoss/dX = dP kernel^T. Every step is vectorized over the batch.

Dropout (training only), as Keras draws it: one keep-mask per sequence, reused
at every timestep, scaled by 1 / (1 - rate); ``dropout`` masks the inputs,
``recurrent_dropout`` the previous state. LSTM and GRU with
``recurrent_dropout > 0`` (Keras's ``implementation=1``) draw one mask per gate
(4 or 3) for each. For tests, set ``fixed_dropout_mask`` /
``fixed_recurrent_dropout_mask`` (boolean keep-masks, shape (batch, features)
or (gates, batch, features)); ``dropout_mask`` / ``recurrent_dropout_mask``
hold the last masks used.

Regularizers and constraints are ``Layer``'s: ``kernel_regularizer``,
``recurrent_regularizer`` and ``bias_regularizer`` penalize ``kernel``,
``recurrent_kernel`` and ``bias`` (their gradients join the BPTT ones),
``activity_regularizer`` the layer's outputs (every timestep's with
``return_sequences``), and ``kernel_constraint``, ``recurrent_constraint`` and
``bias_constraint`` project those weights after each optimizer update.

Not implemented, refused with an InputError naming the setting unless it has
Keras's default: ``return_state``, ``stateful``, ``unroll``,
``zero_output_for_mask`` (``from_keras`` accepts it: a Keras ``Masking`` or
``Embedding(mask_zero=True)`` layer has no NumPy reference, so it never acts),
LSTM's and GRU's ``use_cudnn`` ("auto" or False: the kernel TensorFlow picks
computes what the loop computes; True, which needs cuDNN, is refused) and
``implementation`` (2; ``from_keras``
accepts Keras's ``implementation=1`` except with input dropout and no recurrent
dropout, one input mask per gate). Keras 3's recurrent layers have no ``time_major``.

(One concept, the recurrent scan, over about 350 lines: the step through time,
its backward pass through time, the dropout masks and the Keras bridge every cell shares;
SimpleRNN is its smallest cell.)
"""

import inspect

import numpy as np

from deepkit.reference import activations, initializers
from deepkit.reference.layers.base import ACCEPTED_BY_EVERY_LAYER, Layer, register
from deepkit.validation import InputError


def check_rate(name, rate):
    if not isinstance(rate, (int, float)) or not 0 <= rate < 1:
        raise InputError(f"{name} must be a float in [0, 1), got {rate!r}")
    return float(rate)


class Recurrent(Layer):
    """Base class of SimpleRNN, LSTM and GRU; see the module docstring.

    A subclass sets ``GATES`` (blocks of ``units`` columns in the kernels) and
    implements ``_steps(P)`` (forward loop, returns the outputs (T, batch, units))
    and ``_steps_backward(dH)`` (returns dP and dQ, both (T, batch, GATES * units)).

    Raises:
        InputError: for a setting in ``UNSUPPORTED`` other than its Keras default, bad
            ``units`` or dropout rates.
    """

    GATES = 1
    # Keras settings the reference layers do not implement, with the values they accept.
    UNSUPPORTED = {
        "return_state": (False,),
        "stateful": (False,),
        "unroll": (False,),
        "zero_output_for_mask": (False,),
    }

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        go_backwards=False,
        **kwargs,
    ):
        for setting, accepted in self.UNSUPPORTED.items():
            value = kwargs.pop(setting, accepted[0])
            if value not in accepted:
                only = " or ".join(f"{setting}={a!r}" for a in accepted)
                raise InputError(
                    f"{type(self).__name__}: {setting}={value!r} is not implemented by the "
                    f"NumPy reference (only {only})"
                )
        super().__init__(**kwargs)
        if not isinstance(units, (int, np.integer)) or units < 1:
            raise InputError(f"{type(self).__name__} units must be a positive int, got {units!r}")
        self.units = int(units)
        self.cell_activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.dropout = check_rate("dropout", dropout)
        self.recurrent_dropout = check_rate("recurrent_dropout", recurrent_dropout)
        self.seed = seed
        self.return_sequences = bool(return_sequences)
        self.go_backwards = bool(go_backwards)
        self.fixed_dropout_mask = self.fixed_recurrent_dropout_mask = None
        self.dropout_mask = self.recurrent_dropout_mask = None

    # -- weights -----------------------------------------------------------------

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise InputError(
                f"{type(self).__name__} expects inputs (batch, timesteps, features), "
                f"got shape {tuple(input_shape)}"
            )
        width = self.GATES * self.units
        self.add_weight("kernel", (input_shape[-1], width), self.kernel_initializer)
        self.add_weight("recurrent_kernel", (self.units, width), self.recurrent_initializer)
        if self.use_bias:
            self.add_weight("bias", self._bias_shape(), self._bias_init())
        self.built = True

    def _bias_shape(self):
        return (self.GATES * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    # -- dropout -------------------------------------------------------------------

    def _mask_groups(self, rate, fixed, shape, what):
        """[(columns, keep-mask * 1/(1-rate) or None)]: one group for all gates, or one per
        gate when Keras draws a mask per gate (recurrent_dropout > 0 in LSTM and GRU)."""
        count = self.GATES if self.recurrent_dropout > 0 else 1
        if count == 1:
            groups = [slice(None)]
        else:
            groups = [slice(g * self.units, (g + 1) * self.units) for g in range(count)]
        if not (self._training and rate > 0):
            setattr(self, what, None)
            return [(columns, None) for columns in groups]
        if fixed is not None:
            keep = np.asarray(fixed, dtype=bool)
            if count == 1 and keep.shape == shape:
                keep = keep[None]
            if keep.shape != (count,) + shape:
                raise InputError(
                    f"fixed_{what} has shape {keep.shape}, expected {(count,) + shape}"
                )
        else:
            if self.rng is None:
                self.rng = np.random.default_rng(self.seed)
            keep = self.rng.random((count,) + shape) >= rate
        masks = keep * np.dtype(self._dtype).type(1 / (1 - rate))
        setattr(self, what, masks)
        return list(zip(groups, masks))

    # -- forward ---------------------------------------------------------------------

    def call(self, inputs, training=False):
        if inputs.ndim != 3:
            raise InputError(
                f"{type(self).__name__} expects inputs (batch, timesteps, features), "
                f"got shape {inputs.shape}"
            )
        batch, _, features = inputs.shape
        self._training, self._dtype = training, inputs.dtype
        self._input_groups = self._mask_groups(
            self.dropout, self.fixed_dropout_mask, (batch, features), "dropout_mask"
        )
        self._state_groups = self._mask_groups(
            self.recurrent_dropout,
            self.fixed_recurrent_dropout_mask,
            (batch, self.units),
            "recurrent_dropout_mask",
        )
        X = inputs.transpose(1, 0, 2)  # time-major, in processing order
        self._X = X[::-1] if self.go_backwards else X
        P = np.empty(X.shape[:2] + (self.kernel.shape[1],), inputs.dtype)
        for columns, mask in self._input_groups:
            x = self._X if mask is None else self._X * mask
            P[..., columns] = x @ self.kernel[:, columns]
        if self.use_bias:
            P += self._input_bias()
        self._H = np.zeros((len(X) + 1, batch, self.units), inputs.dtype)  # H[0]: the zero state
        outputs = self._steps(P)
        return outputs.transpose(1, 0, 2) if self.return_sequences else outputs[-1].copy()

    def _input_bias(self):
        return self.bias

    def _recurrent(self, h, gates=None):
        """Q = h @ recurrent_kernel, each gate's block with its recurrent dropout mask; only
        the first ``gates`` gate blocks if given."""
        kernel = self.recurrent_kernel[:, : None if gates is None else gates * self.units]
        if self._state_groups[0][1] is None:
            return h @ kernel
        Q = np.empty((len(h), kernel.shape[1]), h.dtype)
        for columns, mask in self._state_groups[:gates]:
            Q[:, columns] = (h * mask) @ kernel[:, columns]
        return Q

    # -- backward ----------------------------------------------------------------------

    def backward(self, grad):
        T, batch = self._H.shape[0] - 1, self._H.shape[1]
        if self.return_sequences:
            dH = grad.transpose(1, 0, 2)
        else:
            dH = np.zeros((T, batch, self.units), grad.dtype)
            dH[-1] = grad
        dP, dQ = self._steps_backward(dH)
        x, n = self._X.reshape(-1, self._X.shape[-1]), T * batch
        for columns, mask in self._input_groups:
            xm = x if mask is None else (self._X * mask).reshape(n, -1)
            self.grads["kernel"][:, columns] = xm.T @ dP[..., columns].reshape(n, -1)
        for columns, operand in self._recurrent_operands():
            dQ_block = dQ[..., columns].reshape(n, -1)
            self.grads["recurrent_kernel"][:, columns] = operand.reshape(n, -1).T @ dQ_block
        if self.use_bias:
            self._bias_grad(dP, dQ)
        if not self.propagate:
            return None
        dX = np.zeros_like(self._X)
        for columns, mask in self._input_groups:
            dx = dP[..., columns] @ self.kernel[:, columns].T
            dX += dx if mask is None else dx * mask
        if self.go_backwards:
            dX = dX[::-1]
        return dX.transpose(1, 0, 2)

    def _recurrent_operands(self):
        """[(columns of recurrent_kernel, what multiplies them (T, batch, units))]: the
        states h_{t-1}, each gate's block with its recurrent dropout mask."""
        H_prev = self._H[:-1]
        return [
            (columns, H_prev if mask is None else H_prev * mask)
            for columns, mask in self._state_groups
        ]

    def _bias_grad(self, dP, dQ):
        np.add.reduce(dP.reshape(-1, dP.shape[-1]), 0, out=self.grads["bias"])

    def _recurrent_backward(self, dQ_t, gates=None):
        """dLoss/dh_{t-1} through Q_t = (h_{t-1} * mask) @ recurrent_kernel (its first
        ``gates`` gate blocks if given)."""
        width = None if gates is None else gates * self.units
        kernel = self.recurrent_kernel[:, :width]
        if self._state_groups[0][1] is None:
            return dQ_t[:, :width] @ kernel.T
        dh = 0
        for columns, mask in self._state_groups[:gates]:
            dh = dh + (dQ_t[:, columns] @ kernel[:, columns].T) * mask
        return dh

    # -- shapes, config, Keras ----------------------------------------------------------

    def compute_output_shape(self, input_shape):
        if self.return_sequences:
            return (input_shape[0], input_shape[1], self.units)
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": self.cell_activation.name,
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
            "return_sequences": self.return_sequences,
            "go_backwards": self.go_backwards,
        }

    @classmethod
    def from_keras(cls, keras_layer):
        """The NumPy reference of a Keras recurrent layer; settings it does not implement raise
        InputError naming them (see the module docstring)."""
        config = keras_layer.get_config()
        # zero_output_for_mask acts on masked timesteps only, and masking has no NumPy reference.
        config.pop("zero_output_for_mask", None)
        if hasattr(keras_layer, "use_cudnn"):  # LSTM's and GRU's, left out of Keras's config
            config["use_cudnn"] = keras_layer.use_cudnn
        for setting, accepted in cls.UNSUPPORTED.items():
            value = config.pop(setting, accepted[0])
            if value not in accepted:
                raise InputError(
                    f"Keras layer {keras_layer.name!r} uses {setting}={value!r}, "
                    f"which the NumPy reference {cls.__name__} does not implement"
                )
        cell = getattr(keras_layer, "cell", None)
        if (
            getattr(cell, "implementation", 2) == 1
            and config.get("dropout")
            and not config.get("recurrent_dropout")
        ):
            raise InputError(
                f"Keras layer {keras_layer.name!r} uses implementation=1 with dropout and no "
                f"recurrent_dropout (one dropout mask per gate), which the NumPy reference "
                f"{cls.__name__} does not implement"
            )
        accepted = set(inspect.signature(cls.__init__).parameters) | set(ACCEPTED_BY_EVERY_LAYER)
        unsupported = sorted(
            k for k, v in config.items() if k not in accepted and k != "dtype" and v is not None
        )
        if unsupported:
            raise InputError(
                f"Keras layer {keras_layer.name!r} uses {', '.join(unsupported)}, "
                f"which the NumPy reference {cls.__name__} does not implement"
            )
        return cls.from_config({k: v for k, v in config.items() if k in accepted})


@register
class SimpleRNN(Recurrent):
    """h_t = activation(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel) (tanh by default).

    Backward, with dh_t = dLoss/dh_t (from the outputs and from step t+1):
    da_t = activation'(a_t) * dh_t is both dP_t and dQ_t; dh_{t-1} = da_t recurrent_kernel^T.
    """

    def _steps(self, P):
        H, act = self._H, self.cell_activation
        self._A = np.empty_like(P)
        for t in range(len(P)):
            self._A[t] = P[t] + self._recurrent(H[t])
            H[t + 1] = act.forward(self._A[t])
        return H[1:]

    def _steps_backward(self, dH):
        H, act = self._H, self.cell_activation
        dA = np.empty_like(self._A)
        dh = np.zeros_like(dH[0])
        for t in range(len(dH) - 1, -1, -1):
            dh = dh + dH[t]
            dA[t] = act.backward(self._A[t], H[t + 1], dh)
            dh = self._recurrent_backward(dA[t])
        return dA, dA
