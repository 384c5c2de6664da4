"""MNIST digits written as PNG class folders: the pictures drawn by seed, their pixels as
MNIST stores them, the same arguments writing the same files, bad requests refused before
anything is written."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deepkit.datasets import load_mnist
from deepkit.image_finetune.digit_folders import write_digits
from deepkit.validation import InputError

SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*.png"))


def test_each_digit_gets_its_pictures_as_mnist_stores_them(tmp_path):
    written = write_digits(tmp_path / "a", digits=(7, 5), per_class=4, path=SUBSET)
    assert written.class_names == ("5", "7") and written.counts() == {"5": 4, "7": 4}
    (x, y), (x_test, y_test) = load_mnist(SUBSET)
    for path, label in zip(written.paths, written.labels):
        row = int(Path(path).stem)
        assert y[row] == int(written.class_names[label])
        np.testing.assert_array_equal(np.asarray(Image.open(path)), x[row])
    held_out = write_digits(tmp_path / "t", digits=(5, 7), per_class=3, test=True, path=SUBSET)
    rows = [int(Path(p).stem) for p in held_out.paths]
    assert [str(d) for d in y_test[rows]] == ["5"] * 3 + ["7"] * 3


def test_the_same_seed_writes_the_same_files_and_another_seed_others(tmp_path):
    same = [_files(write_digits(tmp_path / str(i), per_class=5, path=SUBSET).directory)
            for i in range(2)]  # fmt: skip
    other = _files(write_digits(tmp_path / "other", per_class=5, seed=1, path=SUBSET).directory)
    assert same[0] == same[1] and same[0] != other and len(other) == 25


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(digits=(5,)), "at least two distinct digits 0-9"),
        (dict(digits=(5, 10)), "at least two distinct digits 0-9"),
        (dict(per_class=0), "per_class"),
        (dict(per_class=10_000), "per_class=10000: MNIST's training set holds"),
    ],
)
def test_bad_requests_are_refused_before_anything_is_written(tmp_path, options, message):
    with pytest.raises(InputError, match=message):
        write_digits(tmp_path / "new", path=SUBSET, **options)
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())


def test_a_folder_holding_files_is_refused(tmp_path):
    (tmp_path / "old.png").write_bytes(b"")
    with pytest.raises(InputError, match="not an empty folder"):
        write_digits(tmp_path, path=SUBSET)
