"""Python numbers as Keras's ``ops.cast`` turns them into a dtype."""

import numpy as np


def keras_cast(value, dtype):
    """``value`` as Keras's ``ops.cast(value, dtype)`` makes it: a Python float
    becomes a float32 tensor first, then ``dtype``; an int or a NumPy scalar is
    cast directly. This matters only in float64, where e.g. Adam's
    beta_2 = 0.999 becomes 0.99900001287... as in Keras."""
    if type(value) is float:
        value = np.float32(value)
    return dtype(value)
