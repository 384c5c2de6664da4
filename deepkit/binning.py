"""Bin edges of a piecewise-linear encoding (PLE), shared by the Keras layer and its
NumPy reference: per feature, ``bins + 1`` non-decreasing edges b_0 <= ... <= b_bins,
the training quantiles 0, 1 / bins, ..., 1 of that feature."""

import numpy as np

from deepkit.validation import InputError, check_int


def quantile_edges(x, bins):
    """Each feature's bin edges for ``PiecewiseLinearEncoding``: its ``bins + 1`` quantiles
    ``0, 1 / bins, ..., 1`` over the rows of ``x``, repeated ones dropped (a feature of few
    values has fewer bins) and the last edge repeated to pad, so that every row holds
    ``bins + 1`` edges. Returns a (features, bins + 1) float64 array.

    Raises:
        InputError: for ``x`` that is not a finite 2-D array of at least 2 rows, or bins < 1.
    """
    bins = check_int(bins, "bins", min_value=1)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2 or not np.all(np.isfinite(x)):
        raise InputError(
            f"quantile_edges needs a finite 2-D array of at least 2 rows, got shape {x.shape}"
        )
    edges = np.empty((x.shape[1], bins + 1))
    for feature, column in enumerate(x.T):
        unique = np.unique(np.quantile(column, np.linspace(0.0, 1.0, bins + 1)))
        edges[feature] = np.concatenate([unique, np.full(bins + 1 - len(unique), unique[-1])])
    return edges


def check_edges(edges):
    """``edges`` as a (features, bins + 1) list of lists of floats, finite, non-decreasing
    along each row (``InputError`` otherwise)."""
    array = np.asarray(edges, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] < 2 or not np.all(np.isfinite(array)):
        raise InputError(
            f"edges must be a finite (features, bins + 1) array with bins >= 1, got shape "
            f"{array.shape}"
        )
    if np.any(np.diff(array, axis=1) < 0):
        raise InputError("edges must not decrease along each feature's row")
    return array.tolist()
