"""The steps both transfer experiments take: split MNIST into two tasks, train a model as
a checkpoint stage and score it, save the pretrained model.

The source task is digits 0-4, the target task digits 5-9 relabelled 0-4, so a
network pretrained on one has a five-way head of the right size for the other.
"""

import contextlib
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np

from deepkit.recipes.mnist_classifier import evaluate, load, prepare

CLASSES = 5


class Tasks(NamedTuple):
    """The two tasks, each an ``(images, labels)`` pair, training and test."""

    source: tuple
    source_test: tuple
    target: tuple
    target_test: tuple


def split_digits(x, y, low):
    """Images of digits ``low..low+4`` with labels shifted to 0..4.

    Args:
        x: the images (any array with one row per label).
        y: the digit labels.
        low: the first digit kept (0 or 5).

    Returns:
        ``(images, labels)``, the labels int64 in 0..4.

    Example:
        >>> split_digits(np.arange(10), np.arange(10), 5)[1]
        array([0, 1, 2, 3, 4])
    """
    keep = (y >= low) & (y < low + CLASSES)
    return x[keep], (y[keep] - low).astype("int64")


def to_rgb32(x):
    """(n, 28, 28, 1) images -> (n, 32, 32, 3): 2 pixels of zero padding, grey copied to RGB."""
    return np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))), 3, axis=-1)


def load_tasks(limit=None, path=None, rgb=False):
    """MNIST (``deepkit.recipes.mnist_classifier.load``) scaled and split into the two tasks.

    Args:
        limit: keep the first ``limit`` training images (``limit // 6`` test images).
        path: an MNIST ``.npz`` file or IDX folder instead of Keras's cache.
        rgb: give (n, 32, 32, 3) images (``to_rgb32``) instead of (n, 28, 28, 1).

    Returns:
        The ``Tasks``.
    """
    (x_train, y_train), (x_test, y_test) = load(limit, path)
    x_train, x_test = prepare(x_train, flat=False), prepare(x_test, flat=False)
    if rgb:
        x_train, x_test = to_rgb32(x_train), to_rgb32(x_test)
    return Tasks(
        source=split_digits(x_train, y_train, 0),
        source_test=split_digits(x_test, y_test, 0),
        target=split_digits(x_train, y_train, CLASSES),
        target_test=split_digits(x_test, y_test, CLASSES),
    )


def scored_stage(checkpoint, name, model, fit, test, verbose=0):
    """Train ``model`` as the stage ``name`` of ``checkpoint``, then score it on ``test``.

    A stage that finished in an earlier run is restored instead (its weights loaded
    into ``model``, its results read back), and said so when ``verbose``.

    Args:
        checkpoint: a ``deepkit.checkpoints`` checkpoint (``NoCheckpoint`` keeps nothing).
        name: the stage's name.
        model: the stage's model, built and compiled.
        fit: ``fit(stage)`` trains ``model``, passing ``stage`` on as the checkpoint
            of ``deepkit.training.fit``.
        test: the ``(images, labels)`` that score it.
        verbose: Keras's ``verbose``.

    Returns:
        ``{"accuracy": test accuracy, "seconds": training seconds}``.
    """
    stage = checkpoint.stage(name)
    trained = []

    def train(stage):
        start = time.perf_counter()
        fit(stage)
        seconds = time.perf_counter() - start
        trained.append(name)
        return {"accuracy": evaluate(model, *test, num_classes=CLASSES)[0], "seconds": seconds}

    results = stage.run(model, train)
    if verbose and not trained:
        print(f"{name}: finished in an earlier run, restored from {stage.directory}")
    return results


def save_into(save_dir, name, save):
    """Save a file with ``save(path)`` into ``save_dir``, or into a new temporary folder.

    The folder is made only now, when there is something to save, and the folders
    made for it are removed again if the save fails and leaves them empty.

    Args:
        save_dir: a folder (made if absent), or ``None`` for a new temporary one.
        name: the file's name.
        save: writes the file at the path it is given (``model.save``).

    Returns:
        The file's ``Path``.
    """
    if save_dir is None:
        folder = Path(tempfile.mkdtemp(prefix="deepkit_transfer_"))
        made = [folder]
    else:
        folder = Path(save_dir)
        made = [p for p in (folder, *folder.parents) if not p.exists()]
        folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    try:
        save(path)
    except BaseException:
        for made_folder in made:  # innermost first
            with contextlib.suppress(OSError):
                made_folder.rmdir()  # only if empty
        raise
    return path
