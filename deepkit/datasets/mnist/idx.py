"""MNIST from the four original IDX files, gzipped or not, read in bounded memory.

An IDX header declares the array's shape; it is checked against MNIST and against the
file's size before anything is allocated.
"""

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from deepkit.datasets.mnist.declared import (
    CHUNK,
    DEFLATE_MAX_RATIO,
    check_declared,
    read_into,
    rows_to_read,
)
from deepkit.validation import InputError

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
IDX_UBYTE = 0x08


def read_idx_folder(folder, limit=None):
    """The four arrays from the original IDX ``.gz`` files in ``folder``.

    Args:
        folder: the folder holding the four files of ``IDX_FILES``.
        limit: the rows to read, as ``load_mnist``'s ``limit`` (None: all).

    Returns:
        A dict of the four arrays.

    Raises:
        FileNotFoundError: if a file is missing.
        InputError: as ``read_idx``, or for labels and images that differ in
            number, before anything is allocated.
    """
    folder = Path(folder)
    limit = rows_to_read(limit)
    missing = [name for name in IDX_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"MNIST folder {folder} lacks the IDX file(s) {missing}")
    # Every header first: nothing is allocated until all four are plausible.
    rows = None
    for key, name in IDX_FILES.items():
        shape = idx_header(folder / name)
        check_declared(folder / name, key, shape, np.dtype(np.uint8), rows)
        rows = shape[0] if key.startswith("x") else None
    return {
        key: read_idx(folder / name, limit.get(key), expected=key)
        for key, name in IDX_FILES.items()
    }


def _open_idx(path):
    return (gzip.open if path.suffix == ".gz" else open)(path, "rb")


def _read_idx_header(stream, path):
    """The shape declared by the IDX header at the start of ``stream``, and the header's length.

    Header: two zero bytes, the type code (0x08 = unsigned byte), the number of
    dimensions d, then d big-endian uint32 sizes; the data follows.
    """
    start = stream.read(4)
    if len(start) < 4 or start[0] != 0 or start[1] != 0:
        raise InputError(f"{path} is not an IDX file (bad magic number)")
    if start[2] != IDX_UBYTE:
        raise InputError(f"{path}: IDX type code {start[2]:#04x}, expected unsigned byte (0x08)")
    ndim = start[3]
    sizes = stream.read(4 * ndim) if 1 <= ndim <= 3 else b""
    if not 1 <= ndim <= 3 or len(sizes) < 4 * ndim:
        raise InputError(
            f"{path}: IDX header declares {ndim} dimensions in a file of {4 + len(sizes)} bytes"
        )
    return tuple(int(size) for size in np.frombuffer(sizes, dtype=">u4")), 4 + 4 * ndim


def idx_header(path):
    """The shape an IDX file (gzipped or not) declares, checked against the file's size.

    Args:
        path: the IDX file, ``.gz`` or not.

    Returns:
        The declared shape, a tuple of ints.

    Raises:
        InputError: for a file that is not an IDX file of unsigned bytes, a damaged
            ``.gz``, or a declared size the file cannot hold (an uncompressed file
            must be exactly header + data; deflate expands at most about
            ``DEFLATE_MAX_RATIO``-fold).
    """
    path = Path(path)
    try:
        with _open_idx(path) as stream:
            shape, header = _read_idx_header(stream, path)
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path} is a damaged or truncated .gz file ({error})") from error
    declared = header + math.prod(shape)
    size = path.stat().st_size
    if path.suffix == ".gz":
        if declared > DEFLATE_MAX_RATIO * size + 1024:
            raise InputError(
                f"{path}: header declares shape {shape} ({declared} bytes), more than a "
                f"{size}-byte gzip file can hold"
            )
    elif declared != size:
        raise InputError(
            f"{path}: header declares shape {shape} ({declared} bytes), file has {size}"
        )
    return shape


def read_idx(path, limit=None, expected=None):
    """One IDX file (gzipped or not) as a uint8 array of the shape its header declares.

    Args:
        path: the IDX file (``.gz`` or not).
        limit: read only the first ``limit`` rows (None: all of them).
        expected: an MNIST key ("x_train", "y_test", ...) whose shape and size the
            declared shape must fit (None: any shape the file can hold).

    Returns:
        A uint8 array, the file's data read straight into it.

    Raises:
        InputError: for a file that is not an IDX file of unsigned bytes, a damaged
            ``.gz``, a declared shape that does not fit ``expected`` or the file's
            size (before anything is allocated), or data shorter or longer than
            declared.
    """
    path = Path(path)
    shape = idx_header(path)
    if expected is not None:
        rows = shape[0] if expected.startswith("y") else None
        check_declared(path, expected, shape, np.dtype(np.uint8), rows)
    rows = shape[0] if limit is None else min(shape[0], limit)
    declared = 4 + 4 * len(shape) + math.prod(shape)

    def short(done):
        return (
            f"{path}: header declares shape {shape} ({declared} bytes), "
            f"file has {4 + 4 * len(shape) + done}"
        )

    try:
        with _open_idx(path) as stream:
            _read_idx_header(stream, path)
            array = read_into(stream, np.empty((rows, *shape[1:]), np.uint8), short)
            if rows == shape[0]:
                extra = _remaining(stream)
                if extra:
                    raise InputError(short(math.prod(shape) + extra))
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path} is a damaged or truncated .gz file ({error})") from error
    return array


def _remaining(stream):
    """How many bytes ``stream`` still holds (read in chunks, not kept)."""
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
    return total
