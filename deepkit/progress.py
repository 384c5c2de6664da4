"""One live progress line for a training on a terminal.

Keras's ``verbose=1`` prints a progress bar and then a line per epoch, so a run of
50 epochs leaves 100 lines behind. ``ProgressLine`` rewrites one line instead::

    Epoch 12/50 · batch 640/800 · loss 0.3412 · 4.1 s left

and leaves the final epoch's line when training ends. The time left is the mean
seconds of a finished epoch (after the first, whose graph tracing would otherwise
inflate it) times the epochs to go, the current one counted by its share of batches.
"""

import sys
import time

import keras


class ProgressLine(keras.callbacks.Callback):
    """A Keras callback that keeps one updating line on ``stream`` (stderr by default).

    Args:
        stream: where the line goes; a terminal, since it is rewritten with ``\\r``.
        every: seconds between two updates within an epoch.
    """

    def __init__(self, stream=None, every=0.1):
        super().__init__()
        self.stream = stream or sys.stderr
        self.every = every

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs") or 0
        self.steps = self.params.get("steps")
        self.timed_epochs, self.timed_seconds = 0, 0.0
        self.shown = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.epoch_start = time.perf_counter()
        self.batch = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batch = batch + 1
        now = time.perf_counter()
        if now - self.shown >= self.every:
            self.shown = now
            done = min(self.batch / self.steps, 1.0) if self.steps else 0.0
            self._write(logs, done)

    def on_epoch_end(self, epoch, logs=None):
        if epoch > 0:  # the first epoch traces the graph: not a fair sample of an epoch
            self.timed_epochs += 1
            self.timed_seconds += time.perf_counter() - self.epoch_start
        self.steps = self.steps or self.batch
        self._write(logs, 1.0)

    def on_train_end(self, logs=None):
        self.stream.write("\n")
        self.stream.flush()

    def _write(self, logs, done):
        """The line for the current epoch, ``done`` the share of its batches finished."""
        parts = [f"Epoch {self.epoch + 1}/{self.epochs}"]
        if self.steps and self.steps > 1:
            parts.append(f"batch {self.batch}/{self.steps}")
        if logs and "loss" in logs:
            parts.append(f"loss {float(logs['loss']):.4f}")
        if self.timed_epochs:
            per_epoch = self.timed_seconds / self.timed_epochs
            parts.append(f"{per_epoch * (self.epochs - self.epoch - done):.1f} s left")
        self.stream.write("\r" + " · ".join(parts) + "\033[K")
        self.stream.flush()
