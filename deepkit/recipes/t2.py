"""Tutorial T2, "Building a neural network from scratch": a sigmoid net on digits, on the NumPy reference.

    from deepkit.recipes import t2
    print(t2.run().report())

Data: T2 trains on the 5,000 20x20 digits of an online course, which are not
public. scikit-learn's real handwritten digits (1,797 images of 8x8 = 64
pixels, grey levels 0..16, scaled here to [0, 1]) stand in for them, so the
network is 64-25-10 instead of 400-25-10. A stratified 20% is held out.

T2's configuration, kept: sigmoid hidden and output layers; weights uniform in
[-eps, eps] with eps = sqrt(6) / sqrt(L_in + L_out) (T2 wrote ``6**1/2``, which
is 3; done right this is Keras's glorot_uniform); biases ~ Normal(0, 1);
full-batch gradient descent on the cost
J = (1/m) sum_samples sum_classes -y log(a) - (1 - y) log(1 - a).
Keras's binary_crossentropy averages over the 10 classes instead of summing,
so J = 10 x binary_crossentropy, and a learning rate alpha on J is 10 alpha on
Keras's loss. T2's bugs, fixed: the update is w -= alpha dJ/dw (T2 assigned
w = alpha * gradient, with the delta's sign inverted), accuracy is argmax
accuracy on held-out data.

Why T2's "accuracy 100%" was an artefact: T2 counted a sample correct when any
output >= 0.5 coincided with a 1 in its target, measured on the training data.
An output layer that says "yes" to many classes scores high on that count
without classifying anything. The report prints that count beside the real
accuracy. T2's learning rate 0.003 for 20 epochs barely moves the weights, so a
second, ordinary setting (stated in the report, not tuned) is trained as well.
"""

import dataclasses
import math
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from deepkit.report import format_grid
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting

FAITHFUL = {"learning_rate": 0.003, "epochs": 20}
SENSIBLE = {"learning_rate": 1.0, "epochs": 2000}
NUM_CLASSES = 10
CLAIM = "accuracy 100% (on the training data, by its any-output >= 0.5 count)"


@dataclass
class T2Run:
    """One training run: its setting and what it measured (accuracies are fractions)."""

    setting: str
    learning_rate: float
    epochs: int
    cost_before: float
    cost_after: float
    train_accuracy: float
    test_accuracy: float
    tutorial_count: float
    seconds: float
    model: object = field(repr=False)


@dataclass
class T2Result:
    n_train: int
    n_test: int
    runs: list

    def report(self):
        header = [
            "setting",
            "lr on J",
            "epochs",
            "cost J before -> after",
            "train acc",
            "held-out acc",
            "T2's count (train)",
        ]
        rows = [
            [
                run.setting,
                run.learning_rate,
                run.epochs,
                f"{run.cost_before:.4f} -> {run.cost_after:.4f}",
                f"{100 * run.train_accuracy:.2f}%",
                f"{100 * run.test_accuracy:.2f}%",
                f"{100 * run.tutorial_count:.2f}%",
            ]
            for run in self.runs
        ]
        title = (
            f"Tutorial T2: 64-25-10 sigmoid net, full-batch gradient descent, "
            f"scikit-learn digits ({self.n_train} train / {self.n_test} held out)"
        )
        notes = (
            "scikit-learn's 8x8 digits stand in for T2's 20x20 course digits (not public). "
            "acc = argmax accuracy.\nT2's count = share of samples with some output >= 0.5 "
            "where the target is 1 (T2's metric). T2's claim: " + CLAIM + "."
        )
        return format_grid(header, rows, title=title) + "\n" + notes


def load(test_size, seed):
    """Digits scaled to [0, 1] with a stratified held-out split:
    ``(x_train, x_test, y_train, y_test)``, labels as integers 0..9."""
    from sklearn.model_selection import train_test_split

    from deepkit.datasets import load_digits

    x, y = load_digits()
    return train_test_split(x / 16.0, y, test_size=test_size, stratify=y, random_state=seed)


def epsilon(fan_in, fan_out):
    """T2's initialization range, done right: sqrt(6) / sqrt(L_in + L_out)."""
    return math.sqrt(6) / math.sqrt(fan_in + fan_out)


