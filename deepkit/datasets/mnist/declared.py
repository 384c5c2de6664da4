"""What a file may declare of MNIST's arrays, checked before anything is allocated, and
the bounded read of the data into one array.

A header (of an ``.npz`` member or of an IDX file) declares each array's shape and dtype;
``check_declared`` refuses one that MNIST cannot have (at most 60,000 training and 10,000
test images of 28 x 28 uint8 pixels). ``read_into`` then fills one array of that shape,
chunk by chunk, with no second copy of the raw bytes.
"""

import numpy as np

from deepkit.validation import InputError, check_int

FULL_SIZES = (60000, 10000)
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IMAGE_SHAPE = (28, 28)
# Deflate (zip and gzip) expands data at most about 1032-fold: a compressed member that
# claims more than that is lying, whatever its header says.
DEFLATE_MAX_RATIO = 1032
CHUNK = 1 << 18  # bytes read at a time (as numpy.lib.format reads)


def rows_to_read(limit):
    """The most rows to read of each array, from ``load_mnist``'s ``limit``.

    Args:
        limit: None, an int n >= 1, a pair (n_train, n_test), or already a dict.

    Returns:
        ``{key: most rows to read}`` for the four keys (None: all), or ``limit`` itself
        when it is a dict.

    Raises:
        InputError: a ``limit`` of another kind, or a count below 1.
    """
    if isinstance(limit, dict):
        return limit
    if limit is None:
        train = test = None
    elif isinstance(limit, (tuple, list)):
        if len(limit) != 2:
            raise InputError(f"limit must be an int or a pair (n_train, n_test), got {limit!r}")
        train = check_int(limit[0], "limit (train)", min_value=1)
        test = check_int(limit[1], "limit (test)", min_value=1)
    else:
        train = test = check_int(limit, "limit", min_value=1)
    return {"x_train": train, "y_train": train, "x_test": test, "y_test": test}


def _expected(key):
    """(the shape after the row count, the most rows MNIST has) of the array ``key``."""
    return (IMAGE_SHAPE if key.startswith("x") else ()), FULL_SIZES[key.endswith("test")]


def check_declared(source, key, shape, dtype, rows):
    """Refuse an array ``key`` declared with ``shape`` and ``dtype`` unless it can be MNIST's.

    Args:
        source: what the message names (the file).
        key: the array, one of ``NPZ_KEYS``.
        shape: its declared shape.
        dtype: its declared ``numpy.dtype``.
        rows: the row count of its images when ``key`` holds labels (None otherwise).

    Raises:
        InputError: objects or another dtype than uint8, a shape other than (n, 28, 28)
            or (rows,), or more rows than MNIST has.
    """
    if dtype.hasobject:
        raise InputError(
            f"{source}: the array {key} holds Python objects, not numbers; MNIST arrays are uint8"
        )
    if dtype != np.uint8:
        raise InputError(f"{source}: {key} must be uint8, got {dtype}")
    trailing, most = _expected(key)
    if key.startswith("x"):
        if len(shape) != 3 or tuple(shape[1:]) != trailing or shape[0] == 0:
            raise InputError(f"{source}: {key} must have shape (n, 28, 28), got {tuple(shape)}")
    elif tuple(shape) != (rows,):
        images = key.replace("y", "x", 1)
        raise InputError(
            f"{source}: {key} must have shape ({rows},) to match {images}, got {tuple(shape)}"
        )
    if shape[0] > most:
        split = "training" if key.endswith("train") else "test"
        raise InputError(
            f"{source}: {key} declares {shape[0]} rows; MNIST has at most {most} {split} "
            "images (refused before reading)"
        )


def read_into(stream, array, describe_short):
    """Fill ``array`` from ``stream``, ``CHUNK`` bytes at a time, with no other copy.

    Args:
        stream: a binary stream at the array's first byte.
        array: a C-contiguous uint8 array of the declared shape.
        describe_short: ``describe_short(bytes_read)``, the message if the stream ends first.

    Returns:
        ``array``, filled.

    Raises:
        InputError: the stream ends before ``array`` is full.
    """
    view = memoryview(array).cast("B")
    done = 0
    while done < len(view):
        chunk = stream.read(min(CHUNK, len(view) - done))
        if not chunk:
            raise InputError(describe_short(done))
        view[done : done + len(chunk)] = chunk
        done += len(chunk)
    return array
