"""LSTM and GRU (mirror keras/src/layers/rnn/lstm.py and gru.py); the loop, dropout,
regularizers and the kernel gradients are in ``deepkit.reference.layers.rnn.recurrent``."""

import numpy as np

from deepkit.reference import activations, initializers
from deepkit.reference.layers.base import register
from deepkit.reference.layers.rnn.recurrent import Recurrent
from deepkit.validation import InputError

RNN_ARGS = (
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "dropout",
    "recurrent_dropout",
    "seed",
    "return_sequences",
    "go_backwards",
)

# Keras settings of LSTM and GRU the reference layers do not implement, with the values
# they accept (whichever kernel "auto" picks computes what the loop computes; True asks
# for cuDNN, which Keras refuses without a GPU).
GATED_UNSUPPORTED = {
    **Recurrent.UNSUPPORTED,
    "use_cudnn": ("auto", False),
    "implementation": (2,),
}


class UnitForgetBias(initializers.Initializer):
    """LSTM bias with ``unit_forget_bias``: [init(u), ones(u), init(2u)] (Keras's closure)."""

    def __init__(self, initializer, units):
        self.initializer, self.units = initializer, units

    def __call__(self, shape, dtype="float32", rng=None):
        u = self.units
        return np.concatenate(
            [
                self.initializer((u,), dtype, rng),
                np.ones(u, dtype),
                self.initializer((2 * u,), dtype, rng),
            ]
        )


@register
class LSTM(Recurrent):
    """Long short-term memory, gates packed i, f, c, o in kernel (d, 4u), recurrent_kernel
    (u, 4u) and bias (4u,):

        z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias = [z_i, z_f, z_c, z_o]
        i, f, o = recurrent_activation(z_i, z_f, z_o);  g = activation(z_c)
        c_t = f * c_{t-1} + i * g;   h_t = o * activation(c_t)

    ``unit_forget_bias`` (default) initializes the forget block of the bias to ones.
    Backward, dh and dc flowing from step t+1: do = dh * act(c_t);
    dc += act'(c_t) * dh * o; di = dc * g, df = dc * c_{t-1}, dg = dc * i, then each
    dz through its activation's derivative; dc_{t-1} = dc * f, dh_{t-1} = dz recurrent_kernel^T.
    """

    GATES = 4
    UNSUPPORTED = GATED_UNSUPPORTED

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        go_backwards=False,
        **kwargs,
    ):
        values = locals()
        super().__init__(units, activation, **{k: values[k] for k in RNN_ARGS}, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    def _bias_init(self):
        if self.unit_forget_bias:
            return UnitForgetBias(self.bias_initializer, self.units)
        return self.bias_initializer

    def _steps(self, P):
        H, u = self._H, self.units
        act, gate = self.cell_activation, self.recurrent_activation
        self._Z, self._G = np.empty_like(P), np.empty_like(P)
        self._C = np.zeros_like(H)
        self._TC = np.empty_like(H[1:])
        for t in range(len(P)):
            z = self._Z[t]
            np.add(P[t], self._recurrent(H[t]), out=z)
            g = self._G[t]
            g[...] = gate.forward(z)
            g[:, 2 * u : 3 * u] = act.forward(z[:, 2 * u : 3 * u])
            i, f, c, o = g[:, :u], g[:, u : 2 * u], g[:, 2 * u : 3 * u], g[:, 3 * u :]
            self._C[t + 1] = f * self._C[t] + i * c
            self._TC[t] = act.forward(self._C[t + 1])
            H[t + 1] = o * self._TC[t]
        return H[1:]

    def _steps_backward(self, dH):
        u = self.units
        act, gate = self.cell_activation, self.recurrent_activation
        dZ = np.empty_like(self._Z)
        dgates = np.empty_like(self._Z[0])
        dh = np.zeros_like(dH[0])
        dc = np.zeros_like(dH[0])
        for t in range(len(dH) - 1, -1, -1):
            dh = dh + dH[t]
            g = self._G[t]
            i, f, c, o = g[:, :u], g[:, u : 2 * u], g[:, 2 * u : 3 * u], g[:, 3 * u :]
            dc = dc + act.backward(self._C[t + 1], self._TC[t], dh * o)
            np.multiply(dc, c, out=dgates[:, :u])
            np.multiply(dc, self._C[t], out=dgates[:, u : 2 * u])
            np.multiply(dc, i, out=dgates[:, 2 * u : 3 * u])
            np.multiply(dh, self._TC[t], out=dgates[:, 3 * u :])
            dz = dZ[t]
            dz[...] = gate.backward(self._Z[t], g, dgates)
            dz[:, 2 * u : 3 * u] = act.backward(
                self._Z[t][:, 2 * u : 3 * u], c, dgates[:, 2 * u : 3 * u]
            )
            dc = dc * f
            dh = self._recurrent_backward(dz)
        return dZ, dZ

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": self.recurrent_activation.name,
            "unit_forget_bias": self.unit_forget_bias,
        }


