"""Deep belief nets: greedy layer-wise pretraining of a stack of RBMs, then a
real ``keras.Sequential`` of sigmoid ``Dense`` layers initialised from them and
fine-tuned by backprop (Hinton, Osindero & Teh 2006; Hinton & Salakhutdinov 2006).

    rbms = pretrain(x, (500, 500, 2000), epochs=10, seed=0)  # each RBM on p(h | v) below
    model = dbn(784, (500, 500, 2000), 10, rbms=rbms)         # rbms=None: same net, random init
    model.fit(x, y, epochs=30)

With ``checkpoint=`` (a ``deepkit.checkpoints.Checkpoint``) each RBM is a stage
``rbm_<depth>`` that a killed run resumes or, once finished, restores
(``deepkit.training.fit``; the stage keeps the position of the RBM's Gibbs generator).
"""

import keras
import numpy as np

from deepkit.checkpoints import NoCheckpoint
from deepkit.models.rbm import RBM, MomentumSchedule
from deepkit.reference.dbn import check_data, check_pretraining, check_sizes, check_stack
from deepkit.training import fit
from deepkit.validation import MAX_SEED, InputError, check_float, check_int, check_seed


def pretrain(
    x,
    hidden_sizes,
    *,
    epochs=10,
    batch_size=100,
    learning_rate=0.1,
    momentum=(0.5, 0.9),
    switch_epoch=5,
    weight_decay=2e-4,
    k=1,
    persistent=False,
    init_visible_bias=True,
    seed=0,
    verbose=0,
    checkpoint=None,
):
    """Greedy layer-wise pretraining: a stack of RBMs, each trained on the one below.

    One RBM per entry of ``hidden_sizes``, each trained on the hidden probabilities
    of the one below. Hinton's settings by default:
    SGD, momentum 0.5 then 0.9 after ``switch_epoch`` epochs, weight decay 2e-4,
    visible biases of the first RBM from the data's base rates
    (``init_visible_bias``; else zeros). Each RBM trains on batches in an order set
    by (seed + depth, epoch) (``deepkit.training.fit``); with a ``checkpoint`` run folder
    it is the stage ``rbm_<depth>``, resumed if killed and restored once finished.

    Args:
        x: the training data, (n, n_visible) in [0, 1].
        hidden_sizes: the hidden layers' sizes, ints >= 1 (one RBM each).
        epochs: epochs per RBM, an int >= 1.
        batch_size: an int >= 1.
        learning_rate: SGD's learning rate, a number > 0.
        momentum: (initial, final) momentum, each in [0, 1].
        switch_epoch: the epoch at which the final momentum takes over, an int >= 0.
        weight_decay: L2 weight decay, a number >= 0.
        k: Gibbs steps per update, an int >= 1.
        persistent: persistent contrastive divergence when true.
        init_visible_bias: start the first RBM's visible biases at the data's base rates.
        seed: RBM ``d`` is seeded with ``seed + d``; all of them must be ints in
            [0, 2**32 - 1].
        verbose: Keras's verbosity.
        checkpoint: a ``deepkit.checkpoints`` run folder (``Checkpoint.open``), or None.

    Returns:
        A list of trained ``RBM``.

    Raises:
        InputError: for any argument out of range, before any training.

    Example:

    ```python
    rbms = pretrain(x_train, [500, 500, 2000], epochs=10, seed=0)
    model = dbn(784, [500, 500, 2000], 10, rbms=rbms)
    ```
    """
    sizes = check_pretraining(
        hidden_sizes, epochs, batch_size, learning_rate, momentum, switch_epoch
    )
    seed = check_seed(seed)
    if seed + len(sizes) - 1 > MAX_SEED:
        raise InputError(
            f"seed must be <= {MAX_SEED - len(sizes) + 1} for {len(sizes)} RBMs "
            f"(RBM d is seeded with seed + d), got {seed}"
        )
    check_int(k, "k", min_value=1)
    check_float(weight_decay, "weight_decay", min_value=0.0)
    rbms, inputs = [], check_data(x)
    for depth, size in enumerate(sizes):
        rbm = RBM(
            inputs.shape[1],
            size,
            k=k,
            persistent=persistent,
            n_chains=batch_size,
            weight_decay=weight_decay,
            seed=seed + depth,
            name=f"rbm_{depth}",
        )

        def train(stage, rbm=rbm, inputs=inputs, depth=depth):
            if depth == 0 and init_visible_bias:
                rbm.init_visible_bias(inputs)
            rbm.compile(
                optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum[0]),
                steps_per_execution=32,
            )
            fit(
                rbm,
                inputs,
                np.zeros(len(inputs), "uint8"),  # the pipeline pairs x with labels
                epochs=epochs,
                batch_size=batch_size,
                seed=seed + depth,
                verbose=verbose,
                checkpoint=stage,
                callbacks=[MomentumSchedule(momentum[0], momentum[1], switch_epoch)],
            )
            return {}

        # A finished stage loads its weights into the RBM, still uncompiled: the
        # optimizer's saved state is not wanted.
        (checkpoint or NoCheckpoint()).stage(f"rbm_{depth}").run(rbm, train)
        rbms.append(rbm)
        if depth + 1 < len(sizes):
            inputs = rbm.predict(inputs, batch_size=1000, verbose=0)
    return rbms


def dbn(n_inputs, hidden_sizes, n_classes, rbms=None, optimizer=None, seed=0, name="dbn"):
    """A deep belief net unrolled into a compiled ``keras.Sequential`` for fine-tuning.

    Sigmoid ``Dense`` layers of ``hidden_sizes`` (kernels and biases copied from
    ``rbms`` when given, else Glorot-uniform and zeros) and a softmax head of
    ``n_classes``; sparse categorical cross-entropy, ``optimizer`` (default
    SGD(0.1, momentum=0.9)), accuracy.

    Args:
        n_inputs: input features, an int >= 1.
        hidden_sizes: the hidden layers' sizes, ints >= 1.
        n_classes: the number of classes, an int >= 2.
        rbms: a pretrained stack (``pretrain``) whose sizes chain, or None.
        optimizer: a Keras optimizer name or object, or None for the default.
        seed: seeds the random initial weights; an int in [0, 2**32 - 1].
        name: the model's name.

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        InputError: for any argument out of range, before any layer is built.

    Example:

    ```python
    model = dbn(784, [500, 500, 2000], 10, rbms=pretrain(x_train, [500, 500, 2000]))
    model.fit(x_train, y_train, epochs=10)
    ```
    """
    sizes = check_sizes(hidden_sizes)
    n_inputs = check_int(n_inputs, "n_inputs", min_value=1)
    n_classes = check_int(n_classes, "n_classes", min_value=2)
    seed = check_seed(seed)
    if rbms is not None:
        check_stack(n_inputs, sizes, rbms)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.Input((n_inputs,))]
        + [
            keras.layers.Dense(size, activation="sigmoid", name=f"hidden_{i}")
            for i, size in enumerate(sizes)
        ]
        + [keras.layers.Dense(n_classes, activation="softmax", name="softmax")],
        name=name,
    )
    for layer, rbm in zip(model.layers, rbms or []):
        layer.set_weights([keras.ops.convert_to_numpy(w) for w in (rbm.kernel, rbm.hidden_bias)])
    model.compile(
        optimizer=optimizer or keras.optimizers.SGD(0.1, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
