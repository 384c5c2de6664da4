"""Contrastive divergence (CD-k) and persistent CD (PCD) for the Keras ``RBM``, and Hinton's
momentum schedule: the NumPy reference's step (``deepkit.reference.rbm.training``, whose
docstring gives the maths) as a Keras ``train_step``, with the same uniforms when injected.
"""

import keras
import numpy as np
from keras import ops

from deepkit.validation import InputError, check_float, check_int


class ContrastiveDivergence:
    """The Keras ``RBM``'s ``fit``, CD-k / PCD-k ``train_step`` and ``test_step``, a part of
    it as Keras's ``Trainer`` is a part of ``keras.Model``.

    It reads the RBM's weights, ``k``, ``persistent``, ``n_chains``, ``weight_decay``, its
    conditionals, its samplers (``_sample``, ``_uniform``) and its two trackers.
    """

    def inject_uniforms(self, hidden, visible):
        """Train on these uniforms instead of Keras's generator.

        Step t reads ``hidden[t]`` and ``visible[t]``, exactly as the NumPy reference's
        ``inject_uniforms``.

        Args:
            hidden: uniforms (steps, k, rows, n_hidden), or ``None`` to undo the injection.
            visible: uniforms (steps, k, rows, n_visible).
        """
        self.injected_uniforms = (
            None
            if hidden is None
            else tuple(
                ops.convert_to_tensor(np.asarray(u), self.compute_dtype) for u in (hidden, visible)
            )
        )
        self.train_function = None

    def _step_uniforms(self, rows):
        if self.injected_uniforms is None:
            return (
                self._uniform((self.k, rows, self.n_hidden)),
                self._uniform((self.k, rows, self.n_visible)),
            )
        step = self.optimizer.iterations
        return tuple(ops.take(u, step, axis=0)[:, :rows] for u in self.injected_uniforms)

    def fit(self, x=None, y=None, **kwargs):
        """Keras's ``fit`` after checking the data.

        Args:
            x: visible vectors (n, n_visible) in [0, 1], or a dataset of batches (its
                labels, if any, are ignored), fed as is.
            y: must be ``None``: an RBM learns without labels.
            **kwargs: passed to ``keras.Model.fit``.

        Returns:
            Keras's ``History``.

        Raises:
            InputError: labels given, or ``x`` of the wrong shape or outside [0, 1].
        """
        if y is not None:
            raise InputError("an RBM learns without labels: y must be None")
        validation = kwargs.get("validation_data")
        if validation is not None:
            kwargs["validation_data"] = (self._check(validation[0], "validation x"),)
        return super().fit(x if hasattr(x, "element_spec") else self._check(x, "x"), **kwargs)

    def train_step(self, data):
        """One CD-k / PCD-k update, as ``deepkit.reference.rbm.RBM.train_step``.

        Args:
            data: a batch of visible vectors.

        Returns:
            The running means of the loss and the reconstruction error.
        """
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = ops.cast(x, self.compute_dtype)
        n = ops.shape(x)[0]
        u_h, u_v = self._step_uniforms(self.n_chains if self.persistent else n)
        logits0 = self.hidden_logits(x)
        ph0 = ops.sigmoid(logits0)
        h = ops.convert_to_tensor(self.chains) if self.persistent else self._sample(ph0, u_h[0])
        for step in range(self.k):
            v = self._sample(self.visible_probabilities(h), u_v[step])
            logits = self.hidden_logits(v)
            ph = ops.sigmoid(logits)
            if self.persistent:
                h = self._sample(ph, u_h[step])
            elif step + 1 < self.k:
                h = self._sample(ph, u_h[step + 1])
        if self.persistent:
            self.chains.assign(h)
        gap = ops.mean(self._free_energy(x, logits0)) - ops.mean(self._free_energy(v, logits))
        self.loss_tracker.update_state(gap, sample_weight=ops.cast(n, self.compute_dtype))
        self.optimizer.apply(self._gradients(x, ph0, v, ph), self.trainable_variables)
        return {"loss": self.loss_tracker.result()}

    def _gradients(self, x, ph0, v, ph):
        """[g_W, g_b, g_c] as the NumPy reference's: g_W = [v; x]' [ph / m; -ph0 / n], one product."""
        n = ops.cast(ops.shape(x)[0], self.compute_dtype)
        m = ops.cast(ops.shape(v)[0], self.compute_dtype)
        kernel_grad = ops.matmul(
            ops.transpose(ops.concatenate([v, x])), ops.concatenate([ph / m, ph0 / -n])
        )
        if self.weight_decay:
            kernel_grad += ops.cast(self.weight_decay, self.compute_dtype) * self.kernel
        return [
            kernel_grad,
            ops.mean(v, axis=0) - ops.mean(x, axis=0),
            ops.mean(ph, axis=0) - ops.mean(ph0, axis=0),
        ]

    def test_step(self, data):
        """Mean free energy ("loss") and reconstruction error, no update.

        Args:
            data: a batch of visible vectors.

        Returns:
            The running means of the loss and the reconstruction error.
        """
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        x = ops.cast(x, self.compute_dtype)
        logits = self.hidden_logits(x)
        n = ops.cast(ops.shape(x)[0], self.compute_dtype)
        self.loss_tracker.update_state(ops.mean(self._free_energy(x, logits)), sample_weight=n)
        self.reconstruction_tracker.update_state(
            self._reconstruction_error(x, ops.sigmoid(logits)), sample_weight=n
        )
        return {m.name: m.result() for m in self.metrics}


class MomentumSchedule(keras.callbacks.Callback):
    """Hinton's momentum: ``initial`` for the first ``switch_epoch`` epochs, then ``final``.

    The train function is retraced at the switch (Keras reads SGD's momentum once).

    Args:
        initial: the momentum of the first ``switch_epoch`` epochs, in [0, 1].
        final: the momentum after them, in [0, 1].
        switch_epoch: the epoch (from 0) at which ``final`` takes over, an int >= 0.

    Raises:
        InputError: for a momentum outside [0, 1] or a negative epoch.
    """

    def __init__(self, initial=0.5, final=0.9, switch_epoch=5):
        super().__init__()
        self.initial = check_float(initial, "initial momentum", 0.0, 1.0)
        self.final = check_float(final, "final momentum", 0.0, 1.0)
        self.switch_epoch = check_int(switch_epoch, "switch_epoch", min_value=0)

    def on_epoch_begin(self, epoch, logs=None):
        """Set the optimizer's momentum for ``epoch``, retracing at the switch.

        Args:
            epoch: the epoch about to start, from 0.
            logs: Keras's logs (unused).
        """
        momentum = self.initial if epoch < self.switch_epoch else self.final
        if self.model.optimizer.momentum != momentum:
            self.model.optimizer.momentum = momentum
            self.model.make_train_function(force=True)
