"""deepkit.epoch_loop: an epoch as one graph call trains exactly like Keras's own loop fed the
same batches (bit for bit without XLA, to float32 rounding with it), keeps Keras's fit around
it (validation, early stopping, divergence) and hands the model back to Keras's loop."""

import types

import numpy as np
import pytest
import tensorflow as tf

from deepkit import distribute, epoch_loop
from deepkit.benchmarks.churn import LOSS_RTOL
from deepkit.divergence import RaiseOnNaN
from deepkit.models import churn_ann
from deepkit.recipes import churn
from deepkit.seeding import set_seed
from deepkit.training import fit
from deepkit.validation import InputError

EPOCHS = 3


@pytest.fixture(scope="module")
def data():
    # 403 rows: 40 batches of 10 and a last one of 3.
    train_frame, _ = churn.split(churn.load_data().head(504), 0.2, seed=0)
    _, x = churn.preprocess(train_frame)
    assert len(x) == 403
    return x, churn.labels(train_frame)


@pytest.fixture(scope="module")
def keras_defaults(data):
    """compile() defaults, one graph call per step, fed the loop's batches."""
    x, y = data
    set_seed(0)
    model = churn_ann(seed=0)
    batches = epoch_loop.batches(x, y, 10, seed=0, epochs=EPOCHS)
    history = model.fit(batches, epochs=EPOCHS, steps_per_epoch=41, shuffle=False, verbose=0)
    return model.get_weights(), history.history


def _loop(data, kind, **options):
    set_seed(0)
    model = churn_ann(seed=0)
    _, history = fit(model, *data, epochs=EPOCHS, batch_size=10, seed=0, feed=kind, **options)
    return model, history


def test_the_graph_loop_is_keras_s_step_bit_for_bit(data, keras_defaults):
    weights, history = keras_defaults
    model, loop_history = _loop(data, "graph")
    assert loop_history == history
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(a, b)
    # Not a vacuous equality: other batches (Keras's own shuffle) end elsewhere.
    set_seed(0)
    shuffled = churn_ann(seed=0)
    shuffled.fit(*data, batch_size=10, epochs=EPOCHS, verbose=0)
    assert not np.array_equal(shuffled.get_weights()[0], weights[0])


def test_the_churn_recipe_s_xla_loop_agrees_to_float32_rounding(data, keras_defaults):
    weights, history = keras_defaults
    set_seed(0)
    loop = churn.CONFIGS["tutorial"]["epoch_loop"]
    assert loop == "xla"
    model, loop_history = churn.train(churn_ann(seed=0), *data, EPOCHS, seed=0, feed=loop)
    np.testing.assert_allclose(loop_history["loss"], history["loss"], rtol=LOSS_RTOL)
    np.testing.assert_allclose(loop_history["accuracy"], history["accuracy"], atol=1e-3)
    for a, b in zip(model.get_weights(), weights):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-6)


def test_validation_and_early_stopping_are_keras_s(data):
    x, y = data
    validation = (x[:100], y[:100])
    model, history = _loop((x[100:], y[100:]), "graph", validation_data=validation, patience=0)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert 1 <= len(history["loss"]) <= EPOCHS
    assert model.evaluate(*validation, verbose=0)[0] == pytest.approx(min(history["val_loss"]))
    # Back on Keras's own loop for the model's next fit.
    assert model.train_function is None
    model.fit(x, y, batch_size=50, epochs=1, verbose=0)


def test_a_diverging_loss_names_its_batch_as_keras_does_step_by_step(data):
    x, y = data
    y = y.astype("float32")  # a NaN label: XLA's ReLU maps a NaN input to 0, a label it cannot
    y[200] = np.nan  # the loss turns NaN in the batch that holds row 200
    errors = []
    for kind in (None, "graph"):
        set_seed(0)
        model = churn_ann(seed=0)
        with pytest.raises(InputError, match="training diverged at epoch 1, batch") as error:
            if kind is None:  # Keras's loop, one step per call, on the loop's batches
                batches = epoch_loop.batches(x, y, 10, seed=0, epochs=1)
                model.fit(
                    batches,
                    epochs=1,
                    steps_per_epoch=41,
                    callbacks=[RaiseOnNaN()],
                    shuffle=False,
                    verbose=0,
                )
            else:
                fit(model, x, y, epochs=1, batch_size=10, seed=0, feed=kind)
        errors.append(str(error.value))
    assert errors[0] == errors[1]
    assert "batch 1:" not in errors[1] and "batch 41:" not in errors[1]


def test_bad_input_is_refused_before_training(data):
    x, y = data
    with pytest.raises(InputError, match="strategy must be one of default, mirrored"):
        fit(churn_ann(seed=0), x, y, epochs=1, batch_size=10, feed="fast")
    with pytest.raises(InputError, match="x has 403 rows but y has 402"):
        epoch_loop.epochs_dataset(x, y[:-1])


def test_every_epoch_visits_every_row_once_in_its_own_order():
    """The order is keyed by (seed, epoch): two epochs are two permutations of the same rows,
    in different orders, and each is reproduced from (seed, epoch) alone. (The bit-for-bit
    test above cannot see a key that ignores the epoch: both of its sides would ignore it.)"""
    n, batch = 23, 4  # 5 full batches and a last one of 3
    x, y = np.arange(n, dtype="float32")[:, None], np.arange(n, dtype="float32")
    order = distribute.epoch_order(seed=7)
    loop = epoch_loop.EpochLoop(types.SimpleNamespace(train_step=None), batch, order)

    def visited(epoch):
        """The rows EpochLoop trains on in ``epoch``, in order (x and y still paired)."""
        order.epoch.assign(epoch)
        x_full, y_full, x_rest, y_rest = loop._shuffled(tf.constant(x), tf.constant(y))
        rows = np.concatenate([np.ravel(x_full), np.ravel(x_rest)])
        np.testing.assert_array_equal(rows, np.concatenate([np.ravel(y_full), np.ravel(y_rest)]))
        return rows.astype(int)

    first, second = visited(0), visited(1)
    assert sorted(first) == sorted(second) == list(range(n))
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(visited(0), first)
    # batches(), what Keras's own loop is fed, visits the same rows epoch after epoch
    fed = [np.ravel(rows) for rows, _ in epoch_loop.batches(x, y, batch, seed=7, epochs=2)]
    np.testing.assert_array_equal(np.concatenate(fed).astype(int), np.concatenate([first, second]))
