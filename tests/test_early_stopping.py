"""Early stopping with a checkpoint folder decides as Keras's does, and a resumed training
stops at the same epoch with the best epoch's weights."""

import keras
import pytest
from resume_helpers import Stop, TinyTraining, assert_same, same

from deepkit.checkpoints import Checkpoint, NoCheckpoint
from deepkit.early_stopping import ResumableEarlyStopping, monitor_mode

# The monitored log: best at the second epoch; with patience 4 the training stops
# after the sixth (four epochs without improvement after the best).
SCORES = [5.0, 1.0, 4.0, 3.0, 2.0, 6.0, 7.0, 8.0]
BEST, LAST = 1, 5


@pytest.fixture(scope="module")
def tiny():
    return TinyTraining()


def test_the_direction_follows_the_monitored_log():
    assert [monitor_mode(m) for m in ("val_accuracy", "acc", "val_auc", "val_loss", "mse")] == [
        "max", "max", "max", "min", "min"
    ]  # fmt: skip


def test_with_and_without_a_folder_the_training_stops_alike_with_the_same_weights(tmp_path):
    """The validation loss of this training is best at the fifth epoch; patience 1 stops
    it after the sixth, with the fifth's weights."""
    tiny = TinyTraining(seed=4)
    plain = tiny.fit(NoCheckpoint(), 10, patience=1)
    plain_state = tiny.state()
    kept = tiny.fit(Checkpoint(tmp_path, {}), 10, patience=1)
    assert kept == plain and len(plain["val_loss"]) == 6
    assert min(plain["val_loss"]) == plain["val_loss"][4]
    assert_same(tiny.state(), plain_state)


def test_training_fit_with_a_checkpoint_folder_equals_it_without(tmp_path):
    """``deepkit.training.fit``, which feeds the same (seed, epoch)-ordered data with a
    checkpoint and without one."""
    from deepkit.training import fit

    tiny = TinyTraining(seed=4)
    data = dict(epochs=10, batch_size=16, validation_data=tiny.validation, patience=1, seed=4)
    tiny.reset()
    _, plain = fit(tiny.model, tiny.x, tiny.y, **data)
    plain_state = tiny.state()
    tiny.reset()
    _, kept = fit(tiny.model, tiny.x, tiny.y, checkpoint=Checkpoint(tmp_path, {}), **data)
    assert kept == plain and len(plain["loss"]) < 10
    assert_same(tiny.state(), plain_state)


def _best_epoch_weights():
    """A callback keeping the weights at the end of epoch ``BEST``."""
    kept = []

    def keep(epoch, logs):
        if epoch == BEST:
            kept.append([w.copy() for w in callback.model.get_weights()])

    callback = keras.callbacks.LambdaCallback(on_epoch_end=keep)
    return callback, kept


def _stop_at(epoch_to_stop):
    def stop(epoch, logs):
        if epoch == epoch_to_stop:
            raise Stop

    return keras.callbacks.LambdaCallback(on_epoch_begin=stop)


@pytest.mark.parametrize("after", [2, 3])
def test_a_training_killed_epochs_after_its_best_restores_the_best_epochs_weights(
    tiny, tmp_path, after
):
    """Killed ``after`` epochs after the best one (its record written): the resumed
    training stops at the same epoch and ends with the best epoch's weights, not those
    of the epoch it resumed from."""
    keeper, best = _best_epoch_weights()
    whole = tiny.fit(Checkpoint(tmp_path / "whole", {}), 8, scores=SCORES, patience=4,
                     before=[keeper])  # fmt: skip
    assert len(whole["score"]) == LAST + 1
    state = tiny.state()
    assert_same(tiny.weights(), best[0])  # early stopping restored the best epoch's

    folder = tmp_path / "killed"
    with pytest.raises(Stop):
        tiny.fit(Checkpoint(folder, {}), 8, scores=SCORES, patience=4,
                 before=[_stop_at(BEST + after + 1)])  # fmt: skip
    assert not same(tiny.weights(), best[0])
    resumed = tiny.fit(Checkpoint(folder, {}), 8, scores=SCORES, patience=4)
    assert resumed == whole
    assert_same(tiny.state(), state)


def test_a_training_that_stopped_trains_nothing_when_run_again(tiny, tmp_path):
    """Stopped by early stopping, the stage not finished (a kill after the last epoch, or
    ``fit`` alone): the rerun trains no epoch and restores the best epoch's weights."""
    whole = tiny.fit(Checkpoint(tmp_path, {}), 8, scores=SCORES, patience=4)
    state = tiny.state()
    epochs = []
    counter = keras.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e))
    again = tiny.fit(Checkpoint(tmp_path, {}), 8, scores=SCORES, patience=4, before=[counter])
    assert epochs == [] and again == whole
    assert_same(tiny.state(), state)


def test_early_stopping_must_come_before_the_checkpoints_callbacks(tiny, tmp_path):
    checkpoint = Checkpoint(tmp_path, {})
    stopper = checkpoint.early_stopping("score", 2)
    assert isinstance(stopper, ResumableEarlyStopping)
    tiny.reset()
    scores = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: logs.update(score=1.0))
    with pytest.raises(RuntimeError, match="must come before checkpoint.callbacks()"):
        tiny.model.fit(tiny.data, epochs=1, verbose=0, shuffle=False,
                       callbacks=[scores, *checkpoint.callbacks(), stopper])  # fmt: skip
