"""Argument checks shared by all of deepkit (in the spirit of scikit-learn's
``check_scalar``), and the error type that marks bad input from the user.

It sits at the bottom of the tree, inside the NumPy reference (which imports only
NumPy and itself), so that the NumPy reference, the Keras recipes, the benchmarks and the
command line all say the same thing in the same words::

    check_int(epochs, "epochs", min_value=1)      # "epochs must be an int >= 1, got 0"
    check_float(rate, "dropout", 0.0, 1.0, include_max=False)
"""

import math
import numbers


class InputError(ValueError):
    """Bad input from the user (an argument, a file, a column): the command line
    prints it as one line; any other exception is a bug and keeps its traceback."""


def _bounds(min_value, max_value, include_min, include_max):
    parts = []
    if min_value is not None:
        parts.append(f"{'>=' if include_min else '>'} {min_value}")
    if max_value is not None:
        parts.append(f"{'<=' if include_max else '<'} {max_value}")
    return " and ".join(parts)


def _check_range(value, name, kind, min_value, max_value, include_min, include_max):
    too_low = min_value is not None and (value < min_value if include_min else value <= min_value)
    too_high = max_value is not None and (value > max_value if include_max else value >= max_value)
    if too_low or too_high:
        bounds = _bounds(min_value, max_value, include_min, include_max)
        raise InputError(f"{name} must be {kind} {bounds}, got {value!r}")
    return value


def check_int(value, name, min_value=None, max_value=None):
    """``value`` as a Python int, after checking it is an integer (NumPy integers
    included, bools excluded) within [min_value, max_value]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        bounds = _bounds(min_value, max_value, True, True)
        raise InputError(f"{name} must be an int{' ' + bounds if bounds else ''}, got {value!r}")
    return _check_range(int(value), name, "an int", min_value, max_value, True, True)


def check_float(value, name, min_value=None, max_value=None, include_min=True, include_max=True):
    """``value`` as a Python float, after checking it is a finite real number
    (ints and NumPy scalars included, bools excluded) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        bounds = _bounds(min_value, max_value, include_min, include_max)
        raise InputError(f"{name} must be a number{' ' + bounds if bounds else ''}, got {value!r}")
    return _check_range(
        float(value), name, "a number", min_value, max_value, include_min, include_max
    )


def check_choice(value, name, choices):
    """``value``, after checking it is one of ``choices``."""
    if value not in choices:
        raise InputError(f"{name} must be one of {', '.join(map(str, choices))}, got {value!r}")
    return value


MAX_SEED = 2**32 - 1  # NumPy's and Keras's global seeds are 32-bit


def check_seed(seed, name="seed"):
    """Check a random seed before any work.

    Args:
        seed: an int (NumPy integers included, bools excluded).
        name: how the error message names the argument.

    Returns:
        ``seed`` as a Python int.

    Raises:
        InputError: unless ``seed`` is an int in [0, 2**32 - 1], the range
            ``numpy.random.seed`` and ``keras.utils.set_random_seed`` accept.
    """
    return check_int(seed, name, min_value=0, max_value=MAX_SEED)
