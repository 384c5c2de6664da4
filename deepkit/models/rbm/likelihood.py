"""How well the Keras ``RBM`` models its data: the pseudo-likelihood, log Z (exact or by
annealed importance sampling) and the log-likelihood, in ``keras.ops``; the formulas are
the NumPy reference's (``deepkit.reference.rbm.likelihood``).
"""

import keras
import numpy as np
from keras import ops

from deepkit.reference.rbm import check_betas, check_exact, check_flip, hidden_configurations
from deepkit.validation import check_choice, check_int


class RBMLikelihood:
    """The likelihoods of the Keras ``RBM``; it reads the RBM's weights, its free energy and
    its samplers (``_sample``, ``_uniform``)."""

    def pseudo_likelihood(self, v, flip=None):
        """scikit-learn's ``score_samples``: n_visible * log sigmoid(F(v~) - F(v)).

        Args:
            v: binary visible vectors (rows, n_visible).
            flip: the bit flipped in each row to make v~, one index per row (default random).

        Returns:
            A NumPy array, one pseudo-likelihood per row.

        Raises:
            InputError: ``flip`` does not hold one index in [0, n_visible) per row.
        """
        v = ops.convert_to_tensor(self._check(v, binary=True))
        n = ops.shape(v)[0]
        if flip is None:
            flip = keras.random.randint((n,), 0, self.n_visible, seed=self.seed_generator)
        else:
            flip = check_flip(flip, n, self.n_visible)
        mask = ops.one_hot(flip, self.n_visible, dtype=self.compute_dtype)
        flipped = v + (1 - 2 * v) * mask
        gap = self._free_energy(flipped, self.hidden_logits(flipped)) - self._free_energy(
            v, self.hidden_logits(v)
        )
        return ops.convert_to_numpy(-self.n_visible * ops.softplus(-gap))

    def log_partition(self, method="exact", **ais_options):
        """log Z and its standard error, as the NumPy reference's.

        Args:
            method: "exact" sums over the 2^n_hidden hidden configurations (error 0),
                "ais" runs ``ais``.
            **ais_options: ``ais``'s arguments.

        Returns:
            ``(log Z, standard error)``.

        Raises:
            InputError: an unknown method, or "exact" with too many hidden units.
        """
        check_choice(method, "method", ("exact", "ais"))
        if method == "ais":
            return self.ais(**ais_options)
        check_exact(self.n_hidden)
        chunks = []
        for h in hidden_configurations(self.n_hidden):
            h = ops.convert_to_tensor(h, self.compute_dtype)
            visible = ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
            chunks.append(ops.matmul(h, self.hidden_bias) + ops.sum(ops.softplus(visible), 1))
        return float(ops.logsumexp(ops.concatenate(chunks))), 0.0

    def ais(self, n_runs=100, betas=None, base_bias=None, uniforms=None):
        """Annealed importance sampling: the NumPy reference's algorithm in ``keras.ops``.

        See ``deepkit.reference.rbm.likelihood`` for the algorithm.

        Args:
            n_runs: the AIS chains, an int >= 2.
            betas: the inverse temperatures from 0 to 1 (default: the reference's schedule).
            base_bias: the base-rate model's visible bias b_A (default 0).
            uniforms: ``(u_v0, u_h, u_v)`` as the reference's, or ``None`` to draw them.

        Returns:
            ``(log Z, standard error)``.
        """
        check_int(n_runs, "n_runs", min_value=2)
        betas = check_betas(betas)
        dtype = self.compute_dtype
        b_a = ops.zeros(self.n_visible, dtype) if base_bias is None else ops.cast(base_bias, dtype)

        def draw(shape, which, index):
            if uniforms is None:
                return self._uniform(shape)
            return ops.cast(uniforms[which][index], dtype)

        def log_p_star(v, beta):
            return (
                (1 - beta) * ops.matmul(v, b_a)
                + beta * ops.matmul(v, self.visible_bias)
                + ops.sum(ops.softplus(beta * self.hidden_logits(v)), axis=1)
            )

        v = self._sample(ops.sigmoid(b_a), draw((n_runs, self.n_visible), 0, ...))
        log_w = ops.zeros(n_runs, dtype)
        for k in range(1, len(betas)):
            beta = ops.cast(betas[k], dtype)
            log_w += log_p_star(v, beta) - log_p_star(v, ops.cast(betas[k - 1], dtype))
            if k + 1 < len(betas):
                h = self._sample(
                    ops.sigmoid(beta * self.hidden_logits(v)),
                    draw((n_runs, self.n_hidden), 1, k - 1),
                )
                visible = ops.matmul(h, ops.transpose(self.kernel)) + self.visible_bias
                p = ops.sigmoid((1 - beta) * b_a + beta * visible)
                v = self._sample(p, draw((n_runs, self.n_visible), 2, k - 1))
        log_z0 = ops.sum(ops.softplus(b_a)) + self.n_hidden * np.log(2.0)
        w = ops.exp(log_w - ops.max(log_w))
        log_z = log_z0 + ops.max(log_w) + ops.log(ops.mean(w))
        stderr = ops.std(w) * np.sqrt(n_runs / (n_runs - 1)) / np.sqrt(n_runs) / ops.mean(w)
        return float(log_z), float(stderr)

    def log_likelihood(self, v, log_z=None):
        """log p(v) = -F(v) - log Z per row.

        Args:
            v: binary visible vectors (rows, n_visible).
            log_z: log Z (default: the exact one).

        Returns:
            A NumPy array, one log-likelihood per row.
        """
        v = self._check(v, binary=True)
        if log_z is None:
            log_z, _ = self.log_partition("exact")
        return -self.free_energy(v) - log_z
