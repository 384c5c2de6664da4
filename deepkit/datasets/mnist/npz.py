"""MNIST from an ``.npz`` in Keras's layout, read without pickle in bounded memory.

Each member's ``.npy`` header (read with ``numpy.lib.format``) is checked against MNIST
and against the size of the archive before anything is allocated.
"""

import math
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from deepkit.datasets.mnist.declared import (
    DEFLATE_MAX_RATIO,
    NPZ_KEYS,
    check_declared,
    read_into,
    rows_to_read,
)
from deepkit.validation import InputError

ZIP_MAGIC = b"PK\x03\x04"  # an .npz is a zip archive
NPY_MAGIC = b"\x93NUMPY"


def read_npz(path, limit=None):
    """The four arrays of an ``.npz`` in Keras's layout (no pickle), in bounded memory.

    Args:
        path: the ``.npz`` file.
        limit: the rows to read, as ``load_mnist``'s ``limit`` (None: all).

    Returns:
        A dict of the four arrays.

    Raises:
        FileNotFoundError: if there is no file at ``path``.
        InputError: for a file that is not a zip archive (text, CSV, a bare
            ``.npy``, empty), a damaged or truncated archive, a missing array, an
            array stored as Python objects, or a declared dtype or shape that
            MNIST cannot have or that the archive cannot hold; one line naming
            the file and the problem, before anything is allocated.
    """
    path = Path(path)
    limit = rows_to_read(limit)
    if not path.is_file():
        raise FileNotFoundError(f"MNIST file not found: {path}")
    with open(path, "rb") as stream:
        start = stream.read(len(ZIP_MAGIC))
    if start != ZIP_MAGIC:
        if not start:
            kind = "it is empty"
        elif start == NPY_MAGIC[: len(start)]:
            kind = "it is a single .npy array"
        else:
            kind = f"it starts with {start!r}"
        raise InputError(
            f"{path} is not an .npz file ({kind}); Keras's MNIST is a zip archive of "
            f"the .npy arrays {list(NPZ_KEYS)}"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            members = {}
            for info in archive.infolist():
                name = info.filename
                members[name[:-4] if name.endswith(".npy") else name] = info
            missing = [key for key in NPZ_KEYS if key not in members]
            if missing:
                raise InputError(
                    f"{path} lacks the MNIST array(s) {missing}; Keras's layout has {list(NPZ_KEYS)}"
                )
            file_size = path.stat().st_size
            # Every header first: nothing is allocated until all four are plausible.
            headers, rows = {}, None
            for key in NPZ_KEYS:
                headers[key] = _npz_header(archive, members[key], key, path, rows, file_size)
                rows = headers[key][0][0] if key.startswith("x") else None
            return {
                key: _npz_array(archive, members[key], key, path, headers[key], limit.get(key))
                for key in NPZ_KEYS
            }
    except (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError) as error:
        raise InputError(f"{path} is a damaged or truncated .npz archive ({error})") from error


def _npy_header(stream, key, path):
    """(shape, fortran_order, dtype) from the ``.npy`` header at the start of ``stream``."""
    try:
        version = npy_format.read_magic(stream)
        if version == (1, 0):
            return npy_format.read_array_header_1_0(stream)
        if version == (2, 0):
            return npy_format.read_array_header_2_0(stream)
        raise ValueError(f".npy format version {version[0]}.{version[1]} is not used for numbers")
    except (ValueError, SyntaxError, TypeError) as error:
        raise InputError(
            f"{path}: the array {key} has an unreadable .npy header ({error})"
        ) from None


def _npz_header(archive, info, key, path, rows, file_size):
    """The checked (shape, fortran_order, dtype, header length) of member ``info``."""
    with archive.open(info) as stream:
        shape, fortran_order, dtype = _npy_header(stream, key, path)
        header_length = stream.tell()
    check_declared(path, key, shape, dtype, rows)
    declared = header_length + math.prod(shape) * dtype.itemsize
    if info.file_size != declared:
        raise InputError(
            f"{path}: the array {key} declares shape {tuple(shape)} ({declared} bytes with its "
            f"header), but the archive holds {info.file_size} bytes for it"
        )
    ratio = DEFLATE_MAX_RATIO if info.compress_type == zipfile.ZIP_DEFLATED else None
    if info.compress_size > file_size or (
        ratio is not None and info.file_size > ratio * info.compress_size + 1024
    ):
        raise InputError(
            f"{path}: the array {key} claims {info.file_size} bytes in {info.compress_size} "
            f"compressed bytes of a {file_size}-byte file, more than it can hold"
        )
    return shape, fortran_order, dtype, header_length


def _npz_array(archive, info, key, path, header, most):
    """The first ``most`` rows (None: all) of member ``info``, read into one array."""
    shape, fortran_order, dtype, header_length = header
    rows = shape[0] if most is None else min(shape[0], most)

    def short(done):
        return f"{path}: the array {key} ends after {done} bytes of its data"

    with archive.open(info) as stream:
        stream.read(header_length)
        if fortran_order:
            # Rows are not contiguous: read the whole (checked) array, keep the rows asked for.
            array = read_into(stream, np.empty(shape[::-1], np.uint8), short).T
            return array if rows == shape[0] else np.ascontiguousarray(array[:rows])
        array = read_into(stream, np.empty((rows, *shape[1:]), np.uint8), short)
        if rows == shape[0]:
            stream.read(1)  # at the end: the zip layer checks the member's CRC-32
    return array
