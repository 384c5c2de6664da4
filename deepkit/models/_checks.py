"""Argument checks shared by the Keras builders, on top of ``deepkit.validation``.

Every builder checks all of its arguments before it creates a layer, so that a
nonsense setting (a negative learning rate, a dropout of 1.5, a width of -3) is
one ``InputError`` naming it, never a Keras traceback or a model that trains on
nonsense. NumPy integers are accepted wherever Python ints are, and returned as
Python ints (a model's config must stay JSON for ``.keras`` files).
"""

import math
import numbers

import keras

from deepkit.validation import InputError, check_float, check_int, check_seed


def is_count(value):
    """Whether ``value`` is an int >= 1 (NumPy integers included, bools excluded).

    Args:
        value: anything.

    Returns:
        True for a count.
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def check_counts(values, name, what="a non-empty list of positive ints"):
    """``values`` (a sequence of ints >= 1, at least one) as a list of Python ints.

    Args:
        values: the sequence to check (a list, tuple, 1-D array or other iterable
            of ints; not a string).
        name: the argument's name in the message.
        what: how the message describes a valid value.

    Returns:
        A list of Python ints.

    Raises:
        InputError: for anything else, naming ``name`` and the value.
    """
    try:
        items = None if isinstance(values, (str, bytes)) else list(values)
    except TypeError:
        items = None
    if not items or not all(map(is_count, items)):
        raise InputError(f"{name} must be {what}, got {values!r}")
    return [int(v) for v in items]


def check_rate(value, name):
    """A rate in [0, 1) (a dropout), as a Python float.

    Args:
        value: the rate to check.
        name: the argument's name in the message.

    Returns:
        The rate as a Python float.

    Raises:
        InputError: for a value that is not a finite number in [0, 1).
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or not 0.0 <= value < 1.0
    ):
        raise InputError(f"{name} must be in [0, 1), got {value!r}")
    return float(value)


def check_learning_rate(value, name="learning_rate"):
    """A learning rate: a finite number > 0, as a Python float.

    Args:
        value: the learning rate to check.
        name: the argument's name in the message.

    Returns:
        The learning rate as a Python float.

    Raises:
        InputError: for zero, a negative number, inf, NaN or a non-number.
    """
    rate = check_float(value, name, min_value=0.0, include_min=False)
    if not math.isfinite(rate):
        raise InputError(f"{name} must be a number > 0.0, got {value!r}")
    return rate


def check_optional_seed(seed):
    """A seed that may be ``None``.

    Args:
        seed: ``None``, or an int in [0, 2**32 - 1] (checked by ``check_seed``).

    Returns:
        ``None``, or the seed as a Python int.

    Raises:
        InputError: for a seed that is neither ``None`` nor an int in range.
    """
    return None if seed is None else check_seed(seed)


def check_compile_options(steps_per_execution, jit_compile):
    """Check Keras's compile options.

    Args:
        steps_per_execution: an int >= 1.
        jit_compile: True, False or "auto".

    Returns:
        ``steps_per_execution`` as a Python int.

    Raises:
        InputError: for a value outside those.
    """
    if jit_compile not in (True, False, "auto"):
        raise InputError(f"jit_compile must be True, False or 'auto', got {jit_compile!r}")
    return check_int(steps_per_execution, "steps_per_execution", min_value=1)


def optimizer_with_rate(optimizer, learning_rate):
    """The optimizer to compile with.

    Args:
        optimizer: an optimizer name or Keras object.
        learning_rate: ``None`` to keep ``optimizer`` as given, else the (checked)
            learning rate of a new optimizer of that name.

    Returns:
        ``optimizer``, or a new Keras optimizer.

    Raises:
        InputError: for a learning rate that is not a finite number > 0, or one
            combined with an optimizer object (set its rate on the object instead).
    """
    if learning_rate is None:
        return optimizer
    learning_rate = check_learning_rate(learning_rate)
    if not isinstance(optimizer, str):
        raise InputError(
            "learning_rate can only be combined with an optimizer given by name; "
            "set the learning rate on the optimizer object instead"
        )
    return keras.optimizers.get(
        {"class_name": optimizer, "config": {"learning_rate": learning_rate}}
    )
