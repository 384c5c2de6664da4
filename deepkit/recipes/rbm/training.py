"""One RBM trained for the recipe, a stage of the run's checkpoint.

SGD with Hinton's momentum (``MomentumSchedule``) and, with ``decay_every=N``, the
learning rate of Salakhutdinov's code, rate / ceil(epoch / N) for epochs numbered from 1.
Every epoch's rows come in an order set by (seed, epoch) (``deepkit.training.fit``); the
stage saves the weights, the optimizer's state and the RBM's generator every epoch, so a
killed run resumes where it stopped and ends bit for bit as an uninterrupted one.
"""

import math

import numpy as np

from deepkit.recipes.dbn import check_converged


def decayed_rate(rate, epoch, decay_every):
    """rate / ceil((epoch + 1) / decay_every) for ``epoch`` from 0; ``rate`` if ``decay_every`` is 0."""
    return rate / math.ceil((epoch + 1) / decay_every) if decay_every else rate


def train_rbm(x, bits, rate, settings, checkpoint, verbose=0):
    """Train an RBM on ``x`` at learning rate ``rate`` and check that it did not diverge.

    Args:
        x: the training images, grey (stochastic binarization, redrawn every batch) or
            binary (threshold).
        bits: the same images binarized once: the visible biases start at their base
            rates, and the divergence check reconstructs them.
        rate: SGD's learning rate before any decay.
        settings: the recipe's ``Settings``.
        checkpoint: the run's ``deepkit.checkpoints`` checkpoint (``NoCheckpoint`` for none);
            the RBM is its stage ``lr_<rate>``.
        verbose: Keras's ``verbose``.

    Returns:
        ``(rbm, history)``: the trained ``deepkit.models.rbm.RBM`` and ``{metric: [float
        per epoch]}``.

    Raises:
        InputError: the RBM diverged (``deepkit.recipes.dbn.check_converged``).
    """
    import keras

    from deepkit.models.rbm import RBM, MomentumSchedule
    from deepkit.recipes.rbm.binarization import BinarizingRBM
    from deepkit.training import fit

    s = settings
    model = BinarizingRBM if s.binarization == "stochastic" else RBM
    rbm = model(
        x.shape[1],
        s.hidden,
        k=s.k,
        persistent=s.persistent,
        n_chains=s.batch_size,
        weight_decay=s.weight_decay,
        seed=s.seed,
        name="rbm",
    )

    def train(stage):
        rbm.init_visible_bias(bits)
        rbm.compile(
            optimizer=keras.optimizers.SGD(rate, momentum=s.initial_momentum),
            steps_per_execution=32,
        )
        schedule = [MomentumSchedule(s.initial_momentum, s.final_momentum, s.momentum_epoch)]
        if s.decay_every:
            schedule.append(
                keras.callbacks.LearningRateScheduler(
                    lambda epoch: decayed_rate(rate, epoch, s.decay_every)
                )
            )
        _, history = fit(
            rbm,
            x,
            np.zeros(len(x), "uint8"),  # the pipeline pairs x with labels
            epochs=s.epochs,
            batch_size=s.batch_size,
            seed=s.seed,
            verbose=verbose,
            checkpoint=stage,
            callbacks=schedule,
        )
        return {"history": history}

    history = checkpoint.stage(f"lr_{rate:g}").run(rbm, train)["history"]
    check_converged([rbm], bits, rate)
    return rbm, history
