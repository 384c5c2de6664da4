"""The deep classifiers compared: one per variant (activation, initial weights), each
784 -> ``depth`` hidden layers of ``width`` -> softmax over 10 digits, compiled with plain
SGD and sparse categorical cross-entropy.

Layer l (from 0) draws its kernel with the seed ``seed + l``; biases start at zero. The
``sigmoid-rbm`` net is ``deepkit.models.dbn.dbn``: its hidden layers are RBMs pretrained
greedily (``deepkit.models.dbn.pretrain``, CD-1), its softmax head Glorot-uniform.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Variant:
    """An activation and an initial-weight distribution.

    Attributes:
        activation: the hidden layers' activation.
        init: the initial weights, in words.
        initializer: ``(name in keras.initializers, its keyword arguments)``; ``None``: RBMs.
    """

    activation: str
    init: str
    initializer: tuple


VARIANTS = {
    # Keras 2's "uniform", the initializer T3's churn net names.
    "sigmoid-uniform": Variant(
        "sigmoid", "U(-0.05, 0.05), Keras 2's 'uniform' (T3's churn net)",
        ("RandomUniform", {"minval": -0.05, "maxval": 0.05}),
    ),
    "sigmoid-rbm": Variant(
        "sigmoid", "RBMs pretrained layer by layer (CD-1), Glorot-uniform head", None
    ),
    "sigmoid-glorot": Variant(
        "sigmoid", "Glorot (Xavier) uniform, U(+-sqrt(6 / (fan_in + fan_out)))",
        ("GlorotUniform", {}),
    ),
    # Weights so large the units saturate; yet through the units left unsaturated the
    # gradient grows layer after layer towards the input.
    "sigmoid-large": Variant(
        "sigmoid", "N(0, 4^2), far too large", ("RandomNormal", {"stddev": 4.0})
    ),
    "relu-he": Variant("relu", "He normal, truncated N(0, 2 / fan_in)", ("HeNormal", {})),
}  # fmt: skip


def network(variant, depth, width, learning_rate, seed, rbms=None):
    """The compiled Keras classifier of ``variant``.

    Args:
        variant: a key of ``VARIANTS``.
        depth: hidden layers.
        width: units per hidden layer.
        learning_rate: plain SGD's learning rate.
        seed: layer l's kernel is drawn with ``seed + l``.
        rbms: the pretrained stack, for ``"sigmoid-rbm"`` only.

    Returns:
        A compiled ``keras.Sequential`` (layers ``hidden_0`` ... and ``softmax``).
    """
    import keras

    optimizer = keras.optimizers.SGD(learning_rate)
    if VARIANTS[variant].initializer is None:
        from deepkit.models.dbn import dbn

        return dbn(784, [width] * depth, 10, rbms=rbms, optimizer=optimizer, seed=seed)
    activation, (name, options) = VARIANTS[variant].activation, VARIANTS[variant].initializer

    def dense(units, activation, layer, label):
        initializer = getattr(keras.initializers, name)(**options, seed=seed + layer)
        return keras.layers.Dense(units, activation, kernel_initializer=initializer, name=label)

    model = keras.Sequential(
        [keras.Input((784,))]
        + [dense(width, activation, layer, f"hidden_{layer}") for layer in range(depth)]
        + [dense(10, "softmax", depth, "softmax")],
        name=variant,
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
