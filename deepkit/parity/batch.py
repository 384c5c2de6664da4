"""The batch ``compare`` runs on, checked before any work.

``x`` and ``y`` come as Keras's ``fit`` takes them: for a model with one input
(output) one array, else a list with one array per input (output) in the model's
order, or a dict keyed by the inputs' (outputs') names. Every array holds finite
numbers and at least one row, and all of them the same number of rows.
"""

import numpy as np

from deepkit.validation import InputError


def _entries(data, names, what, kind):
    """[(label, value)] with one entry per name in ``names`` (None: one, unnamed)."""
    if isinstance(data, dict):
        if names is None:
            raise InputError(
                f"{what} is a dict, but the model's {kind} names are unknown until it is built"
            )
        if set(data) != set(names):
            raise InputError(
                f"{what} is a dict with keys {sorted(data)}; the model's {kind}s are named "
                f"{list(names)}"
            )
        return [(f"{what}[{name!r}]", data[name]) for name in names]
    if names is None or len(names) == 1:
        return [(what, data)]
    if not isinstance(data, (list, tuple)) or len(data) != len(names):
        raise InputError(
            f"the model has {len(names)} {kind}s ({', '.join(names)}): {what} must be a list "
            f"of {len(names)} arrays or a dict keyed by those names"
        )
    return [(f"{what}[{i}]", value) for i, value in enumerate(data)]


def _checked_array(label, value):
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise InputError(f"{label} must be an array of numbers ({error})") from None
    if array.dtype.kind not in "biuf":
        raise InputError(f"{label} must hold numbers, got dtype {array.dtype}")
    if array.ndim == 0 or len(array) == 0 or array.size == 0:
        raise InputError(f"{label} is an empty batch (shape {array.shape}); compare needs rows")
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        where = ", ".join(map(str, bad))
        raise InputError(
            f"{label} holds {array[tuple(bad)]} at index ({where}); parity needs finite inputs"
        )
    return array


def check_batch(x, y, input_names=None, output_names=None):
    """Check one batch for ``compare`` before any work.

    Args:
        x: the inputs: an array-like of numbers with one row per sample, or (for a
            model with several inputs) a list of them or a dict keyed by input name.
        y: the targets, given like ``x``, one per output.
        input_names: the model's input names, in its order; None: one input.
        output_names: the model's output names, in its order; None: one output.

    Returns:
        ``(xs, ys)``: lists of NumPy arrays, one per input and per output, in the
        model's order.

    Raises:
        InputError: if an array is empty, holds something other than numbers, or
            holds NaN or inf; if the arrays differ in length; or if ``x`` or ``y``
            does not give one array per input or output.
    """
    listed = []
    for data, names, what, kind in (
        (x, input_names, "x", "input"),
        (y, output_names, "y", "output"),
    ):
        listed.append(
            [
                (label, _checked_array(label, value))
                for label, value in _entries(data, names, what, kind)
            ]
        )
    xs, ys = listed
    first, rows = xs[0][0], len(xs[0][1])
    for label, array in xs[1:] + ys:
        if len(array) != rows:
            raise InputError(f"{first} has {rows} rows but {label} has {len(array)}")
    return [array for _, array in xs], [array for _, array in ys]
