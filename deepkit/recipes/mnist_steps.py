"""The MNIST steps every MNIST recipe shares (mnist, cnn, transfer, rnn, dbn, gan):
load and scale the images, fit with early stopping on a carved validation set,
evaluate, plot the mistakes, and ``train_and_evaluate`` composing them into a
``MnistResult``; ``add_common_arguments`` gives the recipes the same options.

``fit`` trains with ``deepkit.training``: ``engine="numpy"`` converts the same
Keras model with ``deepkit.reference.from_keras`` and trains the NumPy twin instead.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from deepkit import training
from deepkit.distribute import STRATEGIES
from deepkit.recipes.checks import check_plot, check_writable, check_writable_folder
from deepkit.validation import InputError, check_choice, check_float, check_int
from deepkit.report import format_confusion_matrix, format_table
from deepkit.training import ENGINES, carve_validation

LEAST_LIMIT = 60


@dataclass
class MnistResult:
    """What a MNIST recipe measured on the test set."""

    network: str
    engine: str
    accuracy: float
    confusion_matrix: np.ndarray
    seconds: float
    epochs: int
    n_train: int
    n_test: int
    history: dict = field(repr=False)
    misclassified: np.ndarray = field(repr=False)
    model: object = field(repr=False)
    plot: str = None

    def report(self):
        rows = [
            ("network", self.network),
            ("engine", self.engine),
            ("train / test images", f"{self.n_train} / {self.n_test}"),
            ("epochs run", self.epochs),
            ("test accuracy", f"{self.accuracy:.4f}"),
            ("errors", f"{len(self.misclassified)} of {self.n_test}"),
            ("training seconds", f"{self.seconds:.1f}"),
            (
                "confusion matrix",
                format_confusion_matrix(
                    self.confusion_matrix, range(self.confusion_matrix.shape[0])
                ),
            ),
        ]
        if self.plot:
            rows.append(("misclassified digits", self.plot))
        return format_table(rows, title=f"MNIST {self.network} ({self.engine})")


def check_arguments(engine, epochs, batch_size, validation_split, patience, limit, seed):
    """The MNIST recipes' shared arguments, checked before any data loads or TensorFlow imports."""
    check_choice(engine, "engine", ENGINES)
    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=1)
    check_float(validation_split, "validation_split", 0.0, 1.0, include_max=False)
    if patience is not None:
        check_int(patience, "patience", min_value=0)
    if limit is not None:
        check_int(limit, "limit", min_value=LEAST_LIMIT)
    check_int(seed, "seed", min_value=0)


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
    (x_train, y_train), (x_test, y_test) = load_mnist(path)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[: max(limit // 6, 10)], y_test[: max(limit // 6, 10)]
    return (x_train, y_train), (x_test, y_test)


def fit(
    model,
    x,
    y,
    *,
    engine,
    epochs,
    batch_size,
    validation_split,
    patience,
    seed,
    verbose,
    **distribution,
):
    """Train ``model`` (Keras) or its NumPy twin, stopping early on validation accuracy.

    ``validation_split`` of ``(x, y)`` is held out at random (``deepkit.training.carve_validation``);
    ``patience=0`` trains all ``epochs``. ``distribution`` (``strategy``,
    ``checkpoint_dir``, ``run_arguments``) goes to ``deepkit.training.fit``.
    Returns ``(trained, history, seconds)``; ``trained`` predicts with ``.predict(x)``.
    """
    (x_fit, y_fit), validation = carve_validation(x, y, validation_split, seed=seed)
    validation = validation if len(validation[0]) else None
    start = time.perf_counter()
    trained, history = training.fit(
        model,
        x_fit,
        y_fit,
        engine=engine,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation,
        patience=patience if validation is not None and patience else None,
        monitor="val_accuracy",
        seed=seed,
        verbose=verbose,
        **distribution,
    )
    return trained, history, time.perf_counter() - start


def evaluate(model, x, y, num_classes=10):
    """``(accuracy, confusion matrix, predicted labels)`` of ``model`` on ``(x, y)``."""
    from sklearn.metrics import confusion_matrix

    predicted = np.asarray(model.predict(x, verbose=0)).argmax(axis=1)
    accuracy = float(np.mean(predicted == y))
    return accuracy, confusion_matrix(y, predicted, labels=range(num_classes)), predicted


def plot_misclassified(images, labels, predicted, path, count=12):
    """Save up to ``count`` misclassified digits to ``path`` as a PNG grid; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wrong = np.flatnonzero(predicted != labels)[:count]
    columns = max(min(len(wrong), 6), 1)
    rows = max(-(-len(wrong) // columns), 1)
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong):
        ax.imshow(images[index], cmap="gray_r")
        ax.set_title(f"#{index}: {labels[index]} as {predicted[index]}", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)


def train_and_evaluate(
    build,
    network,
    *,
    flat,
    engine,
    epochs,
    batch_size,
    validation_split,
    patience,
    limit,
    path,
    seed,
    plot,
    verbose,
    strategy=None,
    checkpoint_dir=None,
    save=None,
    cpu_replicas=1,
):
    """Load, prepare, build with ``build()``, fit, evaluate on the test set; a ``MnistResult``.

    With a ``strategy`` (``deepkit.distribute``) the model is built in its scope
    (``cpu_replicas > 1`` first splits the CPU into that many devices);
    ``checkpoint_dir`` makes the run resumable; ``save`` writes the trained model
    (``.keras``). Every argument and output path is checked before any work."""
    from deepkit.seeding import set_seed

    check_arguments(engine, epochs, batch_size, validation_split, patience, limit, seed)
    if isinstance(strategy, str):
        check_choice(strategy, "strategy", STRATEGIES)
    check_int(cpu_replicas, "cpu_replicas", min_value=1)
    if plot is not None:
        plot = check_plot(plot)
    if save is not None:
        save = check_writable(save, ".keras", "save")
    if checkpoint_dir is not None:
        checkpoint_dir = check_writable_folder(checkpoint_dir, "checkpoint_dir")
    if cpu_replicas > 1:
        from deepkit.distribute import split_cpu

        split_cpu(cpu_replicas)
    run_arguments = {
        "network": network,
        "engine": engine,
        "epochs": epochs,
        "batch_size": batch_size,
        "validation_split": validation_split,
        "patience": patience,
        "limit": limit,
        "path": path,
        "seed": seed,
        "strategy": strategy,
    }
    (x_train, y_train), (x_test, y_test) = load(limit, path)
    set_seed(seed)
    if strategy is not None:
        from deepkit.distribute import get_strategy

        strategy = get_strategy(strategy)
        with strategy.scope():
            model = build()
    else:
        model = build()
    trained, history, seconds = fit(
        model,
        prepare(x_train, flat),
        y_train,
        engine=engine,
        epochs=epochs,
        batch_size=batch_size,
        validation_split=validation_split,
        patience=patience,
        seed=seed,
        verbose=verbose,
        strategy=strategy,
        checkpoint_dir=checkpoint_dir,
        run_arguments=run_arguments,
    )
    if save is not None:
        (trained.to_keras() if engine == "numpy" else trained).save(save)
    accuracy, matrix, predicted = evaluate(trained, prepare(x_test, flat), y_test)
    if plot is not None:
        plot = plot_misclassified(x_test, y_test, predicted, plot)
    return MnistResult(
        network=network,
        engine=engine,
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


def add_common_arguments(parser, epochs, batch_size):
    """The options the MNIST recipes share."""
    parser.add_argument(
        "--engine", choices=ENGINES, default="keras", help="Keras or the NumPy twin"
    )
    parser.add_argument(
        "--epochs", type=int, default=epochs, help="maximum epochs (early stopping may end sooner)"
    )
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument(
        "--validation-split", type=float, default=0.1, help="fraction of training images held out"
    )
    parser.add_argument(
        "--patience", type=int, default=3, help="early-stopping patience in epochs (0: off)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N training images (N/6 test)"
    )
    parser.add_argument(
        "--path", default=None, help="an MNIST .npz or IDX folder instead of Keras's cache"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--plot", default=None, metavar="FILE", help="save misclassified digits to this PNG"
    )
    parser.add_argument("--save", default=None, metavar="FILE", help="save the model (.keras)")
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default=None,
        help="train with tf.distribute (global batch = --batch-size, split over replicas)",
    )
    parser.add_argument(
        "--cpu-replicas",
        type=int,
        default=1,
        help="with --strategy mirrored on a machine without GPUs: split the CPU into N devices",
    )
    parser.add_argument(
        "--checkpoint-dir",
        default=None,
        metavar="DIR",
        help="save every epoch here; rerun the same command to resume after a crash",
    )


def distribution_options(args):
    """The run() keywords of the distribution, checkpoint and save options (see add_common_arguments)."""
    return {
        "strategy": args.strategy,
        "checkpoint_dir": args.checkpoint_dir,
        "save": args.save,
        "cpu_replicas": args.cpu_replicas,
    }
