"""deepkit.seeding.set_seed and deepkit.validation.check_seed: a seed is an int in
[0, 2**32 - 1], the range NumPy and Keras seed with; anything else is refused before
anything is seeded."""

import random
import re

import numpy as np
import pytest

from deepkit.seeding import set_seed
from deepkit.validation import InputError, check_seed


def test_check_seed_takes_the_32_bit_range_numpy_ints_included():
    assert check_seed(0) == 0 and check_seed(2**32 - 1) == 2**32 - 1
    assert type(check_seed(np.int64(7))) is int and check_seed(np.uint32(7)) == 7
    for seed in (2**32, -1, 1.5, "3", True, None):  # 6 cases
        message = f"random_state must be an int >= 0 and <= 4294967295, got {seed!r}"
        with pytest.raises(InputError, match=re.escape(message)):
            check_seed(seed, "random_state")


def test_set_seed_refuses_a_seed_numpy_cannot_take_before_seeding(monkeypatch):
    import keras

    monkeypatch.setattr(keras.utils, "set_random_seed", lambda seed: pytest.fail("seeded"))
    with pytest.raises(InputError, match="seed must be an int >= 0 and <= 4294967295"):
        set_seed(2**32)
    monkeypatch.undo()
    set_seed(np.int64(2**32 - 1))
    first = (random.random(), np.random.random())
    set_seed(2**32 - 1)
    assert (random.random(), np.random.random()) == first
