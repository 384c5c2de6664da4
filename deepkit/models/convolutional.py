"""Convolutional networks: ``mnist_cnn``, keras-io's MNIST convnet.

It expects images of shape (28, 28, 1) with pixels scaled to [0, 1] (see
``deepkit.recipes.mnist_classifier.prepare``), ends in ``Dense(num_classes, softmax)`` and is
compiled with Adam, sparse categorical cross-entropy and accuracy.
"""

import keras

from deepkit.models._checks import (
    check_compile_options,
    check_counts,
    check_learning_rate,
    check_optional_seed,
    check_rate,
)
from deepkit.validation import InputError, check_int


def mnist_cnn(
    *,
    filters=(32, 64),
    kernel_size=3,
    dropout=0.5,
    shift=0.0,
    num_classes=10,
    input_shape=(28, 28, 1),
    learning_rate=1e-3,
    seed=None,
    steps_per_execution=1,
    jit_compile="auto",
):
    """keras-io's MNIST convnet, compiled.

    [Conv2D(f, 3, relu), MaxPooling2D(2)] per ``filters``, Flatten, Dropout(``dropout``),
    Dense(``num_classes``, softmax); Adam(``learning_rate``).

    ``shift > 0`` puts a ``RandomTranslation(shift, shift)`` first: images move by
    up to ``shift`` of their height and width, in training only (Keras turns the
    layer off at inference).

    Args:
        filters: the widths of the convolutions, ints >= 1 (at least one).
        kernel_size: the convolutions' kernel size, an int >= 1 (or a pair).
        dropout: the rate of the dropout before the head, in [0, 1) (0: none).
        shift: the largest random translation, a fraction in [0, 1) (0: none).
        num_classes: the number of classes, an int >= 2.
        input_shape: (height, width, channels), ints >= 1.
        learning_rate: Adam's learning rate, a number > 0.
        seed: an int in [0, 2**32 - 1] seeding every initializer and random
            layer, or None.
        steps_per_execution: passed to ``compile`` (an int >= 1).
        jit_compile: passed to ``compile`` (True, False or "auto").

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        InputError: for any argument out of range, before any layer is built.

    Example:

    ```python
    model = mnist_cnn(seed=0)
    model.fit(x_train[..., None] / 255, y_train, batch_size=128, epochs=15)
    ```
    """
    seed = check_optional_seed(seed)
    dropout = check_rate(dropout, "dropout")
    shift = check_rate(shift, "shift")
    filters = check_counts(filters, "filters")
    if isinstance(kernel_size, (list, tuple)):
        if len(kernel_size) != 2:
            raise InputError(
                f"kernel_size must be an int >= 1 or a pair of them, got {kernel_size!r}"
            )
        kernel_size = tuple(
            check_counts(kernel_size, "kernel_size", "an int >= 1 or a pair of them")
        )
    else:
        kernel_size = check_int(kernel_size, "kernel_size", min_value=1)
    num_classes = check_int(num_classes, "num_classes", min_value=2)
    input_shape = tuple(
        check_counts(input_shape, "input_shape", "(height, width, channels), ints >= 1")
    )
    if len(input_shape) != 3:
        raise InputError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    learning_rate = check_learning_rate(learning_rate)
    steps_per_execution = check_compile_options(steps_per_execution, jit_compile)

    def seeded(offset):
        return None if seed is None else seed + offset

    layers = [keras.Input(shape=tuple(input_shape))]
    if shift > 0:
        layers.append(
            keras.layers.RandomTranslation(
                shift, shift, fill_mode="constant", seed=seeded(100), name="shift"
            )
        )
    for i, width in enumerate(filters):
        layers.append(
            keras.layers.Conv2D(
                width,
                kernel_size,
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed=seeded(i)),
                name=f"conv{i + 1}",
            )
        )
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool{i + 1}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    if dropout > 0:
        layers.append(keras.layers.Dropout(dropout, seed=seeded(101), name="dropout"))
    layers.append(
        keras.layers.Dense(
            num_classes,
            activation="softmax",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seeded(len(filters))),
            name="predictions",
        )
    )
    model = keras.Sequential(layers, name="mnist_cnn")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
    )
    return model
