"""The energy of a Bernoulli-Bernoulli RBM, its visible vectors, and the softplus its free
energy is written in.

With kernel W (n_visible, n_hidden), visible bias b and hidden bias c::

    E(v, h) = -v.b - h.c - v W h
    F(v) = -log sum_h exp(-E(v, h)) = -v.b - sum_j softplus(c_j + (v W)_j)
    p(h_j = 1 | v) = sigmoid(c_j + (v W)_j),   p(v_i = 1 | h) = sigmoid(b_i + (W h)_i)

Visible units are probabilities in [0, 1] (exactly 0 or 1 where a likelihood is asked);
Hinton's practical guide starts the visible bias at the data's base rate.
"""

import numpy as np

from deepkit.validation import InputError


def softplus(x):
    """log(1 + exp(x)), without overflow."""
    return np.logaddexp(0.0, x)


def softplus_sum(x):
    """sum over the last axis of softplus(x) = max(x, 0) + log(1 + exp(-|x|)):
    no overflow, and log of 1 + e (vectorised) rather than ``np.logaddexp`` or
    ``log1p`` (not vectorised): much faster in float32, each term within
    half an ulp of 1 of the exact one, below the rounding of the sum."""
    terms = np.abs(x)
    np.negative(terms, out=terms)
    np.exp(terms, out=terms)
    terms += 1
    np.log(terms, out=terms)
    terms += np.maximum(x, 0)
    return terms.sum(axis=-1)


def check_visible(x, n_visible, what="x", dtype="float64", binary=False):
    """``x`` as a 2-D float array of ``n_visible`` columns in [0, 1] (exactly 0 or 1
    when ``binary``), finite; a clear error naming ``what`` otherwise."""
    x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise InputError(f"{what} must be numeric, got dtype {x.dtype}")
    x = x.astype(dtype, copy=False)
    if x.ndim != 2 or x.shape[1] != n_visible:
        raise InputError(f"{what} must have shape (n, {n_visible}), got {x.shape}")
    if not binary and (x.size == 0 or (0 <= x.min() and x.max() <= 1)):
        return x  # fast path, two reductions (a NaN makes both NaN and fails them)
    bad = ~np.isfinite(x)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(
            f"{what} contains NaN or infinite values (first at row {row}, column {col})"
        )
    bad = (x < 0) | (x > 1) if not binary else (x != 0) & (x != 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        kind = "binary (0 or 1)" if binary else "in [0, 1]"
        raise InputError(
            f"{what} must be {kind} for a Bernoulli RBM, got {float(x[row, col])!r} at row {row}, "
            f"column {col}"
        )
    return x


def base_rate_bias(x, eps=1e-3):
    """Hinton's visible bias log(p / (1 - p)), p the fraction of rows with the unit
    on, clipped to [eps, 1 - eps] so that always-off pixels get a finite bias."""
    p = np.clip(np.mean(x, axis=0), eps, 1 - eps)
    return np.log(p / (1 - p))
