"""MNIST in Keras's layout: ``((x_train, y_train), (x_test, y_test))``.

``load_mnist()`` looks, in order, in

1. ``path=``: an ``.npz`` with the arrays ``x_train, y_train, x_test, y_test``
   (Keras's layout) or a folder holding the four original IDX ``.gz`` files;
2. Keras's cache, ``$KERAS_HOME/datasets/mnist.npz`` (``~/.keras`` by default);
3. Keras's own download, ``keras.datasets.mnist.load_data()``.

Whatever the source, the arrays are checked before they are returned: images
uint8 of shape (n, 28, 28), labels uint8 of shape (n,) in 0..9, as many labels
as images. A full set (60,000 + 10,000 images) must also match the SHA-256 of
the arrays' bytes, which is the same for Keras's file, the IDX originals and
any other faithful copy, whatever their file bytes.

Files are read in bounded memory, whatever they claim. Every array's declared
shape and dtype (the ``.npy`` header of each ``.npz`` member, read with
``numpy.lib.format``; the header of each IDX file) is checked against MNIST
(at most 60,000 training and 10,000 test images of 28 x 28 uint8 pixels) and
against the size of the file that holds it *before* anything is allocated; the
data is then read straight into one array of that shape, chunk by chunk (no
second copy of the raw bytes), and with a ``limit`` only the first rows are
read at all. A full set's checksum can only be checked when the full set is read.
"""

import gzip
import hashlib
import math
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy_format

from deepkit.validation import InputError, check_int

FULL_SIZES = (60000, 10000)
# sha256 of x_train, y_train, x_test, y_test bytes (C order), in that order.
FULL_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
IDX_UBYTE = 0x08
ZIP_MAGIC = b"PK\x03\x04"  # an .npz is a zip archive
NPY_MAGIC = b"\x93NUMPY"
IMAGE_SHAPE = (28, 28)
# Deflate (zip and gzip) expands data at most about 1032-fold: a compressed member that
# claims more than that is lying, whatever its header says.
DEFLATE_MAX_RATIO = 1032
CHUNK = 1 << 18  # bytes read at a time (as numpy.lib.format reads)


def load_mnist(path=None, limit=None):
    """Return ``((x_train, y_train), (x_test, y_test))`` as uint8 arrays.

    Args:
        path: an ``.npz`` file in Keras's layout or a folder with the four IDX
            ``.gz`` files. Without it, Keras's cache is used, then Keras's
            download.
        limit: None (every image), an int n >= 1 (the first n images of each
            split), or a pair (n_train, n_test). Only those rows are read from
            a file.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: images (n, 28, 28) and labels
        (n,), uint8.

    Raises:
        InputError: for a file that is not MNIST (wrong arrays, shapes, dtypes,
            labels, sizes, a damaged archive, or a full set with the wrong
            checksum) or a bad ``limit``, naming the file and the problem.
        FileNotFoundError: for a ``path`` that does not exist.
        OSError: offline with no cached copy; the message says where to put it.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = deepkit.datasets.load_mnist(limit=(3000, 1000))
    ```
    """
    rows = _check_limit(limit)
    if path is not None:
        path = Path(path).expanduser()
        arrays = read_idx_folder(path, limit=rows) if path.is_dir() else read_npz(path, rows)
        source = str(path)
    else:
        cache = keras_cache_file()
        if cache.exists():
            arrays, source = read_npz(cache, rows), str(cache)
        else:
            arrays, source = _download(cache, rows), "Keras's download"
    validate_mnist(arrays, source)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def _check_limit(limit):
    """``limit`` (None, an int, a pair, or already {key: most rows}) as {key: most rows to
    read (None: all)}."""
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


def keras_cache_file():
    """Where Keras caches MNIST.

    Returns:
        The ``Path`` ``$KERAS_HOME/datasets/mnist.npz`` (``KERAS_HOME`` default ``~/.keras``).
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _expected(key):
    """(the shape after the row count, the most rows MNIST has) of the array ``key``."""
    return (IMAGE_SHAPE if key.startswith("x") else ()), FULL_SIZES[key.endswith("test")]


def _check_declared(source, key, shape, dtype, rows):
    """Refuse an array ``key`` declared with ``shape`` and ``dtype`` unless it can be MNIST's;
    ``rows`` is the row count of its images when ``key`` holds labels (None otherwise)."""
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


def _read_into(stream, array, describe_short):
    """Fill ``array`` (C-contiguous) from ``stream`` chunk by chunk; ``InputError`` from
    ``describe_short(bytes_read)`` if the stream ends first."""
    view = memoryview(array).cast("B")
    done = 0
    while done < len(view):
        chunk = stream.read(min(CHUNK, len(view) - done))
        if not chunk:
            raise InputError(describe_short(done))
        view[done : done + len(chunk)] = chunk
        done += len(chunk)
    return array


def _remaining(stream):
    """How many bytes ``stream`` still holds (read in chunks, not kept)."""
    total = 0
    while chunk := stream.read(CHUNK):
        total += len(chunk)
    return total


# -- .npz ------------------------------------------------------------------------------


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
    limit = _check_limit(limit)
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
    _check_declared(path, key, shape, dtype, rows)
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
            array = _read_into(stream, np.empty(shape[::-1], np.uint8), short).T
            return array if rows == shape[0] else np.ascontiguousarray(array[:rows])
        array = _read_into(stream, np.empty((rows, *shape[1:]), np.uint8), short)
        if rows == shape[0]:
            stream.read(1)  # at the end: the zip layer checks the member's CRC-32
    return array


# -- IDX -------------------------------------------------------------------------------


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
    limit = _check_limit(limit)
    missing = [name for name in IDX_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"MNIST folder {folder} lacks the IDX file(s) {missing}")
    # Every header first: nothing is allocated until all four are plausible.
    rows = None
    for key, name in IDX_FILES.items():
        shape = idx_header(folder / name)
        _check_declared(folder / name, key, shape, np.dtype(np.uint8), rows)
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
        _check_declared(path, expected, shape, np.dtype(np.uint8), rows)
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
            array = _read_into(stream, np.empty((rows, *shape[1:]), np.uint8), short)
            if rows == shape[0]:
                extra = _remaining(stream)
                if extra:
                    raise InputError(short(math.prod(shape) + extra))
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path} is a damaged or truncated .gz file ({error})") from error
    return array


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


def _download(cache, limit=None):
    """Keras's download (all of it), cut to ``limit`` ({key: most rows})."""
    import keras

    limit = _check_limit(limit)
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:
        raise OSError(
            f"MNIST is not on this machine and Keras could not download it ({error}). "
            f"Put Keras's mnist.npz at {cache}, or pass load_mnist(path=...) an .npz "
            "in Keras's layout or a folder with the four IDX .gz files."
        ) from error
    arrays = dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return {
        key: array if limit.get(key) is None else np.array(array[: limit[key]])
        for key, array in arrays.items()
    }
