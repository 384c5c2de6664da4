"""The checks every MNIST source passes: dtypes, shapes, labels, and a full set's
content checksum.

The SHA-256 is of the arrays' bytes, so it is the same for Keras's file, the IDX
originals and any other faithful copy, whatever their file bytes.
"""

import hashlib

import numpy as np

from deepkit.datasets.mnist.declared import FULL_SIZES, NPZ_KEYS
from deepkit.validation import InputError

# sha256 of x_train, y_train, x_test, y_test bytes (C order), in that order.
FULL_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"


def validate_mnist(arrays, source="MNIST"):
    """Check that ``arrays`` is MNIST.

    Args:
        arrays: a dict of ``x_train``, ``y_train``, ``x_test`` and ``y_test``.
        source: what the messages name (a file, or "MNIST").

    Raises:
        InputError: naming the array and the problem (a dtype, a shape, a label
            outside 0-9, or a full set that fails MNIST's content checksum).
    """
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or y.dtype != np.uint8:
            raise InputError(
                f"{source}: x_{split} and y_{split} must be uint8, got {x.dtype} and {y.dtype}"
            )
        if x.ndim != 3 or x.shape[1:] != (28, 28) or x.shape[0] == 0:
            raise InputError(f"{source}: x_{split} must have shape (n, 28, 28), got {x.shape}")
        if y.shape != (x.shape[0],):
            raise InputError(
                f"{source}: y_{split} must have shape ({x.shape[0]},) to match x_{split}, got {y.shape}"
            )
        bad = np.flatnonzero(y > 9)
        if bad.size:
            raise InputError(
                f"{source}: y_{split} has label {y[bad[0]]} at index {bad[0]}; labels must be 0..9"
            )
    sizes = (len(arrays["x_train"]), len(arrays["x_test"]))
    if sizes == FULL_SIZES and content_sha256(arrays) != FULL_SHA256:
        raise InputError(
            f"{source}: the 60,000 + 10,000 images do not match MNIST's content checksum; "
            "the file is corrupt or not MNIST (delete it and load again)"
        )


def content_sha256(arrays):
    """SHA-256 of the bytes of x_train, y_train, x_test, y_test, in that order.

    The arrays are hashed in place: no copy of a C-ordered array.

    Args:
        arrays: a dict of the four arrays.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    for key in NPZ_KEYS:
        digest.update(np.ascontiguousarray(arrays[key]))
    return digest.hexdigest()
