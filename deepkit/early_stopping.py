"""``ResumableEarlyStopping``: Keras's ``EarlyStopping`` that a resumed checkpoint continues.

Keras's callback keeps its best score, its wait counter and its best weights in
memory only, so a run resumed from a ``deepkit.checkpoints`` folder would forget
the epochs before the kill and stop elsewhere. This one replays the finished
epochs' logs (the checkpoint's history) through EarlyStopping's own rule when
training begins, and keeps the best weights in the checkpoint folder
(``best.weights.h5``, written to a temporary file and renamed), so the resumed
run stops at the epoch and restores the weights an uninterrupted run does.
"""

import os

import keras


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """EarlyStopping (best weights restored at the end) that a resumed ``checkpoint`` continues;
    ``monitor`` is maximised if it names an accuracy or AUC, else minimised.

    It must come before the checkpoint's callbacks, whose backup then overwrites the
    weights it loads. (If the file holds an epoch the backup does not, that epoch is
    trained again, improves again, and replaces it.) Not covered: a kill in the
    instant between the stopping epoch's backup and Keras deleting it at the end of
    fit; the replay then stops the rerun after one more step."""

    def __init__(self, checkpoint, monitor, patience):
        # Keras infers "auto" from the model's metrics, built only by the first step:
        # too late for the replay, so the direction is set here.
        mode = "max" if monitor.endswith(("accuracy", "acc", "auc")) else "min"
        super().__init__(monitor, patience=patience, mode=mode, restore_best_weights=True)
        self.checkpoint = checkpoint
        self.path = checkpoint.directory / "best.weights.h5"

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if not self.checkpoint.history:
            return
        for epoch, epoch_logs in enumerate(self.checkpoint.history):
            super().on_epoch_end(epoch, epoch_logs)
        self.model.load_weights(str(self.path))
        self.best_weights = self.model.get_weights()

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if self.best_epoch == epoch:
            partial = self.path.with_name("best.partial.weights.h5")
            self.model.save_weights(str(partial))
            os.replace(partial, self.path)
