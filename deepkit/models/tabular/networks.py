"""``tabular_mlp``: an MLP for tabular rows, with an optional numerical feature embedding in front
and an optional TabM-mini efficient ensemble of ``heads`` heads; ``head_targets`` and
``head_mean`` are the ensemble's training targets and its prediction.

    inputs -> [embedding -> Flatten] -> [EnsembleAdapter(k)] -> (Dense -> Dropout) x n
           -> Dense(units[-1]), or with k heads EnsembleDense(units[-1])

With k heads the output is ``(batch, k, units[-1])`` and the targets repeat each label once per
head (``head_targets``), so Keras's loss, a mean over every head's terms, is the mean of the k
heads' losses; ``head_mean`` averages the heads' probabilities. The output layer keeps its
sigmoid, so Keras (and the NumPy reference) compute the cross-entropy from its logits.
"""

import keras
import numpy as np

from deepkit.models._checks import (
    check_compile_options,
    check_counts,
    check_optional_seed,
    check_rate,
    optimizer_with_rate,
)
from deepkit.models.tabular.ensemble import EnsembleAdapter, EnsembleDense
from deepkit.validation import InputError, check_int


def tabular_mlp(
    input_dim,
    units,
    *,
    embedding=None,
    heads=1,
    dropout=0.0,
    output_activation="sigmoid",
    optimizer="adam",
    learning_rate=None,
    loss=None,
    metrics=None,
    steps_per_execution=1,
    jit_compile="auto",
    seed=None,
    name="tabular_mlp",
):
    """Build (and, when ``loss`` is given, compile) an MLP with an embedding and k heads.

    Args:
        input_dim: the number of input features (an int >= 1).
        units: the hidden widths (ReLU) then the output width, e.g. ``[256, 256, 1]``.
        embedding: ``None``, or an unbuilt Keras layer mapping ``(batch, features)`` to
            ``(batch, features, d)`` (``PeriodicEmbedding``, ``PiecewiseLinearEncoding``),
            flattened before the first Dense layer.
        heads: the TabM-mini ensemble's size k; 1 builds a plain MLP.
        dropout: the rate in [0, 1) of a ``Dropout`` after each hidden layer.
        output_activation: the output layer's activation.
        optimizer: a Keras optimizer name or instance.
        learning_rate: the rate of a new optimizer named ``optimizer`` (needs ``loss``).
        loss: passed to ``compile``; ``None`` returns the model uncompiled.
        metrics: passed to ``compile``.
        steps_per_execution: passed to ``compile``.
        jit_compile: passed to ``compile``.
        seed: seeds the Dense kernels (layer i with ``seed + i``), the adapters and the
            dropout masks; an int or None.
        name: the model's name.

    Returns:
        A ``keras.Sequential``: output ``(batch, units[-1])``, or ``(batch, heads,
        units[-1])`` with k > 1 heads.

    Raises:
        InputError: for an argument out of range, before any layer is built.
    """
    seed = check_optional_seed(seed)
    input_dim = check_int(input_dim, "input_dim", min_value=1)
    units = check_counts(units, "units")
    heads = check_int(heads, "heads", min_value=1)
    dropout = check_rate(dropout, "dropout")
    steps_per_execution = check_compile_options(steps_per_execution, jit_compile)
    if embedding is not None and not isinstance(embedding, keras.layers.Layer):
        raise InputError(f"embedding must be a Keras layer or None, got {embedding!r}")
    if loss is None and learning_rate is not None:
        raise InputError(
            "learning_rate needs loss= as well: without a loss the model is not compiled"
        )
    optimizer = optimizer_with_rate(optimizer, learning_rate)

    def shifted(offset):
        return None if seed is None else seed + offset

    layers = [keras.Input(shape=(input_dim,))]
    if embedding is not None:
        layers += [embedding, keras.layers.Flatten()]
    if heads > 1:
        layers.append(EnsembleAdapter(heads, seed=shifted(len(units))))
    for i, width in enumerate(units[:-1]):
        initializer = keras.initializers.GlorotUniform(seed=shifted(i))
        layers.append(keras.layers.Dense(width, activation="relu", kernel_initializer=initializer))
        if dropout > 0:
            layers.append(keras.layers.Dropout(dropout, seed=shifted(i)))
    output_initializer = keras.initializers.GlorotUniform(seed=shifted(len(units) - 1))
    if heads > 1:
        layers.append(
            EnsembleDense(units[-1], output_activation, kernel_initializer=output_initializer)
        )
    else:
        layers.append(
            keras.layers.Dense(
                units[-1], activation=output_activation, kernel_initializer=output_initializer
            )
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


def heads_of(model):
    """The number of heads of a ``tabular_mlp`` (1 for any other model)."""
    return next((layer.heads for layer in model.layers if isinstance(layer, EnsembleAdapter)), 1)


def head_targets(y, heads):
    """The targets of ``heads`` heads: each label repeated once per head, ``(n,)`` or ``(n, u)``
    -> ``(n, heads, u)``; with one head, ``y`` as it is."""
    heads = check_int(heads, "heads", min_value=1)
    if heads == 1:
        return y
    y = np.asarray(y)
    return np.repeat(y.reshape(len(y), 1, -1), heads, axis=1)


def head_mean(outputs):
    """The ensemble's prediction: the mean over the heads of a ``(n, heads, u)`` output, the mean
    of the heads' probabilities; a ``(n, u)`` output (one head) as it is."""
    outputs = np.asarray(outputs)
    return outputs.mean(axis=1) if outputs.ndim == 3 else outputs
