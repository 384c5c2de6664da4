"""The KerasTuner search (``deepkit.recipes.churn.hypersearch``): every searched hyperparameter
reaches the net, each trial's score is the validation ROC AUC of the trial's own settings,
the results are saved as JSON (never pickled), bad arguments are refused before any work."""

import json
import re

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from deepkit.recipes import churn
from deepkit.recipes.churn import configs, hypersearch
from deepkit.seeding import set_seed
from deepkit.validation import InputError


@pytest.fixture(scope="module")
def small_train_frame():
    return churn.split(churn.load_data().head(1500), 0.2, seed=0)[0]


@pytest.fixture(scope="module")
def summary(small_train_frame, tmp_path_factory):
    directory = tmp_path_factory.mktemp("search")
    found = hypersearch.search(
        small_train_frame, seed=3, max_trials=2, max_epochs=2, carves=(0,), directory=directory
    )
    return found, directory


def test_every_searched_hyperparameter_reaches_the_net():
    import keras
    import keras_tuner

    _, hypermodel_class, _ = hypersearch._keras_tuner()
    hypermodel = hypermodel_class(max_epochs=7)
    hp = keras_tuner.HyperParameters()
    values = {"depth": 2, "units": 64, "dropout": 0.3, "learning_rate": 0.03, "batch_size": 32}
    for name, value in {**values, "l2": 1e-3}.items():
        hp.Fixed(name, value)
    model = hypermodel.build(hp)
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    assert [layer.units for layer in dense] == [64, 32, 1]
    assert [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)] == [
        0.3,
        0.3,
    ]
    assert float(model.optimizer.learning_rate) == pytest.approx(0.03)
    penalty = sum(1e-3 * np.sum(np.square(layer.kernel.numpy())) for layer in dense)
    assert float(sum(model.losses)) == pytest.approx(penalty, rel=1e-5)
    settings = hypermodel.settings(hp)
    assert (settings["batch_size"], settings["epochs"]) == (32, 7)
    assert hypersearch.build_net({**settings, "l2": 0.0}).losses == []


def test_each_trial_scores_its_settings_by_validation_roc_auc(summary, small_train_frame):
    found, _ = summary
    scores = [trial["val_roc_auc"] for trial in found["trials"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)
    assert found["best"] == {**configs.tuned_settings(found["trials"][0]["values"]), "epochs": 2}
    for trial in found["trials"]:
        settings = {**configs.tuned_settings(trial["values"]), "epochs": 2}
        # by hand from the steps: carve 0, scaling fitted on the rest, early stopping on the carve
        fit_frame, validation_frame = churn.carve(small_train_frame, 0.15, seed=0)
        _, x, x_validation = churn.preprocess(fit_frame, validation_frame)
        y_validation = churn.labels(validation_frame)
        set_seed(0)
        model, history = churn.train(
            hypersearch.build_net(settings, 0),
            x,
            churn.labels(fit_frame),
            2,
            trial["values"]["batch_size"],
            validation_data=(x_validation, y_validation),
            patience=10,
            feed="graph",
        )
        expected = roc_auc_score(y_validation, churn.predict_probabilities(model, x_validation))
        assert trial["val_roc_auc"] == pytest.approx(expected, abs=1e-6)
        assert trial["epochs"] == len(history["loss"]) == 2


def test_search_results_are_saved_as_json_never_pickled(summary):
    found, directory = summary
    assert json.loads((directory / "churn_search.json").read_text()) == json.loads(
        json.dumps(found)
    )
    oracle = json.loads((directory / "churn_seed_3" / "oracle.json").read_text())
    assert len(oracle["end_order"]) == 2
    files = [path.suffix for path in directory.rglob("*") if path.is_file()]
    assert set(files) == {".json"}


def test_bad_search_arguments_are_refused_before_any_work(small_train_frame, tmp_path):
    (tmp_path / "file.txt").write_text("not a directory")
    refused = {
        "max_trials must be an int >= 1, got 0": dict(max_trials=0),
        "max_epochs must be an int >= 1, got 2.5": dict(max_epochs=2.5),
        "seed must be an int >= 0 and <= 4294967295, got -1": dict(seed=-1),
        "carves must be a non-empty tuple of seeds, got ()": dict(carves=()),
        "carves must be an int >= 0, got 'a'": dict(carves=("a",)),
        "file.txt: exists and is not a directory": dict(directory=tmp_path / "file.txt"),
    }
    for message, arguments in refused.items():
        with pytest.raises(InputError, match=re.escape(message)):
            hypersearch.search(small_train_frame, **arguments)
    with pytest.raises(InputError, match="unknown value 'Mars'"):
        hypersearch.search(small_train_frame.assign(Geography="Mars"))