def t2_network(learning_rate, n_inputs=64, n_hidden=25, seed=0):
    """The n_inputs-25-10 sigmoid net as a reference model, compiled for gradient descent on J."""
    from deepkit import reference as ref
    from deepkit.reference.initializers import RandomNormal, RandomUniform
    from deepkit.reference.optimizers import SGD

    def uniform(fan_in, fan_out):
        eps = epsilon(fan_in, fan_out)
        return RandomUniform(-eps, eps)

    biases = RandomNormal(0.0, 1.0)
    model = ref.Sequential(
        [
            ref.Input((n_inputs,)),
            ref.Dense(
                n_hidden,
                activation="sigmoid",
                kernel_initializer=uniform(n_inputs, n_hidden),
                bias_initializer=biases,
            ),
            ref.Dense(
                NUM_CLASSES,
                activation="sigmoid",
                kernel_initializer=uniform(n_hidden, NUM_CLASSES),
                bias_initializer=biases,
            ),
        ],
        name="t2",
        seed=seed,
        dtype="float64",
    )
    model.build()
    # J = NUM_CLASSES * binary_crossentropy, so alpha on J is NUM_CLASSES * alpha on Keras's loss.
    model.compile(
        optimizer=SGD(learning_rate=learning_rate * NUM_CLASSES), loss="binary_crossentropy"
    )
    return model


def tutorial_count(outputs, targets):
    """T2's "accuracy": the share of samples with some output >= 0.5 where the target is 1."""
    return float(np.mean(np.any((outputs >= 0.5) & (targets == 1), axis=1)))


def train(setting, learning_rate, epochs, data, seed, verbose=0):
    """Full-batch gradient descent on J for ``epochs`` steps; a ``T2Run``
    (``verbose``: the NumPy reference's Keras-style progress)."""
    from threadpoolctl import threadpool_limits

    x_train, x_test, y_train, y_test = data
    targets = np.eye(NUM_CLASSES)[y_train]
    model = t2_network(learning_rate, n_inputs=x_train.shape[1], seed=seed)

    def cost():
        return NUM_CLASSES * model.evaluate(x_train, targets, batch_size=len(x_train), verbose=0)

    before = cost()
    start = time.perf_counter()
    with threadpool_limits(
        limits=1, user_api="blas"
    ):  # products of this size gain nothing from threads
        model.fit(
            x_train,
            targets,
            batch_size=len(x_train),
            epochs=epochs,
            shuffle=False,
            verbose=verbose,
        )
    seconds = time.perf_counter() - start
    train_outputs = model.predict(x_train, batch_size=len(x_train))
    return T2Run(
        setting=setting,
        learning_rate=learning_rate,
        epochs=epochs,
        cost_before=before,
        cost_after=cost(),
        train_accuracy=float(np.mean(train_outputs.argmax(axis=1) == y_train)),
        test_accuracy=float(np.mean(model.predict(x_test).argmax(axis=1) == y_test)),
        tutorial_count=tutorial_count(train_outputs, targets),
        seconds=seconds,
        model=model,
    )


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """The sensible run's learning rate and steps (T2's own run is fixed), the split, the seed."""

    # T2's update is the mean over the 10 outputs, so SGD runs at 10 x learning_rate
    learning_rate: float = setting(
        SENSIBLE["learning_rate"],
        "learning rate on J of the sensible run (T2's run uses 0.003)",
        min_value=0.0,
        max_value=sys.float_info.max / NUM_CLASSES,
        include_min=False,
    )
    epochs: int = setting(
        SENSIBLE["epochs"],
        "full-batch steps of the sensible run (T2's run uses 20)",
        min_value=1,
    )
    test_size: float = setting(
        0.2, "held-out fraction", min_value=0.0, max_value=1.0, include_min=False, include_max=False
    )
    seed: int = seed_setting("seeds the split and the initial weights")


def run(settings=None, /, *, verbose=0, **overrides):
    """Train T2's faithful setting (lr 0.003, 20 epochs) and a sensible one from the same
    initial weights.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: shows each run's progress as Keras's ``fit`` does.
        **overrides: settings to change, by name (``run(learning_rate=0.5)``).

    Returns:
        A ``T2Result``.
    """
    s = Settings.resolve(settings, overrides)
    learning_rate, epochs, test_size, seed = s.learning_rate, s.epochs, s.test_size, s.seed
    data = load(test_size, seed)
    runs = [
        train("T2's (faithful)", seed=seed, data=data, verbose=verbose, **FAITHFUL),
        train("sensible", learning_rate, epochs, data, seed, verbose),
    ]
    return T2Result(n_train=len(data[0]), n_test=len(data[1]), runs=runs)
