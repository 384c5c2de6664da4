"""One place to seed every random number generator deepkit uses."""

from deepkit.validation import check_seed


def set_seed(seed, deterministic=False):
    """Seed Python's ``random``, NumPy and TensorFlow with ``seed``.

    With ``deterministic=True`` TensorFlow's op determinism is switched on as
    well, so that the same seed gives bit-identical training runs (at some cost
    in speed on multi-threaded kernels).

    Args:
        seed: an int in [0, 2**32 - 1] (NumPy integers included).
        deterministic: also switch on TensorFlow's op determinism.

    Raises:
        InputError: for a seed that is not an int in [0, 2**32 - 1], before
            anything is seeded.
    """
    seed = check_seed(seed)
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
