"""One place to seed every random number generator deepkit uses."""


def set_seed(seed, deterministic=False):
    """Seed Python's ``random``, NumPy and TensorFlow with ``seed``.

    With ``deterministic=True`` TensorFlow's op determinism is switched on as
    well, so that the same seed gives bit-identical training runs (at some cost
    in speed on multi-threaded kernels).
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, got {seed!r}")
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
