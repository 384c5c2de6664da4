"""How well the NumPy ``RBM`` models its data: the pseudo-likelihood, the log partition
function log Z (exact or by annealed importance sampling) and the log-likelihood.

    log p(v) = -F(v) - log Z,   log Z = logsumexp_h [h.c + sum_i softplus(b_i + (W h)_i)]

The exact sum runs over the 2^n_hidden hidden configurations (at most 2^25). AIS
(Salakhutdinov & Murray 2008) anneals from the base-rate model p_0(v) ~ exp(b_A.v)
(log Z_0 = sum softplus(b_A) + n_hidden log 2) to the RBM through

    log p*_beta(v) = (1 - beta) b_A.v + beta b.v + sum_j softplus(beta (c + v W)_j)

with ``n_runs`` chains: log w += log p*_k(v) - log p*_{k-1}(v), then one Gibbs step at
beta_k; log Z = log Z_0 + log mean w, its standard error by the delta method,
std(w) / (sqrt(n_runs) mean w).
"""

import math

import numpy as np

from deepkit.reference.activations import sigmoid
from deepkit.reference.rbm.energy import check_visible, softplus, softplus_sum
from deepkit.validation import InputError, check_choice, check_int

MAX_EXACT_HIDDEN = 25
# Salakhutdinov & Murray (2008): 500 betas in [0, 0.5), 4,000 in [0.5, 0.9), 10,000 in [0.9, 1].
AIS_SCHEDULE = ((0.0, 0.5, 500), (0.5, 0.9, 4000), (0.9, 1.0, 10000))


def ais_betas(n_betas=14500):
    """Inverse temperatures 0 = beta_0 < ... < beta_K = 1, Salakhutdinov & Murray's
    schedule scaled to ``n_betas`` intervals."""
    check_int(n_betas, "n_betas", min_value=3)
    total = sum(count for _, _, count in AIS_SCHEDULE)
    parts = [
        np.linspace(lo, hi, max(round(n_betas * count / total), 1), endpoint=False)
        for lo, hi, count in AIS_SCHEDULE
    ]
    return np.concatenate(parts + [[1.0]])


def check_betas(betas):
    """AIS inverse temperatures (default ``ais_betas``), increasing from 0 to 1."""
    betas = ais_betas() if betas is None else np.asarray(betas, dtype="float64")
    if betas.ndim != 1 or len(betas) < 2 or betas[0] != 0 or betas[-1] != 1:
        raise InputError("betas must increase from 0 to 1")
    if np.any(np.diff(betas) <= 0):
        raise InputError("betas must increase from 0 to 1")
    return betas


def check_exact(n_hidden):
    """Refuse an exact log partition that would enumerate more than 2^25 configurations."""
    if n_hidden > MAX_EXACT_HIDDEN:
        raise InputError(
            f"exact log partition enumerates 2^n_hidden configurations: n_hidden="
            f"{n_hidden} > {MAX_EXACT_HIDDEN}; use method='ais'"
        )


def hidden_configurations(n_hidden, rows=2**16):
    """The 2^n_hidden binary hidden vectors (row i holds the bits of i), ``rows`` at a time.

    Yields:
        Int arrays (at most ``rows``, n_hidden) of zeros and ones.
    """
    for start in range(0, 2**n_hidden, rows):
        codes = np.arange(start, min(start + rows, 2**n_hidden))
        yield (codes[:, None] >> np.arange(n_hidden)) & 1


def check_flip(flip, rows, n_visible):
    """``flip``, the bit flipped in each of ``rows`` rows, as an array of indices in
    [0, ``n_visible``); a clear error otherwise."""
    flip = np.asarray(flip)
    if flip.shape != (rows,) or flip.min() < 0 or flip.max() >= n_visible:
        raise InputError(f"flip must hold {rows} indices in [0, {n_visible})")
    return flip


