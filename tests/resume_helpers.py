"""Helpers of the kill-and-resume tests.

In process: ``TinyTraining``, a Dense-Dropout-Dense regression small enough to
train many times in one test, fed by deepkit's (seed, epoch) pipeline and
reset to its initial state between trainings (no retracing)::

    tiny = TinyTraining()
    history = tiny.fit(checkpoint, epochs=3, scores=[3, 1, 2], patience=1)
    weights = tiny.weights()

With subprocesses: start a command, wait until one of its trainings has saved
some epochs, kill it with SIGKILL::

    process = start(command, tmp_path / "killed.log")
    kill_when(process, lambda: epochs_saved(stage_folder) >= 1, tmp_path / "killed.log")
"""

import json
import os
import signal
import subprocess
import time

import numpy as np

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def epochs_saved(folder):
    """The epochs the checkpoint (or stage) ``folder`` holds: those its epoch record names,
    or, once the stage finished, those of its history; 0 if none or unreadable."""
    try:
        return json.loads((folder / "epoch.json").read_text())["epoch"]
    except (OSError, ValueError, KeyError):
        pass
    try:
        json.loads((folder / "finished.json").read_text())
        return len(json.loads((folder / "history.json").read_text()))
    except (OSError, ValueError):
        return 0


def run(command, timeout=300):
    """``command`` run to its end; the ``CompletedProcess`` with its text output."""
    return subprocess.run(command, capture_output=True, text=True, env=ENV, timeout=timeout)


def start(command, log):
    """``command`` started in the background, its output (stdout and stderr) to the file ``log``."""
    with open(log, "w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=ENV)


def kill_when(process, ready, log, timeout=240):
    """SIGKILL ``process`` as soon as ``ready()`` is true (polled every 10 ms); fail with the
    end of its ``log`` if it ends first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(
                f"the run {'ended' if process.returncode != -signal.SIGKILL else 'timed out'} "
                f"before the point to kill it:\n{log.read_text()[-2000:]}"
            )
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL


class Stop(BaseException):
    """Raised in the middle of a training to stand for a kill (a BaseException, so that no
    ``except Exception`` on the way swallows it)."""


class TinyTraining:
    """A 3-8-1 regression with Dropout (so the random generators' state matters) and Adam
    (so the optimizer's state matters), 32 rows in 2 batches of 16 per epoch, ordered by
    (seed, epoch) as ``deepkit.training.fit`` feeds a checkpointed training.

    ``fit`` starts from the same initial weights, optimizer and generator state every
    time (one model, reset), as a new process would.
    """

    def __init__(self, seed=1):
        import keras
        import tensorflow as tf

        from deepkit import distribute

        keras.utils.set_random_seed(seed)
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(48, 3)).astype("float32")
        y = (x @ np.float32([1.0, -2.0, 0.5]) + 0.3 * rng.normal(size=48)).astype("float32")
        self.x, self.y = x[:32], y[:32, None]
        self.validation = (x[32:], y[32:, None])
        self.model = keras.Sequential(
            [
                keras.Input((3,)),
                keras.layers.Dense(8, activation="relu"),
                keras.layers.Dropout(0.3),
                keras.layers.Dense(1),
            ]
        )
        self.model.compile(keras.optimizers.Adam(0.05), "mse")
        self.model.optimizer.build(self.model.trainable_variables)
        self._variables = list(self.model.variables) + list(self.model.optimizer.variables)
        self._initial = [v.numpy() for v in self._variables]
        self.order = distribute.epoch_order(seed)
        self.data = distribute.epoch_dataset(
            tf.distribute.get_strategy(), self.x, self.y, 16, self.order
        )

    def reset(self):
        """Back to the initial weights, optimizer state and generator state."""
        for variable, value in zip(self._variables, self._initial):
            variable.assign(value)
        self.model._initial_epoch = None  # as in a new process

    def fit(self, checkpoint, epochs, *, scores=None, patience=None, monitor=None, before=()):
        """Train from the initial state with ``checkpoint``'s callbacks; the full history.

        Args:
            checkpoint: a ``Checkpoint`` or a ``NoCheckpoint``.
            epochs: epochs to train.
            scores: values logged as ``"score"`` at each epoch (a monitor whose best
                epoch the test chooses), or ``None``.
            patience: early stopping's patience on ``monitor``, or ``None`` for none.
            monitor: the log early stopping watches; ``"score"`` with ``scores``, else
                ``"val_loss"`` (validation data is given then).
            before: callbacks put first (to stop the training at a chosen point).

        Returns:
            ``checkpoint.full_history(...)``.
        """
        import keras

        self.reset()
        callbacks = [self.order, *before]
        if scores is not None:
            callbacks.append(
                keras.callbacks.LambdaCallback(
                    on_epoch_end=lambda epoch, logs: logs.update(score=float(scores[epoch]))
                )
            )
        monitor = monitor or ("score" if scores is not None else "val_loss")
        if patience is not None:
            callbacks.append(checkpoint.early_stopping(monitor, patience))
        callbacks += checkpoint.callbacks()
        validation = None if scores is not None else self.validation
        history = self.model.fit(
            self.data,
            epochs=epochs,
            shuffle=False,  # the dataset orders itself
            validation_data=validation,
            callbacks=callbacks,
            verbose=0,
        )
        return checkpoint.full_history(
            {k: [float(v) for v in values] for k, values in history.history.items()}
        )

    def weights(self):
        """Copies of the model's weights."""
        return [w.copy() for w in self.model.get_weights()]

    def optimizer_state(self):
        """Copies of the optimizer's variables."""
        return [v.numpy().copy() for v in self.model.optimizer.variables]

    def generator_states(self):
        """Copies of the random generators' states (the variables that are not weights)."""
        weights = {id(v) for v in self.model.weights}
        return [v.numpy().copy() for v in self.model.variables if id(v) not in weights]

    def state(self):
        """Everything a training changes: weights, optimizer state, generator states."""
        return self.weights() + self.optimizer_state() + self.generator_states()


def assert_same(a, b):
    """Two lists of arrays equal bit for bit."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def same(a, b):
    """Whether two lists of arrays are equal bit for bit."""
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
