"""The data a model takes and gives: one array, or a list of arrays for a model with
several inputs or outputs (each with one row per sample)."""

import numpy as np

from deepkit.validation import InputError


def check_finite(values, what):
    """``values`` (an array, or a list of arrays), after checking they hold no NaN or
    infinity."""
    if isinstance(values, list):
        for i, array in enumerate(values):
            check_finite(array, f"{what}[{i}]")
        return values
    if not np.isfinite(values).all():
        row = int(np.argwhere(~np.isfinite(values))[0][0])
        raise InputError(f"{what} contains NaN or infinite values (first at row {row})")
    return values


def rows(data, index):
    """``data[index]``: of an array, or of each array of a list (several inputs or
    outputs); None stays None."""
    if data is None:
        return None
    return [array[index] for array in data] if isinstance(data, list) else data[index]


def count(data):
    """The number of samples in an array or a list of arrays."""
    return len(data[0]) if isinstance(data, list) else len(data)


def concatenate(batches, shape, dtype):
    """The outputs of successive batches joined along the batch axis: one array, or a
    list of them when ``shape`` (the model's output shape) is a list."""
    if isinstance(shape, list):
        return [
            concatenate([batch[i] for batch in batches], one, dtype) for i, one in enumerate(shape)
        ]
    if not batches:
        return np.empty((0,) + tuple(shape[1:]), dtype)
    return np.concatenate(batches)