class RBMLikelihood:
    """The likelihoods of the NumPy ``RBM``; it reads the RBM's weights, ``dtype``, ``rng``,
    its free energy and its samplers (``_sample``, ``_uniform``)."""

    def pseudo_likelihood(self, v, flip=None):
        """scikit-learn's ``score_samples``: flip bit i = ``flip[row]`` (default drawn
        from ``self.rng``) in each row, n_visible * log sigmoid(F(v~) - F(v))."""
        v = check_visible(v, self.n_visible, "v", self.dtype, binary=True)
        if flip is None:
            flip = self.rng.integers(0, self.n_visible, len(v))
        flip = check_flip(flip, len(v), self.n_visible)
        flipped = v.copy()
        rows = np.arange(len(v))
        flipped[rows, flip] = 1 - flipped[rows, flip]
        gap = self.free_energy(flipped) - self.free_energy(v)
        return -self.n_visible * softplus(-gap)

    def log_partition(self, method="exact", **ais_options):
        """(log Z, standard error): "exact" sums over the 2^n_hidden hidden
        configurations, log Z = logsumexp_h [h.c + sum_i softplus(b_i + (W h)_i)]
        (error 0); "ais" runs ``ais`` with ``ais_options``."""
        check_choice(method, "method", ("exact", "ais"))
        if method == "ais":
            return self.ais(**ais_options)
        check_exact(self.n_hidden)
        terms = []
        for h in hidden_configurations(self.n_hidden):
            h = h.astype(self.dtype)
            terms.append(h @ self.hidden_bias + softplus_sum(h @ self.kernel.T + self.visible_bias))
        terms = np.concatenate(terms)
        top = terms.max()
        return float(top + np.log(np.exp(terms - top).sum())), 0.0

    def ais(self, n_runs=100, betas=None, base_bias=None, uniforms=None):
        """Annealed importance sampling (Salakhutdinov & Murray 2008): (log Z, standard error).

        From the base-rate model p_0(v) ~ exp(b_A.v) (``base_bias`` b_A, default 0) to this
        RBM, as the module docstring says. ``uniforms`` = (u_v0 (runs, n_visible),
        u_h (K - 1, runs, n_hidden), u_v (K - 1, runs, n_visible)) replaces ``self.rng``.
        """
        check_int(n_runs, "n_runs", min_value=2)
        betas = check_betas(betas)
        b_a = np.zeros(self.n_visible) if base_bias is None else np.asarray(base_bias, "float64")
        b_a = b_a.astype(self.dtype)

        def draw(shape, which, index):
            return self._uniform(shape) if uniforms is None else uniforms[which][index]

        def log_p_star(v, beta):
            return (
                (1 - beta) * (v @ b_a)
                + beta * (v @ self.visible_bias)
                + softplus_sum(beta * self.hidden_logits(v))
            )

        v = self._sample(sigmoid(b_a), draw((n_runs, self.n_visible), 0, ...))
        log_w = np.zeros(n_runs, self.dtype)
        for k in range(1, len(betas)):
            beta = self.dtype.type(betas[k])
            log_w += log_p_star(v, beta) - log_p_star(v, self.dtype.type(betas[k - 1]))
            if k + 1 < len(betas):
                h = self._sample(
                    sigmoid(beta * self.hidden_logits(v)), draw((n_runs, self.n_hidden), 1, k - 1)
                )
                p = sigmoid((1 - beta) * b_a + beta * (h @ self.kernel.T + self.visible_bias))
                v = self._sample(p, draw(v.shape, 2, k - 1))
        log_z0 = softplus(b_a).sum() + self.n_hidden * math.log(2)
        top = log_w.max()
        w = np.exp(log_w - top)
        log_z = log_z0 + top + math.log(w.mean())
        return float(log_z), float(w.std(ddof=1) / math.sqrt(n_runs) / w.mean())

    def log_likelihood(self, v, log_z=None):
        """log p(v) = -F(v) - log Z per row (``log_z`` default: the exact one)."""
        v = check_visible(v, self.n_visible, "v", self.dtype, binary=True)
        if log_z is None:
            log_z, _ = self.log_partition("exact")
        return -self.free_energy(v) - log_z
