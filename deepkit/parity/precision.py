"""The float precision of a parity check: the dtype Keras builds in, and the default
tolerance of each dtype."""

import contextlib

# The default rtol of each dtype.
TOLERANCE = {"float64": 1e-7, "float32": 1e-5}


@contextlib.contextmanager
def keras_float_dtype(dtype):
    """Make Keras build layers, losses and optimizer variables in ``dtype`` within the block.

    Sets Keras's floatx and global dtype policy, and restores both afterwards. The
    NumPy reference in float64 matches Keras in float64 this way.

    Args:
        dtype: the float dtype's name, e.g. ``"float64"``.

    Example:

    ```python
    with keras_float_dtype("float64"):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    ```
    """
    import keras

    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(floatx)
        keras.config.set_dtype_policy(policy)
