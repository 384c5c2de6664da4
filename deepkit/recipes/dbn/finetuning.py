"""Fine-tuning with labels: the pretrained stack and the same net from random init,
each trained by backprop with the same budget, compared on the test set.

A random-init sigmoid net stays at chance at the rate a pretrained one likes, so each
init tries every candidate learning rate and keeps the net most accurate on the
validation split, with the epoch where that accuracy peaked. With ``decay`` below 1 the
rate shrinks each epoch, lr_e = lr * decay**e (1, the default: constant). With ``refit``,
the chosen rate, schedule and epoch count then train the same init again on the training
and validation images together (Hinton & Salakhutdinov's nets saw all 60,000), and that
net is the one kept. The test set scores only the kept net. Every net is a stage of the
run's checkpoint (``"<regime> <init> lr <rate>"``, ``"<regime> <init> refit"``), so a
rerun restores the finished ones and resumes the one killed.
"""

import numpy as np

from deepkit import training
from deepkit.checkpoints import NoCheckpoint


def finetune(
    model,
    x,
    y,
    validation,
    *,
    epochs,
    batch_size,
    patience,
    decay=1.0,
    seed=0,
    verbose=0,
    checkpoint=None,
):
    """Backprop with early stopping on validation accuracy, the best epoch's weights kept.

    Args:
        model: a compiled DBN (``deepkit.models.dbn.dbn``).
        x: the labelled training images.
        y: their labels.
        validation: ``(x_val, y_val)``.
        epochs: the most epochs.
        batch_size: rows per step.
        patience: epochs without a better validation accuracy before stopping.
        decay: the learning rate's factor per epoch (``decaying``).
        seed: orders the rows of every epoch, with the epoch's number.
        verbose: Keras's ``verbose``.
        checkpoint: a stage of a ``deepkit.checkpoints`` run, or ``None``.

    Returns:
        The history, ``{metric: [float per epoch]}``.
    """
    _, history = training.fit(
        model,
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation,
        patience=patience,
        monitor="val_accuracy",
        seed=seed,
        verbose=verbose,
        checkpoint=checkpoint,
        callbacks=decaying(model, decay),
    )
    return history


def decaying(model, decay):
    """Callbacks setting ``model``'s learning rate to lr * decay**epoch, lr its rate now.

    The epoch is counted from the training's start, resumed epochs included, so a resumed
    run and a refit replay the same rates. ``decay=1`` needs no callback.
    """
    import keras

    if decay == 1:
        return []
    rate = float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    return [keras.callbacks.LearningRateScheduler(lambda epoch: rate * decay**epoch)]


def error_rate(model, x, y):
    """The fraction of ``x`` that ``model`` classifies wrong."""
    return float(np.mean(model.predict(x, batch_size=1000, verbose=0).argmax(axis=1) != y))


def compare_inits(
    rbms,
    sizes,
    data,
    *,
    learning_rates,
    seed,
    checkpoint=None,
    regime="all labels",
    refit=False,
    **budget,
):
    """The pretrained stack and random init, fine-tuned with the same budget.

    Args:
        rbms: the pretrained RBMs, one per hidden layer.
        sizes: the hidden layers' sizes.
        data: ``((x, y), (x_val, y_val), (x_test, y_test))``.
        learning_rates: the candidate SGD learning rates (momentum 0.9), each the first
            epoch's rate of its schedule.
        seed: seeds the random init and the data order.
        checkpoint: the run's ``deepkit.checkpoints`` checkpoint, or ``None``.
        regime: names the stages (``"all labels"``, ``"1000 labels"``).
        refit: train each init again on ``x`` and the validation images together, at
            its chosen rate for its best epoch count, and keep that net.
        **budget: ``finetune``'s ``epochs``, ``batch_size``, ``patience``, ``decay``,
            ``verbose``.

    Returns:
        ``({init: test error}, {init: learning rate}, {init: history}, {init: model})``
        for the inits "pretrained" and "random init", each at its best rate; the
        history is the chosen net's, validation included (with ``refit`` as well).
    """
    import keras

    from deepkit.models.dbn import dbn

    checkpoint = checkpoint or NoCheckpoint()
    (x, y), validation, (x_test, y_test) = data
    errors, rates, histories, models = {}, {}, {}, {}

    def net(stack, rate):
        optimizer = keras.optimizers.SGD(rate, momentum=0.9)
        return dbn(x.shape[1], sizes, 10, rbms=stack, optimizer=optimizer, seed=seed)

    for init, stack in (("pretrained", rbms), ("random init", None)):
        best = -1.0
        for rate in learning_rates:
            model = net(stack, rate)

            def train(stage, model=model):
                history = finetune(model, x, y, validation, seed=seed, checkpoint=stage, **budget)
                return {"history": history}

            stage = checkpoint.stage(f"{regime} {init} lr {rate:g}".replace(" ", "_"))
            history = stage.run(model, train)["history"]
            if max(history["val_accuracy"]) > best:
                best = max(history["val_accuracy"])
                rates[init], histories[init], models[init] = rate, history, model
        if refit:
            epochs = int(np.argmax(histories[init]["val_accuracy"])) + 1
            models[init] = _refit(
                net(stack, rates[init]),
                np.concatenate([x, validation[0]]),
                np.concatenate([y, validation[1]]),
                epochs,
                checkpoint.stage(f"{regime} {init} refit".replace(" ", "_")),
                seed=seed,
                batch_size=budget["batch_size"],
                decay=budget.get("decay", 1.0),
                verbose=budget.get("verbose", 0),
            )
        errors[init] = error_rate(models[init], x_test, y_test)
    return errors, rates, histories, models


def _refit(model, x, y, epochs, stage, *, seed, batch_size, decay, verbose):
    """``model`` trained for ``epochs`` on ``(x, y)``, no validation, as ``stage``."""

    def train(stage):
        training.fit(
            model,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            verbose=verbose,
            checkpoint=stage,
            callbacks=decaying(model, decay),
        )
        return {}

    stage.run(model, train)
    return model
