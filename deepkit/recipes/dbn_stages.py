"""The dbn recipe's fine-tuning as a checkpoint stage (``deepkit.checkpoints``):
resumed after a kill, restored once finished.

    history = finetune_stage(model, x, y, validation, checkpoint.stage("all_labels_lr_0.1"),
                             seed=0, epochs=30, batch_size=100, patience=5, verbose=0)

Keras's ``EarlyStopping`` keeps its counters and best weights in memory only, so a
resumed fit would forget the epochs before the kill and end elsewhere;
``ResumableEarlyStopping`` replays its counters from the stage's history and keeps
its best weights in the stage folder.
"""

import os

import keras

from deepkit.models.dbn import fit_stage


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """EarlyStopping (best weights restored at the end) that a resumed ``stage`` continues.

    At an improvement the weights go to ``best.weights.h5`` (a temporary file renamed)
    before Keras backs the epoch up; a resumed fit replays the finished epochs' logs
    through EarlyStopping's own rule and reloads that file. It must come before the
    stage's callbacks, whose backup then overwrites the weights it loaded. (If the file
    holds an epoch the backup does not, that epoch is trained again, improves again,
    and replaces it.) Not covered: a kill in the instant between the stopping epoch's
    backup and Keras deleting it at the end of fit; the replay then stops the rerun
    after one more step, so that stage ends one partial epoch longer."""

    def __init__(self, stage, monitor, patience, mode):
        super().__init__(monitor, patience=patience, mode=mode, restore_best_weights=True)
        self.stage = stage
        self.path = stage.directory / "best.weights.h5"

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not self.stage.history:
            return
        for epoch, epoch_logs in enumerate(self.stage.history):
            super().on_epoch_end(epoch, epoch_logs)
        self.model.load_weights(str(self.path))
        self.best_weights = self.model.get_weights()

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.best_epoch == epoch:
            partial = self.path.with_name("best.partial.weights.h5")
            self.model.save_weights(str(partial))
            os.replace(partial, self.path)


def finetune_stage(model, x, y, validation, stage, *, seed, epochs, batch_size, patience, verbose):
    """``deepkit.recipes.dbn.finetune`` in ``stage``: the batches in an order set by
    (seed, epoch) (``fit_stage``); a finished stage's net and history restored."""
    if stage.finished:
        model.optimizer.build(model.trainable_variables)  # else Keras warns it skips its state
        return stage.restore(model)["history"]
    stop = ResumableEarlyStopping(stage, "val_accuracy", patience, mode="max")
    history = fit_stage(
        model,
        x,
        y,
        stage,
        seed=seed,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation,
        verbose=verbose,
        callbacks=[stop],
    )
    stage.finish(model, history=history)
    stop.path.unlink(missing_ok=True)  # only a resumed fit reads it
    return history
