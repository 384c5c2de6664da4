"""LSTM and GRU (mirror keras/src/layers/rnn/lstm.py and gru.py); the loop, dropout and
the kernel gradients are in ``deepkit.reference.layers.rnn.recurrent``."""

import numpy as np

from deepkit.reference import activations, initializers
from deepkit.reference.layers.base import register
from deepkit.reference.layers.rnn.recurrent import Recurrent

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
    """Gated recurrent unit, Keras's default ``reset_after=True``; gates packed z, r, h in
    kernel (d, 3u), recurrent_kernel (u, 3u), and bias (2, 3u) = [input bias, recurrent bias]:

        [x_z, x_r, x_h] = x_t @ kernel + bias[0];  [q_z, q_r, q_h] = h_{t-1} @ recurrent_kernel
                                                                      + bias[1]
        z = recurrent_activation(x_z + q_z);  r = recurrent_activation(x_r + q_r)
        hh = activation(x_h + r * q_h);       h_t = z * h_{t-1} + (1 - z) * hh

    Backward: dz = dh (h_{t-1} - hh), dhh = dh (1 - z), da = act'(.) dhh, dr = da q_h,
    dQ = [dz', dr', da r], dh_{t-1} = dh z + dQ recurrent_kernel^T.
    ``reset_after=False`` (the reset gate before the product) is refused.
    """

    GATES = 3

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
        if reset_after is not True:
            raise ValueError(
                f"GRU: reset_after={reset_after!r} is not implemented by the NumPy reference "
                "(only Keras's default reset_after=True)"
            )
        values = locals()
        super().__init__(units, activation, **{k: values[k] for k in RNN_ARGS}, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = True

    def _bias_shape(self):
        return (2, 3 * self.units)

    def _input_bias(self):
        return self.bias[0]

    def _steps(self, P):
        H, u = self._H, self.units
        act, gate = self.cell_activation, self.recurrent_activation
        self._Q = np.empty_like(P)
        self._A = np.empty_like(P)  # pre-activations of z, r, hh
        self._G = np.empty_like(P)  # z, r, hh
        for t in range(len(P)):
            q, a, g = self._Q[t], self._A[t], self._G[t]
            q[...] = self._recurrent(H[t])
            if self.use_bias:
                q += self.bias[1]
            np.add(P[t, :, : 2 * u], q[:, : 2 * u], out=a[:, : 2 * u])
            g[:, : 2 * u] = gate.forward(a[:, : 2 * u])
            z, r = g[:, :u], g[:, u : 2 * u]
            np.add(P[t, :, 2 * u :], r * q[:, 2 * u :], out=a[:, 2 * u :])
            g[:, 2 * u :] = act.forward(a[:, 2 * u :])
            H[t + 1] = z * H[t] + (1 - z) * g[:, 2 * u :]
        return H[1:]

    def _steps_backward(self, dH):
        H, u = self._H, self.units
        act, gate = self.cell_activation, self.recurrent_activation
        dP, dQ = np.empty_like(self._A), np.empty_like(self._A)
        dgates = np.empty_like(self._A[0, :, : 2 * u])
        dh = np.zeros_like(dH[0])
        for t in range(len(dH) - 1, -1, -1):
            dh = dh + dH[t]
            a, g, q = self._A[t], self._G[t], self._Q[t]
            z, r, hh = g[:, :u], g[:, u : 2 * u], g[:, 2 * u :]
            da = act.backward(a[:, 2 * u :], hh, dh * (1 - z))
            np.multiply(dh, H[t] - hh, out=dgates[:, :u])
            np.multiply(da, q[:, 2 * u :], out=dgates[:, u:])
            dP[t, :, : 2 * u] = gate.backward(a[:, : 2 * u], g[:, : 2 * u], dgates)
            dP[t, :, 2 * u :] = da
            dQ[t, :, : 2 * u] = dP[t, :, : 2 * u]
            np.multiply(da, r, out=dQ[t, :, 2 * u :])
            dh = dh * z + self._recurrent_backward(dQ[t])
        return dP, dQ

    def _bias_grad(self, dP, dQ):
        np.add.reduce(dP.reshape(-1, dP.shape[-1]), 0, out=self.grads["bias"][0])
        np.add.reduce(dQ.reshape(-1, dQ.shape[-1]), 0, out=self.grads["bias"][1])

    def get_config(self):
        return {
            **super().get_config(),
            "recurrent_activation": self.recurrent_activation.name,
            "reset_after": self.reset_after,
        }
