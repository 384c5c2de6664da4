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

from deepkit.models.rbm import RBM, MomentumSchedule
from deepkit.reference.dbn import check_data, check_pretraining, check_sizes, check_stack
from deepkit.validation import check_int
from deepkit.training import fit


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
    """Train one RBM per entry of ``hidden_sizes``, each on the hidden probabilities
    of the one below; a list of trained ``RBM``. Hinton's settings by default:
    SGD, momentum 0.5 then 0.9 after ``switch_epoch`` epochs, weight decay 2e-4,
    visible biases of the first RBM from the data's base rates
    (``init_visible_bias``; else zeros). With a ``checkpoint`` run folder each RBM
    trains on full batches in an order set by (seed + depth, epoch) (``deepkit.training.fit``)."""
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
        stage = None if checkpoint is None else checkpoint.stage(f"rbm_{depth}")
        if stage is not None and stage.finished:
            stage.restore(rbm)  # uncompiled: its optimizer's saved state is not wanted
        else:
            if depth == 0 and init_visible_bias:
                rbm.init_visible_bias(inputs)
            rbm.compile(
                optimizer=keras.optimizers.SGD(learning_rate, momentum=momentum[0]),
                steps_per_execution=32,
            )
            options = dict(
                batch_size=batch_size,
                epochs=epochs,
                verbose=verbose,
                callbacks=[MomentumSchedule(momentum[0], momentum[1], switch_epoch)],
            )
            if stage is None:
                rbm.fit(inputs, **options)
            else:
                no_labels = np.zeros(len(inputs), "uint8")  # the pipeline pairs x with labels
                fit(rbm, inputs, no_labels, seed=seed + depth, checkpoint_dir=stage, **options)
                stage.finish(rbm)
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
