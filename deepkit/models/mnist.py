"""The MNIST networks: a dense ``mnist_mlp`` and a convolutional ``mnist_cnn``.

Both expect pixels scaled to [0, 1] (see ``deepkit.recipes.mnist.prepare``):
the MLP takes flat rows of 784, the CNN images of shape (28, 28, 1). Both end
in ``Dense(num_classes, softmax)`` and are compiled with Adam (or T1's SGD),
sparse categorical cross-entropy and accuracy.
"""

import keras

from deepkit.models.dense import mlp
from deepkit.reference.validation import InputError

MLP_CONFIGS = {
    # A 784-512-256-10 ReLU net with dropout: >= 97.5% on full MNIST.
    "default": dict(
        hidden=(512, 256),
        dropout=0.2,
        kernel_initializer="glorot_uniform",
        optimizer="adam",
        learning_rate=1e-3,
    ),
    # T1's 784-32-10 with weights ~ N(0, 0.1) and SGD at 0.05, its output bug
    # fixed: softmax on the output layer (no ReLU before it), cross-entropy loss.
    "t1": dict(
        hidden=(32,),
        dropout=0.0,
        kernel_initializer={"class_name": "RandomNormal", "config": {"stddev": 0.1}},
        optimizer="sgd",
        learning_rate=0.05,
    ),
}


def mnist_mlp(
    config="default", *, num_classes=10, seed=None, steps_per_execution=1, jit_compile="auto"
):
    """A compiled MNIST perceptron: 784 -> hidden ReLU layers -> ``num_classes`` softmax.

    ``config`` is ``"default"`` (784-512-256-10, dropout 0.2, Adam 1e-3) or
    ``"t1"`` (tutorial T1's 784-32-10, N(0, 0.1) weights, SGD 0.05).
    """
    if config not in MLP_CONFIGS:
        raise InputError(f"unknown MLP config {config!r}; choose one of {sorted(MLP_CONFIGS)}")
    spec = MLP_CONFIGS[config]
    units = [*spec["hidden"], num_classes]
    return mlp(
        784,
        units,
        ["relu"] * len(spec["hidden"]) + ["softmax"],
        kernel_initializer=keras.initializers.get(spec["kernel_initializer"]),
        dropout=spec["dropout"],
        optimizer=spec["optimizer"],
        learning_rate=spec["learning_rate"],
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
        seed=seed,
        name=f"mnist_mlp_{config}",
    )


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
