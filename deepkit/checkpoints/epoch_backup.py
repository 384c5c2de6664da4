"""The Keras callback of ``Checkpoint.callbacks``: ``fit`` resumed after the stage's last
saved epoch, and every epoch saved when it ends."""


def epoch_backup(checkpoint):
    """The callback that saves every epoch of ``fit`` in ``checkpoint`` and resumes from its last.

    Args:
        checkpoint: a ``Checkpoint`` (a stage), not finished.

    Returns:
        A ``keras.callbacks.Callback``.
    """
    import keras

    class EpochBackup(keras.callbacks.Callback):
        """Save every epoch in ``checkpoint``; resume from its last one."""

        def on_train_begin(self, logs=None):
            # None (a new stage): from epoch 0, whatever an earlier fit left.
            self.model._initial_epoch = checkpoint._resume(self.model, self.params["epochs"])

        def on_epoch_end(self, epoch, logs=None):
            checkpoint._save_epoch(epoch, self.model, logs)

        def on_train_end(self, logs=None):
            self.model._initial_epoch = None  # Keras keeps it: the model's next fit starts at 0

    return EpochBackup()
