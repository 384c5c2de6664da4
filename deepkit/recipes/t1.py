"""Tutorial T1, "A simple ANN in Python": MNIST from scratch, on the NumPy reference.

    from deepkit.recipes import t1
    result = t1.run(epochs=50)            # T1's 5,000 images, 70/15/15 split
    result = t1.run(split="full")         # the same network on 60,000 / 10,000
    result = t1.run(init="xavier")        # T1's Xavier snippet instead of Normal(0, 0.1)
    print(result.report())

T1's configuration, kept: binarized pixels (any non-zero pixel is 1), one-hot
labels, layers [784, 32, 10], weights ~ Normal(0, 0.1), zero biases, learning
rate 0.05, per-sample SGD (batch size 1) reshuffled every epoch, argmax accuracy.
T1's bugs, fixed: no ReLU on the output layer (softmax only, computed
max-shifted), the output delta is the softmax cross-entropy delta p - y (not
multiplied by a ReLU derivative), and the validation set is never trained on.
T1 claims "accuracy up to 97% (50 epochs)"; the report prints what was measured
beside it.

T1 also shows Xavier initialisation, ``randn(y, x) * sqrt(2 / (x + y))`` for a layer of
x inputs and y outputs: Normal(0, sqrt(2 / (fan_in + fan_out))), a standard deviation of
0.0495 for the 784-32 layer and 0.218 for the 32-10 one (T1's snippet used 64 hidden
units; ``init="xavier"`` keeps 32 so that only the initialisation changes).
"""

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from deepkit.report import format_table
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting
from deepkit.validation import InputError, check_choice, check_int

CLAIM = "up to 97% (50 epochs)"
SPLITS = ("tutorial", "full")
# T1's initial weights: its code's Normal(0, 0.1), or its Xavier snippet's
# Normal(0, sqrt(2 / (fan_in + fan_out))); biases zero in both.
INITS = {"tutorial": "Normal(0, 0.1)", "xavier": "Xavier, Normal(0, sqrt(2 / (fan_in + fan_out)))"}
N_SAMPLES = 5000  # T1 kept 5,000 of MNIST's 70,000 images
FIXES = (
    "no ReLU on the output (softmax only, max-shifted)",
    "output delta p - y (softmax + cross-entropy)",
    "validation set not trained on",
)


@dataclass
class T1Result:
    """Accuracies of T1's network; ``test_accuracy`` lists the test accuracy after each epoch."""

    split: str
    init: str
    epochs: int
    n_train: int
    n_validation: int
    n_test: int
    test_accuracy: list
    validation_accuracy: list
    seconds: float
    history: dict = field(repr=False)
    model: object = field(repr=False)

    def report(self):
        shown = sorted({e for e in (1, 5, 10, 20, 50, self.epochs) if e <= self.epochs})
        rows = [
            (
                "data",
                f"{self.n_train} train / {self.n_validation} validation / "
                f"{self.n_test} test images ({self.split} split), binarized",
            ),
            ("network", f"784-32-10, ReLU hidden, softmax output, {INITS[self.init]} weights"),
            (
                "training",
                f"per-sample SGD (batch 1), lr 0.05, {self.epochs} epochs, "
                f"{self.seconds:.1f} s on the NumPy reference",
            ),
            ("T1's bugs fixed", "\n".join(FIXES)),
        ]
        for epoch in shown:
            accuracy = f"{100 * self.test_accuracy[epoch - 1]:.2f}%"
            if self.validation_accuracy:
                accuracy += f"   (validation {100 * self.validation_accuracy[epoch - 1]:.2f}%)"
            rows.append((f"test accuracy, epoch {epoch}", accuracy))
        rows.append(
            (
                "train accuracy, last epoch",
                f"{100 * self.history['accuracy'][-1]:.2f}%   (running mean during the epoch)",
            )
        )
        rows.append(("T1's claim", CLAIM))
        return format_table(rows, title="Tutorial T1: a simple ANN on MNIST, from scratch")


