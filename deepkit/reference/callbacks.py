"""Callbacks for ``Sequential.fit`` (mirror keras/src/callbacks/callback.py,
history.py, early_stopping.py and the progress bar of progbar_logger.py)."""

import sys
import time

from deepkit.validation import InputError


class Callback:
    """Hooks called by ``fit``; ``self.model`` is set before training starts."""

    model = None

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_train_batch_end(self, batch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class History(Callback):
    """``history.history``: a dict of per-epoch lists, keyed like Keras's
    ("loss", "accuracy", "val_loss", ...); ``history.epoch``: epoch indices."""

    def __init__(self):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for
    ``patience`` epochs; with ``restore_best_weights`` end with the weights of
    the best epoch. Same rules as Keras (mode "auto": max for accuracy-like
    names, else min)."""

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        if mode not in ("auto", "min", "max"):
            raise InputError(f"EarlyStopping mode must be auto, min or max, got {mode!r}")
        if mode == "auto":
            mode = "max" if monitor.endswith(("acc", "accuracy", "auc")) else "min"
        self.monitor, self.patience, self.verbose = monitor, patience, verbose
        self.mode, self.baseline = mode, baseline
        self.min_delta = abs(min_delta) if mode == "max" else -abs(min_delta)
        self.restore_best_weights, self.start_from_epoch = restore_best_weights, start_from_epoch

    def _is_improvement(self, value, reference):
        if reference is None:
            return True
        if self.mode == "max":
            return value - self.min_delta > reference
        return value - self.min_delta < reference

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best, self.best_weights = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping monitors {self.monitor!r}, which fit does not "
                f"log; available: {', '.join(logs)}"
            )
        current = logs[self.monitor]
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights, self.best_epoch = self.model.get_weights(), epoch
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(
                    f"Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ProgbarLogger(Callback):
    """Keras-style progress: ``verbose=1`` a bar redrawn at most every 0.05 s,
    ``verbose=2`` one line per epoch."""

    def __init__(self, verbose=1, epochs=1, steps=1, file=None):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        self.file = file or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        print(f"Epoch {epoch + 1}/{self.epochs}", file=self.file)
        self._start = self._last = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        now = time.perf_counter()
        if self.verbose == 1 and now - self._last >= 0.05:
            self._last = now
            self._write(batch + 1, logs, end="\r")

    def on_epoch_end(self, epoch, logs=None):
        self._write(self.steps, logs, end="\n")

    def _write(self, step, logs, end):
        elapsed = time.perf_counter() - self._start
        per_step = elapsed / max(step, 1)
        unit = (
            f"{per_step * 1e3:.0f}ms/step" if per_step >= 1e-3 else f"{per_step * 1e6:.0f}us/step"
        )
        metrics = " - ".join(f"{k}: {v:.4f}" for k, v in (logs or {}).items())
        if self.verbose == 1:
            done = int(20 * step / self.steps)
            bar = "\u2501" * done + " " * (20 - done)
            line = f"{step}/{self.steps} {bar} {elapsed:.0f}s {unit}"
        else:
            line = f"{step}/{self.steps} - {elapsed:.0f}s - {unit}"
        print(f"{line} - {metrics}" if metrics else line, end=end, file=self.file, flush=True)
