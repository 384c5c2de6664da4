"""The argument checks every part of deepkit uses, and the error that marks bad input."""

import math

import numpy as np
import pytest

from deepkit.validation import (
    InputError,
    check_choice,
    check_float,
    check_int,
    check_seed,
)


def test_check_int_takes_python_and_numpy_integers_within_bounds():
    assert check_int(np.int64(3), "units", min_value=1) == 3
    assert type(check_int(np.int64(3), "units")) is int
    for bad in (True, 2.0, "3"):
        with pytest.raises(InputError, match="units must be an int"):
            check_int(bad, "units")
    with pytest.raises(InputError, match="units must be an int >= 1 and <= 5, got 6"):
        check_int(6, "units", min_value=1, max_value=5)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, np.float32("inf"), True, "0.1"])
def test_check_float_refuses_what_is_not_a_finite_number(bad):
    with pytest.raises(InputError, match="rate must be a number > 0.0"):
        check_float(bad, "rate", min_value=0.0, include_min=False)


def test_check_float_bounds_open_and_closed():
    assert check_float(np.float32(0.5), "rate", 0.0, 1.0) == 0.5
    assert check_float(1, "rate", 0.0, 1.0) == 1.0
    with pytest.raises(InputError, match=r"rate must be a number >= 0.0 and < 1.0, got 1.0"):
        check_float(1.0, "rate", 0.0, 1.0, include_max=False)


def test_check_seed_and_check_choice():
    assert check_seed(2**32 - 1) == 2**32 - 1
    with pytest.raises(
        InputError, match="seed must be an int >= 0 and <= 4294967295, got 4294967296"
    ):
        check_seed(2**32)
    assert check_choice("gru", "cell", ("lstm", "gru")) == "gru"
    with pytest.raises(InputError, match="cell must be one of lstm, gru, got 'rnn'"):
        check_choice("rnn", "cell", ("lstm", "gru"))
    assert issubclass(InputError, ValueError)
