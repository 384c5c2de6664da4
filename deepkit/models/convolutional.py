"""Convolutional networks: ``mnist_cnn``, keras-io's MNIST convnet.

It expects images of shape (28, 28, 1) with pixels scaled to [0, 1] (see
``deepkit.recipes.mnist_steps.prepare``), ends in ``Dense(num_classes, softmax)`` and is
compiled with Adam, sparse categorical cross-entropy and accuracy.
"""

import keras

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
    """keras-io's MNIST convnet, compiled: [Conv2D(f, 3, relu), MaxPooling2D(2)] per ``filters``,
    Flatten, Dropout(``dropout``), Dense(``num_classes``, softmax); Adam(``learning_rate``).

    ``shift > 0`` puts a ``RandomTranslation(shift, shift)`` first: images move by
    up to ``shift`` of their height and width, in training only (Keras turns the
    layer off at inference).
    """
    if seed is not None:
        check_int(seed, "seed", min_value=0)
    if not 0.0 <= dropout < 1.0:
        raise InputError(f"dropout must be in [0, 1), got {dropout!r}")
    if not 0.0 <= shift < 1.0:
        raise InputError(f"shift must be a fraction in [0, 1), got {shift!r}")
    if not filters or any(not isinstance(f, int) or f < 1 for f in filters):
        raise InputError(f"filters must be a non-empty list of positive ints, got {filters!r}")

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
