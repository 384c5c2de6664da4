"""Training an MNIST classifier, shared by the mnist, cnn and rnn recipes.

load the images -> scale them -> carve a validation split -> fit (early stopping on the
validation accuracy, deepkit.training) -> score the test set once -> ``MnistResult``.

``MnistSettings`` declares the settings the three recipes share; each recipe adds
its network's own in a subclass.
"""

import dataclasses
import time

import numpy as np

from deepkit import training
from deepkit.distribute import STRATEGIES
from deepkit.recipes.checks import check_plot, check_writable, check_writable_folder
from deepkit.recipes.mnist_result import MnistResult, plot_misclassified
from deepkit.settings import Settings, seed_setting, setting
from deepkit.validation import InputError, check_int

LEAST_LIMIT = 60
# Logical CPU devices are for trying tf.distribute without GPUs; each holds a copy of the
# model and a share of every batch, so more than this only costs memory and time.
MAX_CPU_REPLICAS = 16


def limit_setting():
    """The ``limit`` field of every MNIST recipe: the first N training images, N/6 test."""
    return setting(
        None,
        "use only the first N training images (N/6 test images)",
        kind=int,
        min_value=LEAST_LIMIT,
        metavar="N",
    )


def validation_split_setting(purpose, *, may_be_zero=False):
    """The ``validation_split`` field: the fraction of the training images held out for
    ``purpose``, in (0, 1) (or [0, 1) if ``may_be_zero``)."""
    return setting(
        0.1,
        f"fraction of the training images held out {purpose}",
        min_value=0.0,
        max_value=1.0,
        include_min=may_be_zero,
        include_max=False,
    )


def path_setting():
    """The ``path`` field of every MNIST recipe: a file or folder instead of Keras's cache."""
    return setting(None, "an MNIST .npz file or IDX folder instead of Keras's cache", kind=str)


@dataclasses.dataclass(frozen=True)
class MnistSettings(Settings):
    """The settings every MNIST classifier recipe has."""

    engine: str = training.engine_setting()
    epochs: int = setting(30, "maximum epochs (early stopping may end sooner)", min_value=1)
    batch_size: int = setting(128, "batch size (the global batch with --strategy)", min_value=1)
    validation_split: float = validation_split_setting("for early stopping", may_be_zero=True)
    patience: int = setting(3, "early-stopping patience in epochs (0: off)", min_value=0)
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = seed_setting("seeds the weights, the split and the data order")
    strategy: str = setting(
        None,
        "train with tf.distribute (the batch is split over the replicas)",
        kind=str,
        choices=STRATEGIES,
    )
    cpu_replicas: int = setting(
        1,
        "with --strategy mirrored and no GPU: split the CPU into N devices",
        min_value=1,
        max_value=MAX_CPU_REPLICAS,
    )
    checkpoint_dir: str = setting(
        None,
        "save every epoch here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )
    plot: str = setting(
        None, "save misclassified digits to this PNG", kind=str, metavar="FILE", record=False
    )
    save: str = setting(
        None, "save the trained model (.keras)", kind=str, metavar="FILE", record=False
    )

    def check(self):
        if self.engine == "numpy" and (self.strategy or self.checkpoint_dir):
            raise InputError(
                "strategy and checkpoint_dir train Keras models: use them with engine='keras'"
            )
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot))
        if self.save is not None:
            object.__setattr__(self, "save", check_writable(self.save, ".keras", "save"))
        if self.checkpoint_dir is not None:
            object.__setattr__(
                self, "checkpoint_dir", check_writable_folder(self.checkpoint_dir, "checkpoint_dir")
            )


def prepare(x, flat):
    """uint8 images (n, 28, 28) -> float32 in [0, 1]: rows of 784 if ``flat``, else (n, 28, 28, 1)."""
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise InputError(f"MNIST images must have shape (n, 28, 28), got {x.shape}")
    x = x.astype("float32") / 255.0
    return x.reshape(len(x), -1) if flat else x[..., None]


