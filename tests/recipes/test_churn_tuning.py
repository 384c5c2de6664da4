"""Churn tuning on KerasTuner (deepkit.recipes.churn.hypersearch and .tuning): each trial's score is
the validation ROC AUC of the trial's own settings, the test split is never read, the results
are saved as JSON, bad arguments and incomplete configs are refused before any work."""

import json
import re

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from deepkit.recipes import churn
from deepkit.recipes.churn import configs, hypersearch, tuning
from deepkit.validation import InputError
from deepkit.seeding import set_seed


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


def test_incomplete_or_unknown_config_keys_are_named():
    tutorial = configs.CONFIGS["tutorial"]
    incomplete = {k: v for k, v in tutorial.items() if k not in ("dropout", "patience")}
    with pytest.raises(InputError, match="config is missing the keys dropout, patience"):
        configs.settings_of(incomplete)
    with pytest.raises(InputError, match="config has unknown keys dropuot"):
        configs.settings_of({**tutorial, "dropuot": 0.1})
    with pytest.raises(InputError, match=re.escape("got 'tunned'")):
        configs.settings_of("tunned")
    with pytest.raises(InputError, match=re.escape("got ['tuned']")):
        configs.settings_of(["tuned"])
    without_l2 = {k: v for k, v in tutorial.items() if k != "l2"}
    assert configs.settings_of(without_l2, epochs=3) == {**tutorial, "epochs": 3}


def test_grid_point_settings_halve_the_width_per_layer():
    point = {"depth": 3, "units": 16, "dropout": 0.2, "learning_rate": 0.01, "batch_size": 64}
    settings = configs.tuned_settings({**point, "l2": 1e-4})
    assert settings["units"] == (16, 8, 4, 1)
    assert configs.tuned_settings({**point, "units": 32, "l2": 0.0})["units"] == (32, 16, 8, 1)
    assert (settings["dropout"], settings["learning_rate"], settings["batch_size"]) == (
        0.2,
        0.01,
        64,
    )
    assert settings["l2"] == 1e-4
    assert configs.settings_of(settings) == settings


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


def test_tuning_never_sees_the_test_split(monkeypatch):
    frame = churn.load_data().head(1500)
    train_frame, test_frame = churn.split(frame, 0.2, seed=0)

    def tune_on(data):
        monkeypatch.setattr(tuning, "load_data", lambda path=None: data)
        return tuning.tune(seed=0, max_trials=np.int64(1), max_epochs=np.int64(1), carves=1).rows

    def scrambled(rows):
        data = frame.copy()
        data.loc[rows, "Exited"] = 1 - data.loc[rows, "Exited"]
        data.loc[rows, "Age"] = 90
        return data

    rows = tune_on(frame)
    assert len(rows) == 1
    assert tune_on(scrambled(test_frame.index)) == rows
    assert tune_on(scrambled(train_frame.index[:300])) != rows  # while the training rows do count


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
    for call in (
        lambda: tuning.compare(seeds=(0, -2)),
        lambda: tuning.compare(ensemble=0),
        lambda: tuning.tune(carves=0),
    ):
        with pytest.raises(InputError, match="-2|ensemble must be|carves must be"):
            call()


def test_compare_scores_every_model_on_the_same_test_split(monkeypatch):
    from sklearn.ensemble import HistGradientBoostingClassifier

    frame = churn.load_data().head(2000)
    monkeypatch.setattr(tuning, "load_data", lambda path=None: frame)
    short_runs = []

    def short_tutorial_run(seed, config, verbose):
        short_runs.append((seed, config))
        return churn.run(epochs=1, seed=seed, config=config, verbose=verbose)

    monkeypatch.setattr(tuning, "run", short_tutorial_run)
    summaries = []
    monkeypatch.setattr(
        tuning,
        "search",
        lambda *arguments: summaries.append(hypersearch.search(*arguments)) or summaries[-1],
    )
    with threadpool_limits(1):  # spinning OpenMP threads stall HistGradientBoosting when busy
        table = tuning.compare(seeds=(1,), max_trials=1, max_epochs=3, carves=1, ensemble=2)
    assert short_runs == [(1, "tutorial")]
    names = [row[0] for row in table.rows]
    assert names == [
        "deepkit tutorial",
        "deepkit searched, 1 net",
        "deepkit searched, mean of 2 nets",
        "HistGradientBoosting",
    ]
    train_frame, test_frame = churn.split(frame, 0.2, seed=1)
    _, x_train, x_test = churn.preprocess(train_frame, test_frame)
    with threadpool_limits(1):
        boosting = HistGradientBoostingClassifier(random_state=1).fit(
            x_train, churn.labels(train_frame)
        )
    expected = roc_auc_score(churn.labels(test_frame), boosting.predict_proba(x_test)[:, 1])
    assert table.rows[3][2] == f"{expected:.4f}"
    (summary,) = summaries  # searched on seed 1's training split, carve 1
    assert (summary["seed"], summary["carves"], summary["max_epochs"]) == (1, [1], 3)
    model, preprocessor, _, _ = hypersearch.fit_carved(train_frame, summary["best"], seed=1)
    x_test = preprocessor.transform(test_frame).astype(np.float32)
    one_net = roc_auc_score(churn.labels(test_frame), churn.predict_probabilities(model, x_test))
    assert table.rows[1][2] == f"{one_net:.4f}"
    assert float(table.rows[2][2]) > 0.6  # an untrained net scores about 0.5
    assert "1 of 7,200 grid points" in table.notes[0] and table.notes[1].startswith("seed 1: {")
    assert table.notes[-1].endswith("seconds")
