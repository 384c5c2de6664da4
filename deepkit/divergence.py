"""``RaiseOnNaN``: Keras's ``TerminateOnNaN`` made to fail loudly.

Keras's callback stops a run whose loss became NaN or infinite and lets ``fit``
return as if it had finished (or raises a bare ``RuntimeError``); a recipe
would then report the accuracy of a broken model. ``RaiseOnNaN`` raises
deepkit's ``InputError`` instead, with the same words as the NumPy reference
(``deepkit.reference.trainer.diverged``)::

    training diverged at epoch 1, batch 3: loss is nan; lower the learning rate (0.1 now)

Keras reports batches once per graph call, so with ``steps_per_execution=n``
the batch named is the last of the call in which the loss diverged; with
``deepkit.epoch_loop`` (one call per epoch) it is the batch that diverged.
"""

import math

import keras
import numpy as np

from deepkit.reference.trainer import diverged


class RaiseOnNaN(keras.callbacks.TerminateOnNaN):
    """Raise ``InputError`` at the first batch where a logged loss ("loss", or a GAN's
    "d_loss" and "g_loss") is NaN or infinite."""

    def __init__(self):
        super().__init__(raise_error=True)
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            if name.endswith("loss") and not math.isfinite(float(value)):
                rate = learning_rate(self.model)
                # An EpochLoop runs a whole epoch in one call and knows the batch.
                batch = getattr(self.model.train_function, "batches_run", batch + 1)
                raise diverged(self._epoch + 1, batch, float(value), rate, name)


def learning_rate(model):
    """The optimizer's current learning rate as a float (schedules included), or None."""
    try:
        return float(np.asarray(model.optimizer.learning_rate))
    except (AttributeError, TypeError, ValueError):
        return None
