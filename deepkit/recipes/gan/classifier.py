"""The judging classifier: the MNIST CNN in whose features the GAN's samples are measured.

A sample measure is only as good as its judge. The Fréchet distance, precision and
recall are computed in the penultimate features of an MNIST classifier, and a weakly
trained classifier has features in which poor digits and good ones look alike: the same
samples can measure far better with it than with a well trained one. So the recipe never
measures with a classifier it cannot name and score:

- by default it uses deepkit's CNN (``deepkit.models.convolutional.mnist_cnn`` with the
  settings' filters and epochs), trained through ``deepkit.training.fit`` as the stage
  "classifier" of the run's checkpoint, and kept in a cache,
  ``$KERAS_HOME/deepkit/mnist_cnn-KEY.keras`` (``~/.keras`` without ``KERAS_HOME``).
  KEY is the start of the SHA-256 of the classifier's identity: the network, its filters,
  epochs, batch size and seed, the SHA-256 of the training images and labels, and
  deepkit's version (``deepkit.__version__``). A run that differs in any of them trains
  its own classifier instead of reusing another's; ``mnist_cnn-KEY.json`` beside the file
  holds the identity in words;
- or it uses the ``.keras`` file the ``classifier`` setting names, identified by its
  SHA-256 (a checkpointed run refuses a file changed since it began);
- either way it scores the classifier on the run's validation images, refuses
  (``refuse_if_weak``) to measure with a classifier below ``min_classifier_accuracy``
  there, and names the file and its accuracy (validation, then test once the GAN is
  chosen) in the report.
"""

import dataclasses
import hashlib
import json
import os
from functools import partial
from pathlib import Path

import numpy as np

from deepkit.validation import InputError

NETWORK = "mnist_cnn"
BATCH_SIZE = 128  # or all the training images, when fewer


def parse_filters(text, name="classifier_filters"):
    """Conv2D filter counts written ``"32,64"``, as a tuple of ints.

    Args:
        text: the counts, comma-separated.
        name: how an error names the setting.

    Returns:
        A tuple of positive ints.

    Raises:
        InputError: for an empty list or a count that is not a positive int.
    """
    parts = [part.strip() for part in str(text).split(",")]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise InputError(
            f"{name} must be positive filter counts separated by commas (e.g. 32,64), got {text!r}"
        )
    return tuple(int(part) for part in parts)


def cache_folder():
    """Where trained classifiers are kept: ``$KERAS_HOME/deepkit`` (``~/.keras/deepkit``).

    Returns:
        A ``Path``, read from the environment at each call.
    """
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "deepkit"


def data_sha256(x, y):
    """SHA-256 of training images and labels: their shapes, types and bytes.

    Args:
        x: the images, an array.
        y: their labels, an array.

    Returns:
        The hex digest.
    """
    digest = hashlib.sha256()
    for array in (np.ascontiguousarray(x), np.ascontiguousarray(y)):
        digest.update(f"{array.shape}{array.dtype.str}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def file_sha256(path):
    """SHA-256 of a file's bytes.

    Args:
        path: the file.

    Returns:
        The hex digest.
    """
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


@dataclasses.dataclass(frozen=True)
class ClassifierFile:
    """Where the judging classifier is, and what made it.

    Attributes:
        path: its ``.keras`` file (in the cache, where it may not exist yet, or given).
        identity: a dict of JSON values naming everything that made it (see the module).
        given: whether the user named the file (else deepkit's CNN, cached).
    """

    path: str
    identity: dict
    given: bool


def locate(x_train, y_train, *, filters, epochs, seed, given=None):
    """The judging classifier's file and identity.

    Args:
        x_train: the uint8 images the CNN trains on.
        y_train: their labels.
        filters: the CNN's Conv2D filter counts.
        epochs: its training epochs.
        seed: seeds its weights, its data order and its dropout.
        given: a ``.keras`` file to use instead of deepkit's CNN, or ``None``.

    Returns:
        A ``ClassifierFile``.

    Example:

    >>> where = locate(x_train, y_train, filters=(32, 64), epochs=3, seed=0)
    >>> where.path
    '/home/me/.keras/deepkit/mnist_cnn-3f9a0c2d51e7b846.keras'
    """
    if given is not None:
        return ClassifierFile(given, {"file": given, "sha256": file_sha256(given)}, True)
    from deepkit import __version__

    identity = {
        "network": NETWORK,
        "filters": list(filters),
        "epochs": epochs,
        "batch_size": min(BATCH_SIZE, len(x_train)),
        "seed": seed,
        "data_sha256": data_sha256(x_train, y_train),
        "deepkit": __version__,
    }
    key = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]
    return ClassifierFile(str(cache_folder() / f"{NETWORK}-{key}.keras"), identity, False)


