"""Dense (fully connected) networks: the general ``mlp``, T3's ``churn_ann`` and ``mnist_mlp``.

Each hidden layer computes ``a = activation(x @ W + b)``; ``mlp`` stacks them and
returns a real ``keras.Sequential`` that fits, saves and loads like any Keras model.
``mnist_mlp`` takes flat rows of 784 pixels scaled to [0, 1]
(``deepkit.recipes.mnist_steps.prepare``) and ends in ``Dense(num_classes, softmax)``.
"""

import keras

from deepkit.validation import InputError, check_int


def mlp(
    input_dim,
    units,
    activations="relu",
    *,
    kernel_initializer="glorot_uniform",
    dropout=0.0,
    optimizer="adam",
    learning_rate=None,
    loss=None,
    metrics=None,
    steps_per_execution=1,
    jit_compile="auto",
    seed=None,
    name="mlp",
):
    """Build (and, when ``loss`` is given, compile) a multilayer perceptron.

    Args:
        input_dim: number of input features.
        units: widths of every Dense layer, output layer last, e.g. ``[6, 6, 1]``.
        activations: one activation name for all layers, or one per layer.
        kernel_initializer: Keras initializer name or instance for every kernel.
        dropout: rate of a ``Dropout`` after each hidden layer (one float, or
            one per hidden layer); 0 adds no layer.
        optimizer: Keras optimizer name or instance.
        learning_rate: overrides the optimizer's default when given (names only).
        loss, metrics: passed to ``compile``; with ``loss=None`` the model is
            returned uncompiled.
        steps_per_execution, jit_compile: passed to ``compile``.
        seed: seeds each layer's kernel initializer (``seed + i``) and dropout,
            so the same seed gives the same initial weights.
        name: the model's name.
    """
    if seed is not None:
        check_int(seed, "seed", min_value=0)
    units = list(units)
    if not units or any(not isinstance(u, int) or u < 1 for u in units):
        raise InputError(f"units must be a non-empty list of positive ints, got {units!r}")
    if not isinstance(input_dim, int) or input_dim < 1:
        raise InputError(f"input_dim must be a positive int, got {input_dim!r}")
    activations = _per_layer(activations, len(units), "activations")
    dropouts = _per_layer(dropout, len(units) - 1, "dropout")
    if any(not 0.0 <= rate < 1.0 for rate in dropouts):
        raise InputError(f"dropout rates must be in [0, 1), got {dropout!r}")

    layers = [keras.Input(shape=(input_dim,))]
    for i, (width, activation) in enumerate(zip(units, activations)):
        layers.append(
            keras.layers.Dense(
                width,
                activation=activation,
                kernel_initializer=_seeded(kernel_initializer, None if seed is None else seed + i),
            )
        )
        if i < len(dropouts) and dropouts[i] > 0:
            layers.append(
                keras.layers.Dropout(dropouts[i], seed=None if seed is None else seed + i)
            )
    model = keras.Sequential(layers, name=name)

    if loss is not None:
        if learning_rate is not None:
            if not isinstance(optimizer, str):
                raise TypeError(
                    "learning_rate can only be combined with an optimizer given by name"
                )
            optimizer = keras.optimizers.get(
                {"class_name": optimizer, "config": {"learning_rate": learning_rate}}
            )
        model.compile(
            optimizer=optimizer,
            loss=loss,
            metrics=metrics,
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
        )
    return model


def churn_ann(seed=None, steps_per_execution=1, jit_compile="auto"):
    """T3's churn classifier: 11 -> Dense(6, relu) -> Dense(6, relu) -> Dense(1, sigmoid).

    Kernels start ``uniform`` (U(-0.05, 0.05)), biases at zero; compiled with
    adam, binary cross-entropy and accuracy, as in the tutorial.
    """
    return mlp(
        11,
        [6, 6, 1],
        ["relu", "relu", "sigmoid"],
        kernel_initializer="uniform",
        optimizer="adam",
        loss="binary_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
        jit_compile=jit_compile,
        seed=seed,
        name="churn_ann",
    )


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


def _per_layer(value, count, what):
    """``value`` repeated ``count`` times, or ``value`` itself if it is already a list of that length."""
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise InputError(f"{what} has {len(value)} entries, expected {count}")
        return list(value)
    return [value] * count


def _seeded(initializer, seed):
    """A fresh Keras initializer from a name or instance, seeded when it draws random numbers."""
    initializer = keras.initializers.get(initializer)
    config = initializer.get_config()
    if seed is not None and "seed" in config:
        config["seed"] = seed
    return initializer.__class__.from_config(config)
