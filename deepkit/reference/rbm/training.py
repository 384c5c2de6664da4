"""Contrastive divergence (CD-k) and persistent CD (PCD) for the NumPy ``RBM``, and
Hinton's momentum schedule.

A unit is sampled on as ``u < p`` with u uniform in [0, 1), like scikit-learn's
``BernoulliRBM``; every uniform can be injected, so the NumPy reference and Keras see the
same samples. One training step (``train_step``) on a batch v0 of n rows:

    positive phase: ph0 = p(h | v0)
    negative phase: k Gibbs steps h -> v -> h; CD starts from h ~ p(h | v0),
        PCD from the persistent chains (``n_chains`` rows, zeros at first, kept
        between steps as the last hidden sample); the chain ends at (vk, phk)
    "gradient": g_W = -(v0' ph0 / n - vk' phk / m) + weight_decay W
                g_b = -(mean v0 - mean vk),   g_c = -(mean ph0 - mean phk)

g is the gradient of mean F(v0) - mean F(vk) (vk held fixed) + weight_decay/2 |W|^2,
and it goes to the compiled optimizer: SGD with momentum is Hinton's rule
dW = momentum dW + lr (positive - negative - weight_decay W). The logged
"loss" is that free-energy gap (no extra matrix product); ``test_step`` (evaluate,
validation) logs the mean free energy and the "reconstruction_error", the mean
over rows of sum_i (v - p(v | p(h | v)))_i^2 (one mean-field pass).
"""

import numpy as np

from deepkit.reference.activations import sigmoid
from deepkit.reference.callbacks import Callback
from deepkit.validation import InputError


class ContrastiveDivergence:
    """The ``Trainer`` hooks of the NumPy ``RBM``: its CD-k / PCD-k ``train_step`` and its
    ``test_step``.

    It reads the RBM's weights, ``k``, ``persistent``, ``n_chains``, ``weight_decay``,
    ``dtype``, its conditionals and its samplers (``_sample``, ``_uniform``).
    """

    def inject_uniforms(self, hidden, visible):
        """Use these uniforms instead of ``self.rng``: step t of training (the
        optimizer's iteration count) reads ``hidden[t]`` (k, rows, n_hidden) and
        ``visible[t]`` (k, rows, n_visible); rows = the batch size (CD) or n_chains
        (PCD), the first rows used for a short last batch. ``None`` undoes it."""
        self.injected_uniforms = (
            None if hidden is None else (np.asarray(hidden), np.asarray(visible))
        )

    def _step_uniforms(self, rows):
        if self.injected_uniforms is None:
            draw = self._uniform
            return draw((self.k, rows, self.n_hidden)), draw((self.k, rows, self.n_visible))
        step = self.optimizer.iterations
        hidden, visible = self.injected_uniforms
        return hidden[step, :, :rows], visible[step, :, :rows]

    def _prepare_y(self, y, n, what="y"):
        if y is not None:
            raise InputError(f"an RBM learns without labels: {what} must be None")
        return None

    def train_step(self, x, y=None):
        """One CD-k / PCD-k update on the batch ``x``; see the module docstring."""
        rows = self.n_chains if self.persistent else len(x)
        u_h, u_v = self._step_uniforms(rows)
        logits0 = self.hidden_logits(x)
        ph0 = sigmoid(logits0)
        h = self.chains if self.persistent else self._sample(ph0, u_h[0])
        for step in range(self.k):
            v = self._sample(self.visible_probabilities(h), u_v[step])
            logits = self.hidden_logits(v)
            ph = sigmoid(logits)
            if self.persistent:
                h = self._sample(ph, u_h[step])
            elif step + 1 < self.k:
                h = self._sample(ph, u_h[step + 1])
        if self.persistent:
            self.chains[...] = h
        gap = self._free_energy(x, logits0).mean() - self._free_energy(v, logits).mean()
        self.optimizer.apply(self._gradients(x, ph0, v, ph), self.trainable_weights)
        return {"loss": float(gap)}

    def _gradients(self, x, ph0, v, ph):
        """[g_W, g_b, g_c] of the module docstring. g_W = v' ph / m - x' ph0 / n is
        one product [v; x]' [ph / m; -ph0 / n] (no (n_visible, n_hidden) temporaries)."""
        n, m = self.dtype.type(len(x)), self.dtype.type(len(v))
        kernel_grad = np.concatenate([v, x]).T @ np.concatenate([ph / m, ph0 / -n])
        if self.weight_decay:
            kernel_grad += self.dtype.type(self.weight_decay) * self.kernel
        return [kernel_grad, v.mean(axis=0) - x.mean(axis=0), ph.mean(axis=0) - ph0.mean(axis=0)]

    def _reconstruction_error(self, v, ph):
        return float(((v - self.visible_probabilities(ph)) ** 2).sum(axis=1).mean())

    def test_step(self, x, y=None):
        """Mean free energy and mean-field reconstruction error, no update."""
        ph = self._forward(x)
        return {
            "loss": float(self._free_energy(x, self.hidden_logits(x)).mean()),
            "reconstruction_error": self._reconstruction_error(x, ph),
        }


class MomentumSchedule(Callback):
    """Hinton's momentum: ``initial`` for the first ``switch_epoch`` epochs, then ``final``
    (the compiled SGD must start with a nonzero momentum)."""

    def __init__(self, initial=0.5, final=0.9, switch_epoch=5):
        self.initial, self.final, self.switch_epoch = initial, final, switch_epoch

    def on_epoch_begin(self, epoch, logs=None):
        self.model.optimizer.momentum = self.initial if epoch < self.switch_epoch else self.final