def build(identity):
    """deepkit's CNN of ``identity``, compiled, its weights drawn from its seed.

    Args:
        identity: a cached classifier's identity (``locate``): filters and seed.

    Returns:
        The compiled ``keras.Sequential`` (``deepkit.models.convolutional.mnist_cnn``).
    """
    from deepkit.models.convolutional import mnist_cnn
    from deepkit.seeding import set_seed

    set_seed(identity["seed"])
    return mnist_cnn(filters=tuple(identity["filters"]), seed=identity["seed"], jit_compile=False)


def obtain(where, x_train, y_train, *, checkpoint=None, verbose=0):
    """The judging classifier, as the stage ``checkpoint`` of a run.

    A finished stage gives back the classifier it kept. Otherwise the given file is
    loaded, or deepkit's CNN is read from the cache, or trained (``deepkit.training.fit``,
    resumable through ``checkpoint``) and then kept in the cache.

    Args:
        where: a ``ClassifierFile`` (``locate``).
        x_train: the uint8 training images.
        y_train: their labels.
        checkpoint: the run's stage for the classifier (``None``: nothing kept).
        verbose: Keras's ``verbose``.

    Returns:
        ``(model, origin)``, ``origin`` one of ``"trained"``, ``"cached"``, ``"given"``.

    Raises:
        InputError: a given or cached file that cannot be loaded.
    """
    from deepkit.checkpoints import NoCheckpoint
    from deepkit.saving import load_keras

    model = load_keras(where.path) if where.given else build(where.identity)
    train = partial(_train_or_load, model, where, x_train, y_train, verbose=verbose)
    results = (checkpoint or NoCheckpoint()).run(model, train)
    return model, results["origin"]


def _train_or_load(model, where, x_train, y_train, stage, verbose=0):
    """The classifier stage's work: nothing for a given file, else the cached weights, else
    training (resumable through ``stage``) and keeping the result in the cache.

    Returns:
        The stage's results: ``{"origin": "given" | "cached" | "trained"}``.
    """
    from deepkit import training
    from deepkit.recipes.mnist_classifier import prepare
    from deepkit.saving import load_keras

    if where.given or os.path.exists(where.path):
        if not where.given:
            model.set_weights(load_keras(where.path).get_weights())
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and not optimizer.built:  # so the stage keeps a whole state
            optimizer.build(model.trainable_variables)
        return {"origin": "given" if where.given else "cached"}
    training.fit(
        model,
        prepare(x_train, flat=False),
        y_train,
        epochs=where.identity["epochs"],
        batch_size=where.identity["batch_size"],
        seed=where.identity["seed"],
        verbose=verbose,
        checkpoint=stage,
    )
    keep(model, where)
    return {"origin": "trained"}


def keep(model, where):
    """Save ``model`` at ``where.path``, its identity beside it, each file written whole.

    Args:
        model: the trained classifier.
        where: its ``ClassifierFile``.
    """
    from deepkit.atomic import atomic_write, write_json_atomic

    path = Path(where.path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(path.with_suffix(".json"), where.identity, indent=1, sort_keys=True)
    with atomic_write(path) as temporary:
        model.save(temporary)


def accuracy_on(model, x_test, y_test):
    """The classifier's accuracy on uint8 held-out images.

    Args:
        model: the classifier.
        x_test: uint8 images (n, 28, 28).
        y_test: their labels.

    Returns:
        A float in [0, 1].
    """
    from deepkit.recipes.mnist_classifier import prepare

    predicted = np.asarray(model.predict(prepare(x_test, flat=False), verbose=0)).argmax(1)
    return float(np.mean(predicted == np.asarray(y_test)))


def refuse_if_weak(path, accuracy, images, minimum):
    """Refuse to measure with a classifier below ``minimum`` accuracy.

    Args:
        path: the classifier's file (named in the error).
        accuracy: its accuracy on held-out images.
        images: those images in words, ``"6000 validation"``.
        minimum: the least accuracy accepted.

    Raises:
        InputError: if ``accuracy < minimum``.
    """
    if accuracy < minimum:
        raise InputError(
            f"the judging classifier {path} scores {accuracy:.4f} on {images} images, "
            f"below min_classifier_accuracy={minimum}: sample measures in its features would "
            "mislead; train it longer (classifier_epochs) or on more images (limit), or "
            "lower min_classifier_accuracy"
        )
