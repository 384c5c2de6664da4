"""One place to seed every random number generator deepkit uses."""

from deepkit.validation import check_int


def set_seed(seed, deterministic=False):
    """Seed Python's ``random``, NumPy and TensorFlow with ``seed``.

    With ``deterministic=True`` TensorFlow's op determinism is switched on as
    well, so that the same seed gives bit-identical training runs (at some cost
    in speed on multi-threaded kernels).
    """
    seed = check_int(seed, "seed", min_value=0)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
