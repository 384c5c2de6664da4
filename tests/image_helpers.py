"""Helpers of the tests of fine-tuning on a folder of pictures.

Pictures are scikit-learn's 8x8 digits, upscaled to 32x32 grey PNGs; the base is a
tiny CNN pretrained on other digits and saved as ``.keras``::

    write_digits(tmp_path / "pictures", digits=(0, 1, 2), per_class=30)
    held_out = write_digits(tmp_path / "new", digits=(0, 1, 2), per_class=10, start=30)
    base = tiny_base(tmp_path / "base.keras")
"""

import functools

import numpy as np

SIZE = 32


@functools.lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    # 0-16 grey levels, each pixel repeated 4x4 times: 32x32 pictures in 0-255
    images = np.kron(digits.images, np.ones((4, 4))) * (255 / 16)
    return images.round().astype("uint8"), digits.target


def write_png(path, size=(SIZE, SIZE), mode="L", value=0):
    """A plain picture of ``size`` (width, height) at ``path`` (folders made); its path."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)
    return path


def write_digits(folder, digits=(0, 1, 2), per_class=20, start=0, flat=False):
    """PNGs of ``per_class`` pictures of each digit, from the ``start``-th of its kind.

    Args:
        folder: where to write: ``folder/<digit>/<i>.png``, or ``folder/<digit>_<i>.png``
            with ``flat``.
        digits: the classes.
        per_class: pictures per class.
        start: skip the first ``start`` pictures of each digit (held-out pictures).
        flat: all pictures in ``folder`` itself.

    Returns:
        ``[(path, digit)]`` of the pictures written.
    """
    from PIL import Image

    images, target = _digits()
    written = []
    for digit in digits:
        rows = np.flatnonzero(target == digit)[start : start + per_class]
        for index in rows:
            name = f"{digit}_{index}.png" if flat else f"{digit}/{index}.png"
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(images[index], mode="L").save(path)
            written.append((path, digit))
    return written


def tiny_base(path, digits=tuple(range(3, 10)), epochs=8, seed=0):
    """A small CNN on 32x32 grey pictures (0-255), pretrained on ``digits``, saved at ``path``.

    Rescaling -> Conv(16, stride 2) -> BatchNormalization -> Conv(32, stride 2) ->
    Flatten -> Dense(32) -> Dense(softmax): its features are the Dense(32)'s. The
    BatchNormalization's momentum is 0.9, so that its moving statistics, which the frozen
    base uses, settle within the short pretraining.
    """
    import keras

    images, target = _digits()
    rows = np.isin(target, digits)
    x = images[rows][..., None].astype("float32")
    y = np.searchsorted(np.asarray(digits), target[rows])
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((SIZE, SIZE, 1)),
            keras.layers.Rescaling(1 / 255, name="rescale"),
            keras.layers.Conv2D(16, 3, strides=2, activation="relu", name="conv1"),
            keras.layers.BatchNormalization(momentum=0.9, name="bn"),
            keras.layers.Conv2D(32, 3, strides=2, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(32, activation="relu", name="features"),
            keras.layers.Dense(len(digits), activation="softmax", name="old_head"),
        ],
        name="tiny_base",
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    model.save(path)
    return path
