"""Early stopping that a resumed checkpoint continues, deciding as Keras's does.

Keras's ``EarlyStopping`` keeps its best score, its wait counter and its best
weights in memory only, so a training resumed from a ``deepkit.checkpoints``
folder would forget the epochs before the kill and stop elsewhere.
``ResumableEarlyStopping`` is Keras's callback (a subclass: the same rule, the
same arguments) that

- replays the saved history through that rule when training begins, which
  gives back the best score, the best epoch, the wait counter and whether the
  training already stopped: all are functions of the epochs' logs;
- saves the best weights in the checkpoint folder when an epoch improves
  (``epochs/best-b.weights.h5``), a file the epoch's record names, so they are
  never newer than the epoch the folder resumes from; a resumed training loads
  them, and restores them at the end as an uninterrupted training does.

Without a folder, ``keras_early_stopping`` gives Keras's own callback with the same
settings, so a training with a folder and the same training without one stop
at the same epoch with the same weights.

The direction of the monitored log (``monitor_mode``): maximised for an
accuracy or an AUC, minimised otherwise. Keras's ``"auto"`` infers it from the
model's metrics, which the first training step builds: too late for the replay.
"""

import keras


def monitor_mode(monitor):
    """``"max"`` for a log naming an accuracy or AUC, else ``"min"``.

    Args:
        monitor: a log name such as ``"val_loss"`` or ``"val_accuracy"``.

    Returns:
        ``"max"`` or ``"min"``.
    """
    return "max" if monitor.endswith(("accuracy", "acc", "auc")) else "min"


def keras_early_stopping(monitor, patience):
    """Keras's ``EarlyStopping`` restoring the best weights, for a training without a folder.

    Args:
        monitor: the log to watch.
        patience: epochs without improvement before stopping.

    Returns:
        A ``keras.callbacks.EarlyStopping``.
    """
    return keras.callbacks.EarlyStopping(
        monitor, patience=patience, mode=monitor_mode(monitor), restore_best_weights=True
    )


def weights_in_file(model, path):
    """The weights (``get_weights`` order) that the weights file ``path`` holds for ``model``,
    leaving ``model``'s weights, optimizer state and other variables as they were.

    Args:
        model: a built model of the file's architecture.
        path: a ``.weights.h5`` file.

    Returns:
        A list of NumPy arrays.
    """
    optimizer = getattr(model, "optimizer", None)
    variables = list(model.variables)
    if optimizer is not None and optimizer.built:
        variables += list(optimizer.variables)
    kept = [variable.numpy() for variable in variables]
    model.load_weights(str(path))
    weights = model.get_weights()
    for variable, value in zip(variables, kept):
        variable.assign(value)
    return weights


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """Keras's ``EarlyStopping`` (best weights restored at the end) that a resumed
    ``checkpoint`` continues.

    Put it before ``checkpoint.callbacks()`` in ``fit``'s callbacks: the epoch's
    record must name the best weights it saves (the checkpoint's callback
    refuses the other order).

    Args:
        checkpoint: a ``deepkit.checkpoints.Checkpoint`` (a stage).
        monitor: the log to watch; maximised if it names an accuracy or AUC.
        patience: epochs without improvement before stopping.
    """

    def __init__(self, checkpoint, monitor, patience):
        super().__init__(
            monitor, patience=patience, mode=monitor_mode(monitor), restore_best_weights=True
        )
        self.checkpoint = checkpoint
        self.last_epoch = None  # the last epoch seen, for the checkpoint's order check

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        checkpoint = self.checkpoint
        checkpoint.check_unfinished()
        checkpoint.stopper = self
        history = checkpoint.history
        self.restore_best_weights = False  # replayed epochs have no weights to copy
        try:
            for epoch, epoch_logs in enumerate(history):
                super().on_epoch_end(epoch, epoch_logs)
        finally:
            self.restore_best_weights = True
        self.last_epoch = len(history) - 1 if history else None
        if self.best is None:
            return  # no epoch logged the monitor yet: no best weights
        entry = checkpoint.epoch_file("best_weights")
        if entry is None or entry.get("epoch") != self.best_epoch + 1:
            checkpoint.refuse(
                f"its history's best {self.monitor} is at epoch {self.best_epoch + 1}, but "
                f"epoch.json names {'no best weights' if entry is None else entry['name']}"
            )
        self.best_weights = weights_in_file(self.model, checkpoint.directory / entry["name"])

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        self.last_epoch = epoch
        if self.best_weights is not None and self.best_epoch == epoch:
            self.checkpoint.add_epoch_file(
                "best_weights", f"best-{epoch + 1}.weights.h5", self.model, epoch=epoch + 1
            )

    def on_train_end(self, logs=None):
        super().on_train_end(logs)
        if self.checkpoint.stopper is self:
            self.checkpoint.stopper = None
