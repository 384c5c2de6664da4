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

The package's modules: ``loading`` (``load_mnist`` and where it looks), ``npz`` and
``idx`` (the two file formats), ``declared`` (what a header may declare, and the bounded
read), ``checks`` (the checks of the arrays and the content checksum).
"""

from deepkit.datasets.mnist.checks import FULL_SHA256, content_sha256, validate_mnist
from deepkit.datasets.mnist.declared import (
    CHUNK,
    DEFLATE_MAX_RATIO,
    FULL_SIZES,
    IMAGE_SHAPE,
    NPZ_KEYS,
)
from deepkit.datasets.mnist.idx import IDX_FILES, IDX_UBYTE, idx_header, read_idx, read_idx_folder
from deepkit.datasets.mnist.loading import keras_cache_file, load_mnist
from deepkit.datasets.mnist.npz import NPY_MAGIC, ZIP_MAGIC, read_npz

__all__ = [
    "CHUNK",
    "DEFLATE_MAX_RATIO",
    "FULL_SHA256",
    "FULL_SIZES",
    "IDX_FILES",
    "IDX_UBYTE",
    "IMAGE_SHAPE",
    "NPY_MAGIC",
    "NPZ_KEYS",
    "ZIP_MAGIC",
    "content_sha256",
    "idx_header",
    "keras_cache_file",
    "load_mnist",
    "read_idx",
    "read_idx_folder",
    "read_npz",
    "validate_mnist",
]
