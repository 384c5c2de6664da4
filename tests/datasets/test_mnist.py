"""load_mnist: npz and IDX sources, Keras's cache, content checks, offline errors."""

import gzip
import io
import re
import struct
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from deepkit.datasets import load_mnist
from deepkit.datasets import mnist as mnist_module
from deepkit.validation import InputError

SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def subset_arrays(n_train=3000, n_test=1000):
    with np.load(SUBSET, allow_pickle=False) as data:
        return {
            key: data[key][: n_train if key.endswith("train") else n_test] for key in data.files
        }


def write_idx(path, array):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(
        f">{array.ndim}I", *array.shape
    )
    with gzip.open(path, "wb") as stream:
        stream.write(header + array.tobytes())


def write_idx_folder(folder, arrays):
    for key, name in mnist_module.IDX_FILES.items():
        write_idx(folder / name, arrays[key])
    return folder


def test_subset_is_real_mnist_in_keras_layout():
    (x_train, y_train), (x_test, y_test) = load_mnist(path=SUBSET)
    assert x_train.shape == (3000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == y_train.dtype == np.uint8
    # all ten digits, roughly balanced, and real ink: pixels span 0..255
    assert np.bincount(y_train, minlength=10).min() > 200
    assert np.bincount(y_test, minlength=10).min() > 70
    assert x_train.min() == 0 and x_train.max() == 255
    # MNIST's very first training label is a 5 and its first test label a 7
    assert y_train[0] == 5 and y_test[0] == 7


def test_idx_folder_gives_the_same_arrays_as_the_npz(tmp_path):
    arrays = subset_arrays(300, 100)
    (x_train, y_train), (x_test, y_test) = load_mnist(path=write_idx_folder(tmp_path, arrays))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_train, arrays["y_train"])
    np.testing.assert_array_equal(x_test, arrays["x_test"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


def test_idx_header_is_checked(tmp_path):
    arrays = subset_arrays(300, 100)
    write_idx_folder(tmp_path, arrays)
    truncated = tmp_path / mnist_module.IDX_FILES["x_test"]
    with gzip.open(truncated, "rb") as stream:
        raw = stream.read()
    with gzip.open(truncated, "wb") as stream:
        stream.write(raw[:-28])
    with pytest.raises(ValueError, match=r"header declares shape \(100, 28, 28\)"):
        load_mnist(path=tmp_path)
    with gzip.open(truncated, "wb") as stream:
        stream.write(b"\x00\x00\x0d\x03" + raw[4:])
    with pytest.raises(ValueError, match="type code 0x0d"):
        load_mnist(path=tmp_path)


def test_idx_folder_missing_a_file(tmp_path):
    write_idx_folder(tmp_path, subset_arrays(300, 100))
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.gz"):
        load_mnist(path=tmp_path)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("x_train", lambda a: a.astype(np.float32), "must be uint8, got float32"),
        ("y_test", lambda a: a.astype(np.int64), "must be uint8"),
        (
            "x_test",
            lambda a: a.reshape(-1, 784),
            r"x_test must have shape \(n, 28, 28\), got \(1000, 784\)",
        ),
        ("y_train", lambda a: a[:-1], r"y_train must have shape \(3000,\)"),
        (
            "y_train",
            lambda a: np.where(np.arange(a.size) == 17, 10, a).astype(np.uint8),
            "label 10 at index 17",
        ),
    ],
)
def test_bad_arrays_are_named(tmp_path, key, value, message):
    arrays = subset_arrays()
    arrays[key] = value(arrays[key])
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ValueError, match=message):
        load_mnist(path=tmp_path / "bad.npz")


def test_missing_array_and_not_an_npz(tmp_path):
    arrays = subset_arrays()
    del arrays["y_test"]
    np.savez(tmp_path / "three.npz", **arrays)
    with pytest.raises(ValueError, match=r"lacks the MNIST array\(s\) \['y_test'\]"):
        load_mnist(path=tmp_path / "three.npz")
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        load_mnist(path=tmp_path / "nowhere.npz")


def _truncated_npz(path):
    np.savez(path, **subset_arrays(100, 10))
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def _npy_named_npz(path):
    with open(path, "wb") as stream:
        np.save(stream, np.zeros(3))


def _object_labels_npz(path):
    arrays = subset_arrays(100, 10)
    arrays["y_train"] = np.array(list(arrays["y_train"]), dtype=object)
    np.savez(path, **arrays)


CORRUPT_NPZ = {
    "csv": (lambda p: p.write_text("label,pixel0\n5,0\n"), r"is not an \.npz file \(it starts"),
    "empty": (lambda p: p.write_bytes(b""), r"is not an \.npz file \(it is empty\)"),
    "npy": (_npy_named_npz, r"is not an \.npz file \(it is a single"),
    "truncated": (_truncated_npz, r"is a damaged or truncated \.npz archive"),
    "object array": (_object_labels_npz, r"the array y_train holds Python objects"),
}


