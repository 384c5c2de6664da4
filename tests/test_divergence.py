"""deepkit.divergence.RaiseOnNaN names the batch whose loss turned NaN: with Keras's own
loop (one step per call) and with deepkit.epoch_loop (a whole epoch in one call), including
the last, smaller batch of an epoch."""

import numpy as np
import pytest

from deepkit import distribute, epoch_loop
from deepkit.divergence import RaiseOnNaN
from deepkit.models import churn_ann
from deepkit.validation import InputError

ROWS, BATCH, SEED = 43, 10, 0  # 4 full batches of 10 and a last one of 3: batch 5


def _data(position):
    """Churn-shaped data whose label at ``position`` of epoch 1's order is NaN, so the loss
    turns NaN in the batch holding that position (and not before)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, 11)).astype("float32")
    y = rng.integers(0, 2, ROWS).astype("float32")
    y[epoch_loop._epoch_rows(ROWS, SEED, 0).numpy()[position]] = np.nan
    return x, y


def _diverge(x, y, loop):
    model = churn_ann(seed=0, jit_compile=False)  # no XLA to compile: a fast test
    with pytest.raises(InputError, match="training diverged") as error:
        if loop:  # one graph call trains the whole epoch
            order = distribute.epoch_order(SEED)
            model.train_function = epoch_loop.EpochLoop(model, BATCH, order)
            callbacks = [order, RaiseOnNaN()]
            model.fit(epoch_loop.epochs_dataset(x, y), epochs=1, shuffle=False,
                      callbacks=callbacks, verbose=0)  # fmt: skip
        else:  # Keras's loop, one step per call, on the same batches
            model.fit(epoch_loop.batches(x, y, BATCH, SEED, 1), epochs=1, steps_per_epoch=5,
                      shuffle=False, callbacks=[RaiseOnNaN()], verbose=0)  # fmt: skip
    return str(error.value)


@pytest.mark.parametrize("loop", [False, True], ids=["keras-loop", "epoch-loop"])
def test_a_nan_in_the_last_smaller_batch_is_named_as_that_batch(loop):
    """Position 41 of the epoch's order lies in the last batch, of 3 rows: batch 5, not 4."""
    message = _diverge(*_data(41), loop)
    assert message.startswith("training diverged at epoch 1, batch 5: loss is nan;")
