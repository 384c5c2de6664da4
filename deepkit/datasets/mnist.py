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
"""

import gzip
import hashlib
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from deepkit.validation import InputError

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


def load_mnist(path=None):
    """Return ``((x_train, y_train), (x_test, y_test))`` as uint8 arrays.

    ``path`` is an ``.npz`` file in Keras's layout or a folder with the four
    IDX ``.gz`` files. Without it, Keras's cache is used, then Keras's
    download; offline and absent, an ``OSError`` says where to put the file.
    """
    if path is not None:
        path = Path(path).expanduser()
        arrays = read_idx_folder(path) if path.is_dir() else read_npz(path)
        source = str(path)
    else:
        cache = keras_cache_file()
        if cache.exists():
            arrays, source = read_npz(cache), str(cache)
        else:
            arrays, source = _download(cache), "Keras's download"
    validate_mnist(arrays, source)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def keras_cache_file():
    """Where Keras caches MNIST: ``$KERAS_HOME/datasets/mnist.npz`` (default ``~/.keras``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def read_npz(path):
    """The four arrays of an ``.npz`` in Keras's layout (no pickle).

    A file that is not a zip archive (text, CSV, a bare ``.npy``, empty), a
    truncated archive or an array stored as Python objects is refused with one
    line naming the file and the problem."""
    path = Path(path)
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
        with np.load(path, allow_pickle=False) as data:
            missing = [key for key in NPZ_KEYS if key not in data.files]
            if missing:
                raise InputError(
                    f"{path} lacks the MNIST array(s) {missing}; Keras's layout has {list(NPZ_KEYS)}"
                )
            return {key: _read_member(data, key, path) for key in NPZ_KEYS}
    except (zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise InputError(f"{path} is a damaged or truncated .npz archive ({error})") from error


def _read_member(data, key, path):
    """One array of an open ``.npz``; an object (pickled) array is refused, never loaded."""
    try:
        return data[key]
    except ValueError as error:
        if "allow_pickle" not in str(error):
            raise InputError(f"{path}: the array {key} is unreadable ({error})") from error
        raise InputError(
            f"{path}: the array {key} holds Python objects, not numbers; MNIST arrays are uint8"
        ) from error


def read_idx_folder(folder):
    """The four arrays from the original IDX ``.gz`` files in ``folder``."""
    folder = Path(folder)
    missing = [name for name in IDX_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"MNIST folder {folder} lacks the IDX file(s) {missing}")
    return {key: read_idx(folder / name) for key, name in IDX_FILES.items()}


def read_idx(path):
    """One IDX file (gzipped or not) as a uint8 array of the shape its header declares.

    Header: two zero bytes, the type code (0x08 = unsigned byte), the number of
    dimensions d, then d big-endian uint32 sizes; the data follows.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            raw = stream.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as error:
        raise InputError(f"{path} is a damaged or truncated .gz file ({error})") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise InputError(f"{path} is not an IDX file (bad magic number)")
    if raw[2] != IDX_UBYTE:
        raise InputError(f"{path}: IDX type code {raw[2]:#04x}, expected unsigned byte (0x08)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if not 1 <= ndim <= 3 or len(raw) < header:
        raise InputError(
            f"{path}: IDX header declares {ndim} dimensions in a file of {len(raw)} bytes"
        )
    shape = tuple(int(size) for size in np.frombuffer(raw[4:header], dtype=">u4"))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise InputError(
            f"{path}: header declares shape {shape} ({expected} bytes), file has {len(raw)}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def validate_mnist(arrays, source="MNIST"):
    """Raise ``InputError`` naming the array and the problem unless ``arrays`` is MNIST."""
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
    """SHA-256 of the bytes of x_train, y_train, x_test, y_test, in that order."""
    digest = hashlib.sha256()
    for key in NPZ_KEYS:
        digest.update(np.ascontiguousarray(arrays[key]).tobytes())
    return digest.hexdigest()


def _download(cache):
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:
        raise OSError(
            f"MNIST is not on this machine and Keras could not download it ({error}). "
            f"Put Keras's mnist.npz at {cache}, or pass load_mnist(path=...) an .npz "
            "in Keras's layout or a folder with the four IDX .gz files."
        ) from error
    return dict(x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