@pytest.mark.parametrize("kind", CORRUPT_NPZ)
def test_a_corrupt_npz_is_one_line_naming_the_file_and_the_problem(tmp_path, kind):
    write, message = CORRUPT_NPZ[kind]
    path = tmp_path / "mnist.npz"
    write(path)
    with pytest.raises(InputError, match=message) as caught:
        load_mnist(path=path)
    text = str(caught.value)
    assert str(path) in text and "\n" not in text
    assert "pickle" not in text  # never advice to load unsafely


@pytest.mark.parametrize("cut", ["gzip stream", "IDX header"])
def test_a_truncated_idx_gz_is_one_line_naming_the_file(tmp_path, cut):
    folder = write_idx_folder(tmp_path, subset_arrays(100, 10))
    images = folder / mnist_module.IDX_FILES["x_train"]
    if cut == "gzip stream":
        raw = images.read_bytes()
        images.write_bytes(raw[: len(raw) // 2])
        message = "is a damaged or truncated .gz file"
    else:
        with gzip.open(images, "wb") as stream:
            stream.write(bytes([0, 0, 0x08, 3, 0, 0]))
        message = r"IDX header declares 3 dimensions in a file of 6 bytes"
    with pytest.raises(InputError, match=message) as caught:
        load_mnist(path=folder)
    assert str(images) in str(caught.value)


def test_full_size_set_must_match_the_content_checksum(tmp_path):
    # A full-size set of the right shapes but wrong pixels is rejected.
    rng = np.random.default_rng(0)
    fake = {
        "x_train": rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 60000, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (10000, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 10000, dtype=np.uint8),
    }
    with pytest.raises(ValueError, match="content checksum"):
        mnist_module.validate_mnist(fake, "fake")


def test_keras_cache_is_used_before_downloading(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "mnist.npz").write_bytes(SUBSET.read_bytes())

    def no_download():
        raise AssertionError("must not download when the cache has the file")

    monkeypatch.setattr("keras.datasets.mnist.load_data", no_download)
    (x_train, _), _ = load_mnist()
    assert x_train.shape == (3000, 28, 28)


def test_offline_and_absent_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))

    def offline():
        raise Exception("URL fetch failure on https://storage.googleapis.com: None -- offline")

    monkeypatch.setattr("keras.datasets.mnist.load_data", offline)
    expected = str(tmp_path / "datasets" / "mnist.npz")
    with pytest.raises(OSError, match="could not download") as error:
        load_mnist()
    assert expected in str(error.value)


@pytest.mark.skipif(
    not (SHARED / "mnist.npz").is_file(),
    reason="full MNIST is only in the shared data folder beside the repo",
)
def test_full_shared_npz_and_idx_files_pass_the_checksum():
    (x_train, y_train), (x_test, y_test) = load_mnist(path=SHARED / "mnist.npz")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    if (SHARED / "mnist").is_dir():
        (x_idx, _), _ = load_mnist(path=SHARED / "mnist")
        np.testing.assert_array_equal(x_idx, x_train)


# Hostile files: declared shapes and sizes are checked before anything is allocated, a
# limit reads only the rows it keeps, and the data is read into one array.


def npy_bytes(shape, descr="|u1", data=b""):
    """An .npy member: a header declaring ``shape`` and ``descr``, then ``data`` (any length)."""
    stream = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": tuple(shape)}
    np.lib.format.write_array_header_1_0(stream, header)
    return stream.getvalue() + data


