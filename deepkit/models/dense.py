"""Dense (fully connected) networks: the general ``mlp``, T3's ``churn_ann`` and ``mnist_mlp``.

Each hidden layer computes ``a = activation(x @ W + b)``; ``mlp`` stacks them and
returns a real ``keras.Sequential`` that fits, saves and loads like any Keras model.
``mnist_mlp`` takes flat rows of 784 pixels scaled to [0, 1]
(``deepkit.recipes.mnist_classifier.prepare``) and ends in ``Dense(num_classes, softmax)``.
"""

import keras

from deepkit.models._checks import (
    check_compile_options,
    check_counts,
    check_optional_seed,
    check_rate,
    is_count,
    optimizer_with_rate,
)
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
        input_dim: number of input features (an int >= 1).
        units: widths of every Dense layer, output layer last, e.g. ``[6, 6, 1]``.
        activations: one activation name for all layers, or one per layer.
        kernel_initializer: Keras initializer name or instance for every kernel.
        dropout: rate in [0, 1) of a ``Dropout`` after each hidden layer (one
            float, or one per hidden layer); 0 adds no layer.
        optimizer: Keras optimizer name or instance.
        learning_rate: overrides the optimizer's default when given (a number > 0;
            optimizer given by name, and ``loss`` given).
        loss: passed to ``compile``; with ``loss=None`` the model is returned
            uncompiled.
        metrics: passed to ``compile``.
        steps_per_execution: passed to ``compile`` (an int >= 1).
        jit_compile: passed to ``compile`` (True, False or "auto").
        seed: seeds each layer's kernel initializer (``seed + i``) and dropout,
            so the same seed gives the same initial weights; an int in
            [0, 2**32 - 1] or None.
        name: the model's name.

    Returns:
        A ``keras.Sequential``, compiled when ``loss`` is given.

    Raises:
        InputError: for any argument out of range, before any layer is built.

    Example:

    ```python
    model = mlp(11, [6, 6, 1], ["relu", "relu", "sigmoid"], loss="binary_crossentropy", seed=0)
    model.fit(x, y, batch_size=10, epochs=50)
    ```
    """
    seed = check_optional_seed(seed)
    units = check_counts(units, "units")
    if not is_count(input_dim):
        raise InputError(f"input_dim must be a positive int, got {input_dim!r}")
    input_dim = int(input_dim)
    activations = _per_layer(activations, len(units), "activations")
    dropouts = [
        check_rate(rate, "dropout") for rate in _per_layer(dropout, len(units) - 1, "dropout")
    ]
    steps_per_execution = check_compile_options(steps_per_execution, jit_compile)
    if loss is None and learning_rate is not None:
        raise InputError(
            "learning_rate needs loss= as well: without a loss the model is not compiled"
        )
    optimizer = optimizer_with_rate(optimizer, learning_rate)

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

    Args:
        seed: an int in [0, 2**32 - 1], or None.
        steps_per_execution: passed to ``compile`` (an int >= 1).
        jit_compile: passed to ``compile`` (True, False or "auto").

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.

    Example:

    ```python
    model = churn_ann(seed=0)  # T3's 11-6-6-1 net, compiled
    model.fit(x_train, y_train, batch_size=10, epochs=50)
    ```
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

    Args:
        config: ``"default"`` (784-512-256-10, dropout 0.2, Adam 1e-3) or ``"t1"``
            (tutorial T1's 784-32-10, N(0, 0.1) weights, SGD 0.05).
        num_classes: the number of classes (an int >= 2).
        seed: an int in [0, 2**32 - 1], or None.
        steps_per_execution: passed to ``compile`` (an int >= 1).
        jit_compile: passed to ``compile`` (True, False or "auto").

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.

    Example:

    ```python
    model = mnist_mlp("default", seed=0)
    model.fit(x_train.reshape(-1, 784) / 255, y_train, epochs=5)
    ```
    """
    num_classes = check_int(num_classes, "num_classes", min_value=2)
    if not isinstance(config, str) or config not in MLP_CONFIGS:
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
    """``value`` repeated ``count`` times, or ``value`` itself if it is already a list of that
    length (else ``InputError``)."""
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
