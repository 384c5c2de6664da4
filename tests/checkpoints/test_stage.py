"""The stage protocol: a stage with a folder ends as the same stage without one, a
finished stage returns its results without training, and a folder that does not fit
(another model, an older layout, other arguments, a bad stage name) is refused."""

import pytest
from resume_helpers import assert_same

from deepkit.checkpoints import Checkpoint, NoCheckpoint, open_checkpoint
from deepkit.validation import InputError

from ._stages import FINISHED_FILES, files, run_stage


def test_a_stage_with_a_folder_equals_the_stage_without(uninterrupted):
    (plain_state, plain_results), (state, results) = uninterrupted
    assert_same(plain_state, state)  # weights, optimizer state and generator states
    assert results == plain_results and len(results["history"]["score"]) == 3


def test_a_finished_stage_returns_its_results_without_training(tiny, tmp_path, uninterrupted):
    _, (state, results) = uninterrupted
    folder = tmp_path / "run"
    assert run_stage(tiny, folder)[1] == results
    assert files(folder) == FINISHED_FILES

    def train(stage):
        raise AssertionError("a finished stage trained again")

    tiny.reset()
    stage = open_checkpoint(folder, {"epochs": 3}).stage("tiny")
    assert stage.finished and stage.run(tiny.model, train) == results
    assert_same(tiny.state(), state)
    # The run folder is a stage too: a run of one training keeps its results.
    single = tmp_path / "single"
    tiny.reset()
    assert open_checkpoint(single, {}).run(tiny.model, lambda stage: {"epochs": 0}) == {"epochs": 0}
    assert open_checkpoint(single, {}).run(tiny.model, train) == {"epochs": 0}
    # Without a folder, run trains: train gets the NoCheckpoint.
    assert NoCheckpoint().run(tiny.model, lambda stage: {"got": type(stage).__name__}) == {
        "got": "NoCheckpoint"
    }


def test_a_folder_whose_training_ended_trains_nothing_again(tiny, tmp_path):
    """Without ``finish`` (``deepkit.training.fit`` alone): the rerun trains no epoch."""
    first = tiny.fit(Checkpoint(tmp_path, {}), 3)
    state = tiny.state()
    epochs = []
    from keras.callbacks import LambdaCallback

    counter = LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs.append(epoch))
    again = tiny.fit(Checkpoint(tmp_path, {}), 3, before=[counter])
    assert epochs == [] and again == first and len(first["loss"]) == 3
    assert_same(tiny.state(), state)


def test_weights_that_do_not_fit_the_model_are_refused(tiny, tmp_path):
    import keras

    stage = Checkpoint(tmp_path, {}).stage("a")
    stage.finish(tiny.model, accuracy=0.5)
    other = keras.Sequential([keras.Input((3,)), keras.layers.Dense(9), keras.layers.Dropout(0.3),
                              keras.layers.Dense(1)])  # fmt: skip
    with pytest.raises(
        InputError,
        match=r"a: final.weights.h5 does not fit this model \(.*\); "
        "build the model the run was started with, or delete the folder",
    ):
        stage.restore(other)
    with pytest.raises(InputError, match="the stage is finished: restore it"):
        tiny.fit(stage, 1)


def test_the_folders_of_an_older_layout_other_arguments_and_bad_stage_names_are_refused(tmp_path):
    Checkpoint(tmp_path / "run", {"epochs": 3})
    with pytest.raises(InputError, match=r"holds a run with other arguments \(epochs: 3 then 4\)"):
        Checkpoint(tmp_path / "run", {"epochs": 4})
    (tmp_path / "old" / "backup").mkdir(parents=True)
    with pytest.raises(InputError, match="backup is of an older deepkit's layout; delete"):
        Checkpoint(tmp_path / "old", {})
    run = Checkpoint(tmp_path / "run", {"epochs": 3})
    for name in ("epochs", "a/b", "..", "", "results.json"):
        with pytest.raises(InputError, match="stage name must be a plain folder name"):
            run.stage(name)


def test_no_checkpoint_keeps_nothing():
    import keras

    none = open_checkpoint(None, {"epochs": 3})
    assert isinstance(none, NoCheckpoint) and isinstance(none.stage("a"), NoCheckpoint)
    assert not none.finished and none.callbacks() == []
    history = {"loss": [1.0]}
    assert none.full_history(history) is history
    stop = none.early_stopping("val_accuracy", 2)
    assert type(stop) is keras.callbacks.EarlyStopping and stop.mode == "max"
    assert stop.patience == 2 and stop.restore_best_weights
    assert none.early_stopping("val_loss", 1).mode == "min"
    none.finish(None, accuracy=1.0)
    assert Checkpoint.open is open_checkpoint
