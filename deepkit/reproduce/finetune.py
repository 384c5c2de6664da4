"""Measurement of fine-tuning on a folder of pictures: ``finetune``.

A real picture set, offline: MNIST's digits 5-9 written out as class folders of PNG files
(``deepkit.image_finetune.digit_folders``), training pictures from MNIST's training set,
held-out ones from its test set. The pretrained base is keras-io's MNIST convnet trained
on all of MNIST's training digits 0-4 (the ``transfer`` recipe's pretraining) and saved
as ``.keras``. Two arms, the same network, pictures, epochs, batch and seed:

- transfer: ``deepkit.image_finetune.run`` on the ``.keras`` file and the folder, as
  ``deepkit finetune`` runs (the base frozen, a new head; the pictures streamed);
- from scratch: the same network from random weights, every layer trained, on the same
  picture stream (``deepkit.image_pipeline.stream``, ``deepkit.training.fit_stream``).

Each is scored on the held-out folder by its saved classifier's predictions.

``finetune(quick, path)`` returns ``results.figure`` dicts (see ``deepkit.reproduce``);
``measure(folder, ...)`` runs the same in a folder that keeps the files (the base, the
pictures, the classifier: ``deepkit predict images`` takes it).
"""

import tempfile
import time
from pathlib import Path

import numpy as np

from deepkit.reproduce.results import figure

# pretrain_epochs None: the transfer recipe's epochs (its batch size either way)
FULL = dict(pretrain_epochs=None, limit=None, per_class=200, held_out=200, epochs=10)
QUICK = dict(pretrain_epochs=1, limit=1200, per_class=20, held_out=10, epochs=1)
BATCH = 32  # deepkit finetune's default
DIGITS = (5, 6, 7, 8, 9)
BASE_FILE = "cnn_digits_0_4.keras"


def accuracy(classifier, folder):
    """The share of the pictures of ``folder`` (an ``ImageFolder``) whose most likely class
    under ``classifier`` is their class folder's name."""
    table = classifier.table(folder.paths, top=1)
    truth = np.asarray(folder.class_names)[np.asarray(folder.labels)]
    return float(np.mean(table["class_1"].to_numpy() == truth))


def pretrain(folder, sizes, path, seed):
    """keras-io's convnet trained on MNIST's digits 0-4 as the ``transfer`` recipe pretrains
    it, saved as ``folder/BASE_FILE``.

    Returns:
        ``(path of the .keras file, test accuracy on 0-4, training images, epochs)``.
    """
    from deepkit import training
    from deepkit.recipes.mnist_classifier import evaluate
    from deepkit.recipes.transfer import Settings
    from deepkit.recipes.transfer.digits import build_model
    from deepkit.recipes.transfer.steps import CLASSES, load_tasks

    recipe = Settings()
    epochs = sizes["pretrain_epochs"] or recipe.epochs
    tasks = load_tasks(sizes["limit"], path)
    model = build_model(seed)
    training.fit(model, *tasks.source, epochs=epochs, batch_size=recipe.batch_size, seed=seed)
    score = evaluate(model, *tasks.source_test, num_classes=CLASSES)[0]
    model.save(folder / BASE_FILE)
    return folder / BASE_FILE, score, len(tasks.source[0]), epochs


def from_scratch(pictures, sizes, seed):
    """The transfer arm's network from random weights, all of it trained on the same stream.

    Returns:
        A ``deepkit.classifier_bundle.ImageClassifier``.
    """
    from deepkit import images
    from deepkit.classifier_bundle import ImageClassifier
    from deepkit.image_pipeline import stream
    from deepkit.recipes.transfer.digits import build_model
    from deepkit.training import fit_stream

    (paths, labels), _ = images.split(pictures, 0.0, seed)
    model = build_model(seed)
    shape = dict(image_size=(28, 28), channels=1, preprocessing="rescale", batch_size=BATCH)
    fit_stream(model, lambda order: stream(paths, labels, order=order, **shape),
               epochs=sizes["epochs"], seed=seed)  # fmt: skip
    return ImageClassifier(model, pictures.class_names, (28, 28), 1, "rescale")


