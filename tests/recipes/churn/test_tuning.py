"""``tune`` and ``compare`` (``deepkit.recipes.churn.tuning``): tuning never sees the test
split, ``compare`` scores every model on the same test split, bad arguments are refused
before any work."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from deepkit.recipes import churn
from deepkit.recipes.churn import hypersearch, tuning
from deepkit.validation import InputError


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


def test_bad_compare_and_tune_arguments_are_refused_before_any_work():
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