def write_npz(path, arrays, **members):
    """An .npz of ``arrays`` (saved as NumPy saves them) with some members replaced by raw bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            if key in members:
                archive.writestr(f"{key}.npy", members[key])
            else:
                stream = io.BytesIO()
                np.save(stream, array)
                archive.writestr(f"{key}.npy", stream.getvalue())
    return path


def peak_memory(load):
    """(result, the most memory Python and NumPy held while ``load()`` ran)."""
    tracemalloc.start()
    try:
        result = load()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def assert_refused_in_little_memory(load, message):
    """``load()`` raises InputError matching ``message`` having held under 1 MB at most."""
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=re.escape(message)):
            load()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000  # nothing of the declared size was allocated


HOSTILE_NPZ = {  # member -> (its raw bytes, the message): 5 cases
    # 10**9 images of 28 x 28 bytes: 730 GiB declared in a file of a few hundred bytes
    "730 GiB": (
        "x_train",
        npy_bytes((10**9, 28, 28), data=bytes(1000)),
        "x_train declares 1000000000 rows; MNIST has at most 60000 training images",
    ),
    "1.84 GB": (
        "x_test",
        npy_bytes((2_350_000, 28, 28), data=bytes(1000)),
        "x_test declares 2350000 rows; MNIST has at most 10000 test images",
    ),
    "float64": ("x_train", npy_bytes((100, 28, 28), "<f8"), "x_train must be uint8, got float64"),
    "labels": (
        "y_train",
        npy_bytes((99,), data=bytes(99)),
        "y_train must have shape (100,) to match x_train, got (99,)",
    ),
    "short data": (
        "x_train",
        npy_bytes((100, 28, 28), data=bytes(10)),
        "the array x_train declares shape (100, 28, 28) (78528 bytes with its header), "
        "but the archive holds 138 bytes for it",
    ),
}


@pytest.mark.parametrize("case", HOSTILE_NPZ)
def test_a_hostile_npz_is_refused_before_anything_is_allocated(tmp_path, case):
    key, raw, message = HOSTILE_NPZ[case]
    path = write_npz(tmp_path / "hostile.npz", subset_arrays(100, 10), **{key: raw})
    assert_refused_in_little_memory(lambda: load_mnist(path=path), f"{path}: {message}")


def test_a_hostile_idx_folder_is_refused_before_anything_is_allocated(tmp_path):
    arrays = subset_arrays(100, 10)
    folder = write_idx_folder(tmp_path, arrays)
    images = folder / mnist_module.IDX_FILES["x_train"]
    header = struct.pack(">BBBBIII", 0, 0, 0x08, 3, 10**9, 28, 28)
    with gzip.open(images, "wb") as stream:  # 730 GiB declared, a few KB of zeros
        stream.write(header + bytes(100_000))
    assert_refused_in_little_memory(
        lambda: load_mnist(path=folder),
        f"{images}: header declares shape (1000000000, 28, 28) (784000000016 bytes), more than a",
    )
    write_idx(images, arrays["x_train"])
    labels = folder / mnist_module.IDX_FILES["y_test"]
    write_idx(labels, arrays["y_test"][:9])
    assert_refused_in_little_memory(
        lambda: load_mnist(path=folder), "y_test must have shape (10,) to match x_test, got (9,)"
    )
    plain = tmp_path / "plain-idx3-ubyte"  # uncompressed: the size must be exact
    plain.write_bytes(header + bytes(100))
    with pytest.raises(InputError, match=re.escape("(784000000016 bytes), file has 116")):
        mnist_module.read_idx(plain)


def test_an_idx_folder_checks_every_header_before_reading_any_data(tmp_path):
    arrays = subset_arrays(100, 10)
    folder = write_idx_folder(tmp_path, arrays)
    images = folder / mnist_module.IDX_FILES["x_train"]
    with gzip.open(images, "rb") as stream:
        raw = stream.read()
    with gzip.open(images, "wb") as stream:  # the header of 100 images, the data of 50
        stream.write(raw[: 16 + 50 * 784])
    write_idx(folder / mnist_module.IDX_FILES["y_train"], arrays["y_train"][:99])
    message = "y_train must have shape (100,) to match x_train, got (99,)"
    with pytest.raises(InputError, match=re.escape(message)):  # not the short images
        load_mnist(path=folder)


def test_a_limit_reads_only_the_rows_it_keeps(tmp_path):
    (x_all, y_all), (x_test_all, _) = load_mnist(path=SUBSET)
    full = x_all.nbytes + y_all.nbytes + 2 * x_test_all.nbytes
    ((x_train, y_train), (x_test, y_test)), peak = peak_memory(
        lambda: load_mnist(path=SUBSET, limit=(100, 10))
    )
    assert x_train.shape == (100, 28, 28) and x_test.shape == (10, 28, 28)
    np.testing.assert_array_equal(x_train, x_all[:100])
    np.testing.assert_array_equal(y_train, y_all[:100])
    assert peak < full / 5
    (x_train, _), (x_test, _) = load_mnist(path=SUBSET, limit=50)
    assert len(x_train) == len(x_test) == 50
    # An IDX file cut after its first 100 images loads with limit=100, never reading further.
    arrays = subset_arrays(300, 100)
    folder = write_idx_folder(tmp_path, arrays)
    images = folder / mnist_module.IDX_FILES["x_train"]
    with gzip.open(images, "rb") as stream:
        raw = stream.read()
    with gzip.open(images, "wb") as stream:
        stream.write(raw[: 16 + 100 * 784])
    (x_train, _), _ = load_mnist(path=folder, limit=(100, 100))
    np.testing.assert_array_equal(x_train, arrays["x_train"][:100])
    with pytest.raises(InputError, match=r"header declares shape \(300, 28, 28\)"):
        load_mnist(path=folder)
    for limit, message in (  # 3 cases
        (0, "limit must be an int >= 1, got 0"),
        ((100, 0), "limit (test) must be an int >= 1, got 0"),
        ((1, 2, 3), "limit must be an int or a pair (n_train, n_test), got (1, 2, 3)"),
    ):
        with pytest.raises(InputError, match=re.escape(message)):
            load_mnist(path=SUBSET, limit=limit)


def test_an_idx_file_is_read_into_one_array_without_a_copy_of_its_bytes(tmp_path):
    images = subset_arrays()["x_train"]
    header = struct.pack(">BBBBIII", 0, 0, 0x08, 3, *images.shape)
    with gzip.open(tmp_path / "images.gz", "wb", compresslevel=1) as stream:
        stream.write(header + images.tobytes())
    array, peak = peak_memory(lambda: mnist_module.read_idx(tmp_path / "images.gz"))
    np.testing.assert_array_equal(array, images)
    assert peak < 1.5 * images.nbytes  # the raw bytes and a copy would be 2x