def load(limit=None, path=None):
    """Full MNIST (or ``path``), keeping the first ``limit`` training and ``limit // 6`` test images."""
    from deepkit.datasets import load_mnist

    if limit is not None:
        check_int(limit, "limit", min_value=LEAST_LIMIT)
    return load_mnist(path, limit=None if limit is None else (limit, max(limit // 6, 10)))


def fit(model, x, y, settings, *, verbose=0, checkpoint=None):
    """Train ``model`` (Keras) or its NumPy reference, stopping early on validation accuracy.

    Args:
        model: a compiled Keras model.
        x: the training images (prepared).
        y: their labels.
        settings: ``MnistSettings``: engine, epochs, batch size, validation split, patience,
            seed, strategy.
        verbose: Keras's ``verbose``.
        checkpoint: a ``deepkit.checkpoints`` checkpoint (Keras only), or ``None``.

    Returns:
        ``(trained, history, seconds)``; ``trained`` predicts with ``.predict(x)``.
    """
    s = settings
    (x_fit, y_fit), validation = carve(x, y, s.validation_split, s.seed)
    options = dict(
        epochs=s.epochs,
        batch_size=s.batch_size,
        validation_data=validation,
        patience=s.patience if validation is not None and s.patience else None,
        monitor="val_accuracy",
        seed=s.seed,
        verbose=verbose,
    )
    start = time.perf_counter()
    if s.engine == "numpy":
        trained, history = training.fit_reference(model, x_fit, y_fit, **options)
    else:
        trained, history = training.fit(
            model, x_fit, y_fit, feed=s.strategy, checkpoint=checkpoint, **options
        )
    return trained, history, time.perf_counter() - start


def carve(x, y, fraction, seed):
    """``(x_fit, y_fit), validation``: ``validation`` is ``None`` when ``fraction`` is 0."""
    (x_fit, y_fit), validation = training.carve_validation(x, y, fraction, seed=seed)
    return (x_fit, y_fit), (validation if len(validation[0]) else None)


def evaluate(model, x, y, num_classes=10):
    """``(accuracy, confusion matrix, predicted labels)`` of ``model`` on ``(x, y)``."""
    from sklearn.metrics import confusion_matrix

    predicted = np.asarray(model.predict(x, verbose=0)).argmax(axis=1)
    accuracy = float(np.mean(predicted == y))
    return accuracy, confusion_matrix(y, predicted, labels=range(num_classes)), predicted


def steps_per_epoch(n_train, settings):
    """Optimizer steps in one epoch: ceil(fitted images / batch size), the validation
    images carved off first (a learning-rate schedule is laid out in steps)."""
    n_fit = n_train - training.validation_size(n_train, settings.validation_split)
    return -(-n_fit // settings.batch_size)


def build_in_scope(build, settings):
    """``build()``, inside the settings' tf.distribute strategy's scope if it has one."""
    if settings.strategy is None:
        return build()
    from deepkit.distribute import get_strategy, split_cpu

    if settings.cpu_replicas > 1:
        split_cpu(settings.cpu_replicas)
    with get_strategy(settings.strategy).scope():
        return build()


def train_and_evaluate(build, network, settings, *, prepare_images, verbose=0):
    """Load, prepare, build, fit, evaluate on the test set once.

    Args:
        build: makes the compiled Keras model from the number of optimizer steps per
            epoch (``steps_per_epoch``, for learning-rate schedules).
        network: the network's name in the report.
        settings: the recipe's ``MnistSettings``.
        prepare_images: uint8 images -> the model's inputs.
        verbose: Keras's ``verbose``.

    Returns:
        A ``MnistResult``. A finished checkpoint folder gives back its run's result
        without training again.
    """
    from deepkit.checkpoints import Checkpoint
    from deepkit.seeding import set_seed

    s = settings
    (x_train, y_train), (x_test, y_test) = load(s.limit, s.path)
    set_seed(s.seed)
    model = build_in_scope(lambda: build(steps_per_epoch(len(x_train), s)), s)
    checkpoint = Checkpoint.open(s.checkpoint_dir, {**s.record(), "network": network})

    x_fit = prepare_images(x_train)
    if s.engine == "numpy":
        trained, history, seconds = fit(model, x_fit, y_train, s, verbose=verbose)
    else:

        def train(stage):
            _, history, seconds = fit(model, x_fit, y_train, s, verbose=verbose, checkpoint=stage)
            return {"history": history, "seconds": seconds}

        trained, outcome = model, checkpoint.run(model, train)
        history, seconds = outcome["history"], outcome["seconds"]
    if s.save is not None:
        (trained.to_keras() if s.engine == "numpy" else trained).save(s.save)
    accuracy, matrix, predicted = evaluate(trained, prepare_images(x_test), y_test)
    plot = None
    if s.plot is not None:
        plot = plot_misclassified(x_test, y_test, predicted, s.plot)
    return MnistResult(
        network=network,
        engine=s.engine,
        accuracy=accuracy,
        confusion_matrix=matrix,
        seconds=seconds,
        epochs=len(next(iter(history.values()))),
        n_train=len(x_train),
        n_test=len(x_test),
        history=history,
        misclassified=np.flatnonzero(predicted != y_test),
        model=trained,
        plot=plot,
    )