def binarize(images):
    """uint8 images (n, 28, 28) -> float32 rows (n, 784): 1 where a pixel is non-zero, else 0."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise InputError(f"MNIST images must have shape (n, 28, 28), got {images.shape}")
    return (images.reshape(len(images), -1) > 0).astype("float32")


def one_hot(labels, num_classes=10):
    """Integer labels (n,) -> float32 one-hot rows (n, num_classes)."""
    return np.eye(num_classes, dtype="float32")[labels]


def tutorial_split(images, labels, n_samples, seed):
    """T1's data: shuffle all images, keep ``n_samples``, split 70% / 15% / 15%.

    Returns ``(train, validation, test)``, each a pair (images, labels)."""
    n_samples = check_int(n_samples, "n_samples", min_value=20, max_value=len(images))
    keep = np.random.default_rng(seed).permutation(len(images))[:n_samples]
    n_train, n_validation = int(0.7 * n_samples), int(0.15 * n_samples)
    parts = np.split(keep, [n_train, n_train + n_validation])
    return tuple((images[part], labels[part]) for part in parts)


def load(split, n_samples, path, seed):
    """``(train, validation, test)`` pairs of (images, labels); validation is None for "full"."""
    from deepkit.datasets import load_mnist

    if split not in SPLITS:
        raise InputError(f"split must be one of {SPLITS}, got {split!r}")
    if split == "tutorial":
        check_int(n_samples, "n_samples", min_value=20)
    (x_train, y_train), (x_test, y_test) = load_mnist(path)
    if split == "full":
        return (x_train, y_train), None, (x_test, y_test)
    # T1 used "MNIST original": all 70,000 images in one pool.
    images, labels = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
    return tutorial_split(images, labels, n_samples, seed)


def t1_network(seed=0, init="tutorial"):
    """T1's [784, 32, 10] network as a compiled reference model (its bugs fixed, see the module).

    Args:
        seed: seeds the initial weights.
        init: ``"tutorial"``, weights ~ Normal(0, 0.1); or ``"xavier"``, weights ~
            Normal(0, sqrt(2 / (fan_in + fan_out))) (T1's ``randn(y, x) * sqrt(2 / (x + y))``).

    Returns:
        A compiled ``deepkit.reference.Sequential``.
    """
    from deepkit import reference as ref
    from deepkit.reference.initializers import RandomNormal, VarianceScaling
    from deepkit.reference.optimizers import SGD

    check_choice(init, "init", INITS)
    kernel = (
        RandomNormal(mean=0.0, stddev=0.1)
        if init == "tutorial"
        else VarianceScaling(1.0, "fan_avg", "untruncated_normal")
    )
    model = ref.Sequential(
        [
            ref.Input((784,)),
            ref.Dense(32, activation="relu", kernel_initializer=kernel),
            ref.Dense(10, activation="softmax", kernel_initializer=kernel),
        ],
        name="t1",
        seed=seed,
    )
    model.build()
    model.compile(
        optimizer=SGD(learning_rate=0.05), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def accuracy(model, x, labels):
    """Argmax accuracy (a fraction) of ``model`` on binarized ``x``."""
    return float(np.mean(model.predict(x, batch_size=1000).argmax(axis=1) == labels))


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """T1's run: the data split, the epochs, the images kept."""

    split: str = setting(
        "tutorial",
        "T1's 5,000 images split 70/15/15, or the full 60,000/10,000",
        choices=SPLITS,
    )
    epochs: int = setting(
        5, "epochs of per-sample SGD (T1's code uses 5; its claim 50)", min_value=1
    )
    n_samples: int = setting(
        None,
        "images kept for the tutorial split (T1: 5,000)",
        kind=int,
        min_value=20,
        metavar="N",
    )
    init: str = setting(
        "tutorial",
        "initial weights: T1's Normal(0, 0.1), or its Xavier snippet's "
        "Normal(0, sqrt(2 / (fan_in + fan_out)))",
        choices=tuple(INITS),
    )
    path: str = setting(None, "an MNIST .npz file or IDX folder instead of Keras's cache", kind=str)
    seed: int = seed_setting("seeds the split, the weights and the shuffling")

    def check(self):
        if self.split == "full" and self.n_samples is not None:
            raise InputError(
                "n_samples applies to the tutorial split only; split 'full' uses all 70,000 images"
            )


def run(settings=None, /, *, verbose=0, **overrides):
    """Train T1's network with per-sample SGD on the NumPy reference.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: the progress bar's ``verbose``.
        **overrides: settings to change, by name (``run(epochs=50)``).

    Returns:
        A ``T1Result`` with the test accuracy after every epoch.
    """
    from threadpoolctl import threadpool_limits

    from deepkit.reference import Callback

    s = Settings.resolve(settings, overrides)
    split, epochs, seed = s.split, s.epochs, s.seed
    train, validation, test = load(split, s.n_samples or N_SAMPLES, s.path, seed)
    x_train, x_test = binarize(train[0]), binarize(test[0])
    x_validation = None if validation is None else binarize(validation[0])
    model = t1_network(seed, s.init)
    test_accuracy, validation_accuracy = [], []

    class RecordAccuracy(Callback):
        def on_epoch_end(self, epoch, logs=None):
            test_accuracy.append(accuracy(model, x_test, test[1]))
            if validation is not None:
                validation_accuracy.append(accuracy(model, x_validation, validation[1]))

    start = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):  # one-sample products are too small to share
        history = model.fit(
            x_train,
            one_hot(train[1]),
            batch_size=1,
            epochs=epochs,
            shuffle=True,
            callbacks=[RecordAccuracy()],
            verbose=verbose,
        )
    seconds = time.perf_counter() - start
    return T1Result(
        split=split,
        init=s.init,
        epochs=epochs,
        n_train=len(x_train),
        n_validation=0 if validation is None else len(x_validation),
        n_test=len(x_test),
        test_accuracy=test_accuracy,
        validation_accuracy=validation_accuracy,
        seconds=seconds,
        history=history.history,
        model=model,
    )
