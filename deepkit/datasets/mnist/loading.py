"""``load_mnist``: MNIST from a path, Keras's cache, or Keras's download, checked."""

import os
from pathlib import Path

import numpy as np

from deepkit.datasets.mnist.checks import validate_mnist
from deepkit.datasets.mnist.declared import rows_to_read
from deepkit.datasets.mnist.idx import read_idx_folder
from deepkit.datasets.mnist.npz import read_npz


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
    rows = rows_to_read(limit)
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


def keras_cache_file():
    """Where Keras caches MNIST.

    Returns:
        The ``Path`` ``$KERAS_HOME/datasets/mnist.npz`` (``KERAS_HOME`` default ``~/.keras``).
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def _download(cache, limit=None):
    """Keras's download (all of it), cut to ``limit`` ({key: most rows})."""
    import keras

    limit = rows_to_read(limit)
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
