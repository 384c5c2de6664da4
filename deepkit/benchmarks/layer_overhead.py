"""What BatchNormalization and a merge layer add to a model's training step.

The MNIST CNN's shape (Conv2D 32 -> MaxPooling2D -> Conv2D 64 -> MaxPooling2D ->
Dense 10) is trained by ``train_on_batch`` as it is ("plain"), with a
BatchNormalization between each convolution and its ReLU ("batch norm"), and with an
``Add`` of the second convolution's output to itself ("add"). Each variant's step is
timed on Keras and on its NumPy reference (``from_keras``), one after the other in this
process, after a warm-up step; the figure is each variant's median step over the plain
one's, on the same engine.
"""

from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import check_int

VARIANTS = ("plain", "batch norm", "add")


def cnn(variant, seed=0):
    """The compiled Keras CNN of ``variant`` (one of ``VARIANTS``)."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    norm = variant == "batch norm"

    def convolution(x, filters, padding):
        x = layers.Conv2D(filters, 3, padding=padding, activation=None if norm else "relu")(x)
        return layers.Activation("relu")(layers.BatchNormalization()(x)) if norm else x

    inputs = keras.Input((28, 28, 1))
    x = layers.MaxPooling2D()(convolution(inputs, 32, "valid"))
    x = convolution(x, 64, "same")
    if variant == "add":
        x = layers.Add()([x, x])
    x = layers.Dense(10, activation="softmax")(layers.Flatten()(layers.MaxPooling2D()(x)))
    model = keras.Model(inputs, x, name=variant.replace(" ", "_"))
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


@dataclass
class Overhead:
    """Median step seconds per engine ("Keras", "NumPy") and variant."""

    seconds: dict
    batch: int
    repeats: int

    def share(self, engine, variant):
        """The variant's step over the plain step on ``engine``."""
        return self.seconds[engine][variant] / self.seconds[engine]["plain"]

    def report(self):
        rows = [
            [variant]
            + [f"{1e3 * self.seconds[e][variant]:.1f}" for e in ("Keras", "NumPy")]
            + [f"{self.share(e, variant):.2f}x" for e in ("Keras", "NumPy")]
            for variant in VARIANTS
        ]
        return format_grid(
            ["MNIST CNN", "Keras ms", "NumPy ms", "Keras / plain", "NumPy / plain"],
            rows,
            title=f"a training step with BatchNormalization or Add, batch {self.batch}, "
            f"median of {self.repeats}",
        )


def benchmark(batch=128, repeats=15, seed=0):
    """``Overhead`` of each variant on both engines, on one batch of random images."""
    from deepkit.benchmarks.timing import step_seconds
    from deepkit.reference import from_keras

    check_int(batch, "batch", min_value=1)
    check_int(repeats, "repeats", min_value=1)
    rng = np.random.default_rng(seed)
    x = rng.random((batch, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    seconds = {"Keras": {}, "NumPy": {}}
    for variant in VARIANTS:
        model = cnn(variant, seed)
        reference = from_keras(model, seed=seed)
        seconds["Keras"][variant] = step_seconds(model, x, y, repeats)
        seconds["NumPy"][variant] = step_seconds(reference, x, y, repeats)
    return Overhead(seconds, batch, repeats)
