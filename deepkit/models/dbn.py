"""Deep belief nets: greedy layer-wise pretraining of a stack of RBMs, then a
real ``keras.Sequential`` of sigmoid ``Dense`` layers initialised from them and
fine-tuned by backprop (Hinton, Osindero & Teh 2006; Hinton & Salakhutdinov 2006).

    rbms = pretrain(x, (500, 500, 2000), epochs=10, seed=0)  # each RBM on p(h | v) below
    model = dbn(784, (500, 500, 2000), 10, rbms=rbms)         # rbms=None: same net, random init
    model.fit(x, y, epochs=30)
"""

import keras

from deepkit.models.rbm import RBM, MomentumSchedule
from deepkit.reference.dbn import check_data, check_pretraining, check_sizes, check_stack
from deepkit.reference.validation import check_int


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
):
    """Train one RBM per entry of ``hidden_sizes``, each on the hidden probabilities
    of the one below; a list of trained ``RBM``. Hinton's settings by default:
    SGD, momentum 0.5 then 0.9 after ``switch_epoch`` epochs, weight decay 2e-4,
    visible biases of the first RBM from the data's base rates
    (``init_visible_bias``; else zeros)."""
    sizes = check_pretraining(
        hidden_sizes, epochs, batch_size, learning_rate, momentum, switch_epoch
    )
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
        if depth == 0 and init_visible_bias:
            rbm.init_visible_bias(inputs)
        rbm.compile(
            optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum[0]),
            steps_per_execution=32,
        )
        rbm.fit(
            inputs,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=[MomentumSchedule(momentum[0], momentum[1], switch_epoch)],
        )
        rbms.append(rbm)
        if depth + 1 < len(sizes):
            inputs = rbm.predict(inputs, batch_size=1000, verbose=0)
    return rbms


def dbn(n_inputs, hidden_sizes, n_classes, rbms=None, optimizer=None, seed=0, name="dbn"):
    """A compiled ``keras.Sequential``: sigmoid ``Dense`` layers of ``hidden_sizes``
    (kernels and biases copied from ``rbms`` when given, else Glorot-uniform and
    zeros) and a softmax head of ``n_classes``; sparse categorical cross-entropy,
    ``optimizer`` (default SGD(0.1, momentum=0.9)), accuracy."""
    sizes = check_sizes(hidden_sizes)
    check_int(n_inputs, "n_inputs", min_value=1)
    check_int(n_classes, "n_classes", min_value=2)
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
