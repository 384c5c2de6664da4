"""MNIST digits written out as a folder of PNG pictures, one sub-folder per digit: a real
picture set on disk and offline, to try and to measure ``deepkit finetune`` on.

    write_digits("pictures", digits=(5, 6, 7, 8, 9), per_class=200, seed=0)
    write_digits("held_out", digits=(5, 6, 7, 8, 9), per_class=200, test=True)

Each digit's ``per_class`` pictures are drawn without replacement, by ``seed``, from
MNIST's training set (its test set with ``test=True``, so the two folders never share a
picture) and written as ``<digit>/<row>.png``: the 28x28 grey pixels as MNIST stores
them (0-255), ``row`` the picture's row in its set. The same arguments write the same
files. MNIST comes from ``deepkit.datasets.load_mnist`` (a ``path``, else Keras's cache).
"""

from pathlib import Path

import numpy as np

from deepkit.validation import InputError, check_int


def write_digits(directory, *, digits=(5, 6, 7, 8, 9), per_class=200, test=False, seed=0,
                 path=None):  # fmt: skip
    """Write ``per_class`` MNIST pictures of each of ``digits`` as PNG class folders.

    Args:
        directory: the folder to write (made if absent; it must hold nothing yet).
        digits: the classes, at least two distinct digits 0-9.
        per_class: the pictures of each digit.
        test: draw from MNIST's test set instead of its training set.
        seed: seeds the draw.
        path: an MNIST ``.npz`` or IDX folder instead of Keras's cache.

    Returns:
        The written folder as ``deepkit.images.scan`` lists it (an ``ImageFolder``).

    Raises:
        InputError: bad digits, a folder that already holds files, or more pictures
            asked of a digit than its MNIST set holds, before anything is written.

    Example:
        >>> write_digits("pictures", digits=(5, 6), per_class=3).counts()
        {'5': 3, '6': 3}
    """
    from PIL import Image

    from deepkit import images
    from deepkit.datasets import load_mnist

    digits = tuple(digits)
    if len(set(digits)) < 2 or not all(isinstance(d, int) and 0 <= d <= 9 for d in digits):
        raise InputError(f"digits must be at least two distinct digits 0-9, got {digits}")
    check_int(per_class, "per_class", min_value=1)
    root = Path(directory).expanduser()
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise InputError(f"{directory}: not an empty folder; give a new one")
    x, y = load_mnist(path)[1 if test else 0]
    rng = np.random.default_rng(seed)
    chosen = {}
    for digit in digits:
        rows = np.flatnonzero(y == digit)
        if len(rows) < per_class:
            split = "test" if test else "training"
            raise InputError(
                f"per_class={per_class}: MNIST's {split} set holds {len(rows)} pictures of {digit}"
            )
        chosen[digit] = np.sort(rng.choice(rows, per_class, replace=False))
    for digit, rows in chosen.items():
        folder = root / str(digit)
        folder.mkdir(parents=True, exist_ok=True)
        for row in rows:
            Image.fromarray(x[row]).save(folder / f"{row}.png")  # uint8 (28, 28): grey
    return images.scan(root)