def measure(folder, quick=False, path=None, seed=0):
    """Pretrain, write the pictures, fine-tune and train from scratch, inside ``folder``.

    ``folder`` keeps ``cnn_digits_0_4.keras``, ``pictures/`` and ``held_out/`` (class
    folders of PNG files) and ``classifier/`` (the fine-tuned classifier).

    Args:
        folder: an empty or new folder.
        quick: few epochs and small data (``QUICK``), else ``FULL``.
        path: an MNIST ``.npz`` (default: Keras's cache).
        seed: seeds the pretraining, the pictures drawn, both arms.

    Returns:
        A dict: ``pretrain_accuracy``, ``n_pretrain``, ``pretrain_epochs``,
        ``transfer_accuracy``, ``scratch_accuracy``, ``n_train``, ``n_held_out``, the
        ``sizes`` used, each arm's ``*_seconds``.
    """
    from deepkit import image_finetune
    from deepkit.image_finetune.digit_folders import write_digits

    sizes = QUICK if quick else FULL
    folder = Path(folder)
    base, pretrain_accuracy, n_pretrain, pretrain_epochs = pretrain(folder, sizes, path, seed)
    write = dict(digits=DIGITS, seed=seed, path=path)
    pictures = write_digits(folder / "pictures", per_class=sizes["per_class"], **write)
    held_out = write_digits(folder / "held_out", per_class=sizes["held_out"], test=True, **write)
    tuned = image_finetune.run(
        base=str(base), images=pictures.directory, preprocessing="rescale", dropout=0.5,
        validation_split=0.0, epochs=sizes["epochs"], batch_size=BATCH, seed=seed,
        save_dir=str(folder / "classifier"),
    )  # fmt: skip
    started = time.perf_counter()
    scratch = from_scratch(pictures, sizes, seed)
    return dict(
        pretrain_accuracy=pretrain_accuracy,
        n_pretrain=n_pretrain,
        pretrain_epochs=pretrain_epochs,
        transfer_accuracy=accuracy(tuned.classifier, held_out),
        transfer_seconds=tuned.seconds,
        scratch_accuracy=accuracy(scratch, held_out),
        scratch_seconds=time.perf_counter() - started,
        n_train=len(pictures.paths),
        n_held_out=len(held_out.paths),
        sizes=sizes,
    )


def finetune(quick, path):
    """keras-io's convnet pretrained on MNIST 0-4, fine-tuned by deepkit finetune on PNG folders of 5-9; the same net from scratch.

    Args:
        quick: few epochs and small data: checks that the measurement runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="deepkit_finetune_") as folder:
        m = measure(folder, quick, path)
    seconds = time.perf_counter() - started
    s = m["sizes"]
    pictures = (
        f"MNIST digits 5-9 as 28x28 PNG class folders: {s['per_class']} training pictures "
        f"per digit ({m['n_train']:,}), scored on {s['held_out']} held-out pictures per "
        f"digit from MNIST's test set ({m['n_held_out']:,}); {s['epochs']} epochs, batch "
        f"{BATCH}"
    )
    common = dict(
        command="deepkit reproduce --only finetune" + (" --quick" if quick else ""),
        seeds=(0,),
        seconds=seconds,
    )
    return [
        figure("test accuracy on 0-4, the base", m["pretrain_accuracy"],
               what=f"keras-io convnet pretrained on {m['n_pretrain']:,} MNIST images of 0-4, "
               f"{m['pretrain_epochs']} epochs, saved as .keras", **common),
        figure("held-out accuracy on 5-9, transfer", m["transfer_accuracy"],
               what=f"{pictures}; deepkit finetune: base frozen, new head", **common),
        figure("held-out accuracy on 5-9, from scratch", m["scratch_accuracy"],
               what=f"{pictures}; the same network from random weights, all layers trained "
               "on the same stream", **common),
    ]  # fmt: skip