@register
class GRU(Recurrent):
    """Gated recurrent unit; gates packed z, r, h in kernel (d, 3u) and recurrent_kernel
    (u, 3u). Keras's default ``reset_after=True`` applies the reset gate after the
    recurrent product and has bias (2, 3u) = [input bias, recurrent bias]:

        [x_z, x_r, x_h] = x_t @ kernel + bias[0];  [q_z, q_r, q_h] = h_{t-1} @ recurrent_kernel
                                                                      + bias[1]
        z = recurrent_activation(x_z + q_z);  r = recurrent_activation(x_r + q_r)
        hh = activation(x_h + r * q_h);       h_t = z * h_{t-1} + (1 - z) * hh

    ``reset_after=False`` (Keras's "v1" GRU) applies it before, with bias (3u,): x_t @
    kernel + bias, q_z and q_r as above without bias, and the candidate's product taken on
    the reset state s = r * h_{t-1}:

        q_h = s @ recurrent_kernel[:, 2u:];   hh = activation(x_h + q_h)

    Backward: dz = dh (h_{t-1} - hh), dhh = dh (1 - z), da = act'(.) dhh; after:
    dr = da q_h, dQ = [dz', dr', da r], dh_{t-1} = dh z + dQ recurrent_kernel^T; before:
    ds = da recurrent_kernel[:, 2u:]^T, dr = ds h_{t-1}, dQ = dP = [dz', dr', da] (the
    candidate block's kernel gradient is s^T da), dh_{t-1} = dh z + dQ_zr
    recurrent_kernel[:, :2u]^T + ds r. With recurrent dropout, h_{t-1} is each gate's masked
    copy throughout.
    """

    GATES = 3
    UNSUPPORTED = GATED_UNSUPPORTED

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        dropout=0.0,
        recurrent_dropout=0.0,
        reset_after=True,
        seed=None,
        return_sequences=False,
        go_backwards=False,
        **kwargs,
    ):
        if not isinstance(reset_after, bool):
            raise InputError(f"GRU reset_after must be True or False, got {reset_after!r}")
        values = locals()
        super().__init__(units, activation, **{k: values[k] for k in RNN_ARGS}, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias[0] if self.reset_after else self.bias

    def _candidate_state(self, h):
        """h_{t-1} as the candidate's block sees it (times its recurrent dropout mask)."""
        mask = self._state_groups[-1][1]
        return h if mask is None else h * mask

    def _steps(self, P):
        H, u = self._H, self.units
        act, gate = self.cell_activation, self.recurrent_activation
        self._Q = np.empty_like(P)
        self._A = np.empty_like(P)  # pre-activations of z, r, hh
        self._G = np.empty_like(P)  # z, r, hh
        self._S = None if self.reset_after else np.empty_like(H[1:])  # reset states r * h
        for t in range(len(P)):
            q, a, g = self._Q[t], self._A[t], self._G[t]
            if self.reset_after:
                q[...] = self._recurrent(H[t])
                if self.use_bias:
                    q += self.bias[1]
            else:
                q[:, : 2 * u] = self._recurrent(H[t], 2)
            np.add(P[t, :, : 2 * u], q[:, : 2 * u], out=a[:, : 2 * u])
            g[:, : 2 * u] = gate.forward(a[:, : 2 * u])
            z, r = g[:, :u], g[:, u : 2 * u]
            if self.reset_after:
                np.add(P[t, :, 2 * u :], r * q[:, 2 * u :], out=a[:, 2 * u :])
            else:
                np.multiply(r, self._candidate_state(H[t]), out=self._S[t])
                np.matmul(self._S[t], self.recurrent_kernel[:, 2 * u :], out=q[:, 2 * u :])
                np.add(P[t, :, 2 * u :], q[:, 2 * u :], out=a[:, 2 * u :])
            g[:, 2 * u :] = act.forward(a[:, 2 * u :])
            H[t + 1] = z * H[t] + (1 - z) * g[:, 2 * u :]
        return H[1:]

    def _steps_backward(self, dH):
        H, u = self._H, self.units
        act, gate = self.cell_activation, self.recurrent_activation
        dP = np.empty_like(self._A)
        dQ = np.empty_like(self._A) if self.reset_after else dP  # before: dQ_t = dP_t
        dgates = np.empty_like(self._A[0, :, : 2 * u])
        dh = np.zeros_like(dH[0])
        for t in range(len(dH) - 1, -1, -1):
            dh = dh + dH[t]
            a, g, q = self._A[t], self._G[t], self._Q[t]
            z, r, hh = g[:, :u], g[:, u : 2 * u], g[:, 2 * u :]
            da = act.backward(a[:, 2 * u :], hh, dh * (1 - z))
            np.multiply(dh, H[t] - hh, out=dgates[:, :u])
            if self.reset_after:
                np.multiply(da, q[:, 2 * u :], out=dgates[:, u:])
            else:
                ds = da @ self.recurrent_kernel[:, 2 * u :].T
                np.multiply(ds, self._candidate_state(H[t]), out=dgates[:, u:])
            dP[t, :, : 2 * u] = gate.backward(a[:, : 2 * u], g[:, : 2 * u], dgates)
            dP[t, :, 2 * u :] = da
            if self.reset_after:
                dQ[t, :, : 2 * u] = dP[t, :, : 2 * u]
                np.multiply(da, r, out=dQ[t, :, 2 * u :])
                dh = dh * z + self._recurrent_backward(dQ[t])
            else:
                dh = dh * z + self._recurrent_backward(dP[t], 2) + self._candidate_state(ds * r)
        return dP, dQ

    def _recurrent_operands(self):
        operands = super()._recurrent_operands()
        if self.reset_after:
            return operands
        u = self.units
        # z and r: the (masked) states; the candidate: the reset states s
        z_r = [(slice(0, 2 * u), operands[0][1])] if len(operands) == 1 else operands[:2]
        return z_r + [(slice(2 * u, 3 * u), self._S)]

    def _bias_grad(self, dP, dQ):
        if not self.reset_after:
            super()._bias_grad(dP, dQ)
            return
        np.add.reduce(dP.reshape(-1, dP.shape[-1]), 0, out=self.grads["bias"][0])
        np.add.reduce(dQ.reshape(-1, dQ.shape[-1]), 0, out=self.grads["bias"][1])

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": self.recurrent_activation.name,
            "reset_after": self.reset_after,
        }
