"""Deep belief nets in NumPy, the NumPy reference of ``deepkit.models.dbn``: greedy layer-wise
pretraining of a stack of reference RBMs, then a reference ``Sequential`` of sigmoid
``Dense`` layers initialised from them, fine-tuned by backprop (Hinton, Osindero
& Teh 2006; Hinton & Salakhutdinov 2006).

Greedy pretraining, with x_0 = x the data::

    RBM d learns x_d by CD-k / PCD-k, then x_{d+1} = p(h = 1 | x_d) = sigmoid(x_d W_d + c_d)

Unrolled net: layer d computes sigmoid(x W_d + c_d), exactly RBM d's p(h | v),
so the stack's features are the pretrained ones; a softmax head maps the last
one to the classes::

    rbms = pretrain(x, (500, 500, 2000), epochs=10, seed=0)
    model = dbn(784, (500, 500, 2000), 10, rbms=rbms)   # rbms=None: same net, random init
    model.fit(x, y, epochs=30)
"""

import numpy as np

from deepkit.reference import optimizers
from deepkit.reference.layers import Dense, Input
from deepkit.reference.models import Sequential
from deepkit.reference.rbm import RBM, MomentumSchedule
from deepkit.validation import InputError, check_float, check_int


def check_sizes(hidden_sizes):
    """The hidden layer sizes as a list of positive ints (at least one)."""
    if not hidden_sizes:
        raise InputError("hidden_sizes must list at least one layer size")
    return [check_int(size, "hidden layer size", min_value=1) for size in hidden_sizes]


def check_pretraining(hidden_sizes, epochs, batch_size, learning_rate, momentum, switch_epoch):
    """The hidden sizes as a list, after checking the pretraining settings (shared
    by the Keras DBN and this NumPy reference, so both refuse the same input the same way)."""
    sizes = check_sizes(hidden_sizes)
    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=1)
    check_float(learning_rate, "learning_rate", min_value=0.0, include_min=False)
    if not isinstance(momentum, (tuple, list)) or len(momentum) != 2:
        raise InputError(f"momentum must be a pair (initial, final), got {momentum!r}")
    check_float(momentum[0], "initial momentum", 0.0, 1.0)
    check_float(momentum[1], "final momentum", 0.0, 1.0)
    if momentum[0] == 0 and momentum[1] != 0:
        # Keras's SGD builds no velocity when it starts without momentum.
        raise InputError(f"momentum {momentum!r}: a final momentum needs an initial one > 0")
    check_int(switch_epoch, "switch_epoch", min_value=0)
    return sizes


def check_data(x):
    """``x`` as a 2-D array (its values are checked by the first RBM)."""
    x = np.asarray(x)
    if x.ndim != 2:
        raise InputError(f"x must have shape (n, n_visible), got {x.shape}")
    return x


def check_stack(n_inputs, sizes, rbms):
    """Refuse ``rbms`` unless RBM d is ``sizes[d - 1]``-``sizes[d]`` (d = 0: ``n_inputs``)."""
    if len(rbms) != len(sizes):
        raise InputError(f"{len(rbms)} RBMs for {len(sizes)} hidden layers")
    below = n_inputs
    for depth, (rbm, size) in enumerate(zip(rbms, sizes)):
        if (rbm.n_visible, rbm.n_hidden) != (below, size):
            raise InputError(
                f"RBM {depth} is {rbm.n_visible}-{rbm.n_hidden}, but the stack needs "
                f"{below}-{size}: the sizes do not chain"
            )
        below = size


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
    dtype="float32",
    verbose=0,
):
    """Train one reference ``RBM`` per entry of ``hidden_sizes``, each on the hidden
    probabilities of the one below; the list of trained RBMs. The Keras
    ``pretrain``'s arguments and defaults (SGD, momentum 0.5 then 0.9 after
    ``switch_epoch`` epochs, weight decay 2e-4, the first RBM's visible biases
    from the data's base rates), plus the NumPy reference's ``dtype``."""
    sizes = check_pretraining(
        hidden_sizes, epochs, batch_size, learning_rate, momentum, switch_epoch
    )
    inputs, rbms = check_data(x), []
    for depth, size in enumerate(sizes):
        rbm = RBM(
            inputs.shape[1],
            size,
            k=k,
            persistent=persistent,
            n_chains=batch_size,
            weight_decay=weight_decay,
            seed=seed + depth,
            dtype=dtype,
            name=f"rbm_{depth}",
        )
        if depth == 0 and init_visible_bias:
            rbm.init_visible_bias(inputs)
        rbm.compile(optimizers.SGD(learning_rate, momentum=momentum[0]))
        rbm.fit(
            inputs,
            batch_size=batch_size,
            epochs=epochs,
            verbose=verbose,
            callbacks=[MomentumSchedule(momentum[0], momentum[1], switch_epoch)],
        )
        rbms.append(rbm)
        if depth + 1 < len(sizes):
            inputs = rbm.predict(inputs, batch_size=1000)
    return rbms


def dbn(
    n_inputs,
    hidden_sizes,
    n_classes,
    rbms=None,
    optimizer=None,
    seed=0,
    name="dbn",
    dtype="float32",
):
    """A compiled reference ``Sequential``: sigmoid ``Dense`` layers of ``hidden_sizes``
    (kernels and biases copied from ``rbms`` when given, else Glorot-uniform and
    zeros from ``seed``) and a softmax head of ``n_classes``; sparse categorical
    cross-entropy, ``optimizer`` (default SGD(0.1, momentum=0.9)), accuracy."""
    sizes = check_sizes(hidden_sizes)
    check_int(n_inputs, "n_inputs", min_value=1)
    check_int(n_classes, "n_classes", min_value=2)
    if rbms is not None:
        check_stack(n_inputs, sizes, rbms)
    model = Sequential(
        [Input((n_inputs,))]
        + [Dense(size, activation="sigmoid", name=f"hidden_{i}") for i, size in enumerate(sizes)]
        + [Dense(n_classes, activation="softmax", name="softmax")],
        name=name,
        seed=seed,
        dtype=dtype,
    )
    for layer, rbm in zip(model.layers, rbms or []):
        layer.set_weights([rbm.kernel, rbm.hidden_bias])
    model.compile(
        optimizer=optimizer or optimizers.SGD(0.1, momentum=0.9),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
