"""The stage protocol without a folder: a run that keeps nothing and resumes nothing."""


class NoCheckpoint:
    """The stage protocol of a run without a folder: nothing kept, nothing resumed.

    ``stage`` returns another ``NoCheckpoint``, ``callbacks`` none, ``run`` calls
    ``train`` and ``finish`` does nothing, so code written for a ``Checkpoint``
    runs unchanged without one.
    """

    directory = None
    finished = False
    resumed_at = 0

    def __init__(self):
        self.history = []

    def stage(self, name):
        """Another ``NoCheckpoint``.

        Args:
            name: the stage's name (unused).

        Returns:
            A ``NoCheckpoint``.
        """
        return NoCheckpoint()

    def callbacks(self):
        """No callbacks.

        Returns:
            An empty list.
        """
        return []

    def full_history(self, keras_history=None):
        """``keras_history`` itself: without a folder, ``fit`` saw every epoch.

        Args:
            keras_history: the history of ``fit`` (``History.history``, a dict
                ``{metric: [value per epoch]}``).

        Returns:
            ``keras_history``, unchanged.
        """
        return keras_history

    def early_stopping(self, monitor, patience):
        """Keras's ``EarlyStopping`` that restores the best weights.

        Args:
            monitor: the log to watch (``"val_loss"``); maximised if it names an
                accuracy or AUC, else minimised.
            patience: epochs without improvement before stopping.

        Returns:
            A ``keras.callbacks.EarlyStopping``.
        """
        from deepkit.early_stopping import keras_early_stopping

        return keras_early_stopping(monitor, patience)

    def run(self, model, train):
        """Train: ``train(self)``'s results.

        Args:
            model: the model ``train`` trains (unused here).
            train: a function of the stage returning the results (a dict).

        Returns:
            What ``train`` returned.
        """
        return train(self)

    def finish(self, model, **results):
        """Nothing to keep.

        Args:
            model: the trained model (unused).
            **results: the stage's results (unused).
        """
