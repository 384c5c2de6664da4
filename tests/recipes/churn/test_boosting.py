"""``against_boosting`` (``deepkit.recipes.churn.boosting``): the choice is made on validation
carves of each training split, the test split is read once, after it; the seed ensemble is the
mean of its nets' probabilities; tabular configurations train, save and load through ``run``."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from deepkit.recipes import churn
from deepkit.recipes.churn import boosting, cli
from deepkit.validation import InputError

TINY = {  # two small tabular candidates, trained for one epoch
    "tiny MLP-PLR": {
        **churn.configs.TABULAR_BASE,
        "units": (8, 1),
        "embedding": {"kind": "periodic", "num_frequencies": 2, "units": 2, "sigma": 0.1},
        "epochs": 1,
    },
    "tiny TabM-mini-PLE": {
        **churn.configs.TABULAR_BASE,
        "units": (8, 1),
        "embedding": {"kind": "piecewise", "bins": 3},
        "heads": 2,
        "epochs": 1,
    },
}


@pytest.fixture
def small_data(monkeypatch):
    frame = churn.load_data().head(1500)
    monkeypatch.setattr(boosting, "load_data", lambda path=None: frame)
    return frame


def test_the_test_split_is_read_once_after_the_choice(small_data, monkeypatch):
    """Per seed: every candidate scored and every member trained on frames holding no test row,
    then one read of the test split; scrambling the test rows changes no validation score or
    choice. Training is faked (a score from the frame's own labels), the order is real."""
    events = []

    def fake_scores(frame, settings, carves, verbose):
        events.append(("validation_scores", set(frame.index)))
        rate = churn.labels(frame).mean()
        return [{"val_roc_auc": rate * settings["dropout"], "epochs": 1} for _ in carves]

    def fake_fit(frame, settings, seed, verbose):
        events.append(("fit_carved", set(frame.index)))
        return Fixed(np.linspace(0, 1, 300)), Fixed([]), None, 1

    def spied_score(members, test_frame):
        events.append(("score_on_test", set(test_frame.index)))
        return real_score(members, test_frame)

    real_score = boosting.score_on_test
    fast = {"HistGradientBoosting": LogisticRegression()}  # a stand-in, fitted like the libraries
    monkeypatch.setattr(boosting, "boosting_models", lambda seed: fast)
    monkeypatch.setattr(boosting, "validation_scores", fake_scores)
    monkeypatch.setattr(boosting, "fit_carved", fake_fit)
    monkeypatch.setattr(boosting, "score_on_test", spied_score)
    candidates = {"low": {**TINY["tiny MLP-PLR"], "dropout": 0.1}, "high": TINY["tiny MLP-PLR"]}
    candidates["high"] = {**candidates["high"], "dropout": 0.3}
    result = boosting.against_boosting((0, 1), candidates, carves=1, ensemble=2)
    for seed, per_seed in zip((0, 1), (events[:5], events[5:])):
        _, test_frame = churn.split(small_data, 0.2, seed)
        names = [name for name, _ in per_seed]
        assert names == ["validation_scores"] * 2 + ["fit_carved"] * 2 + ["score_on_test"]
        assert all(not rows & set(test_frame.index) for _, rows in per_seed[:-1])
        assert per_seed[-1][1] == set(test_frame.index)
    assert result.chosen == ["high", "high"]
    assert list(result.test)[:2] == ["chosen net, 1", "chosen nets, mean of 2"]
    assert "HistGradientBoosting" in result.test

    scrambled = small_data.copy()
    rows = churn.split(small_data, 0.2, 0)[1].index  # seed 0's test rows (seed 1 trains on some)
    scrambled.loc[rows, "Exited"] = 1 - scrambled.loc[rows, "Exited"]
    monkeypatch.setattr(boosting, "load_data", lambda path=None: scrambled)
    again = boosting.against_boosting((0,), candidates, carves=1, ensemble=2)
    assert again.validation == {name: v[:1] for name, v in result.validation.items()}
    assert again.chosen == result.chosen[:1]
    assert again.test["HistGradientBoosting"] != result.test["HistGradientBoosting"][:1]


def test_boosting_uses_each_librarys_defaults_seeded():
    models = boosting.boosting_models(3)
    assert models["HistGradientBoosting"].get_params()["random_state"] == 3
    assert models["HistGradientBoosting"].get_params()["max_iter"] == 100  # the default
    if "LightGBM" in models:  # the optional extra deepkit[boosting]
        assert models["LightGBM"].get_params()["random_state"] == 3


def test_choose_takes_the_best_mean_validation_roc_auc(monkeypatch):
    scores = {"a": [0.80, 0.90], "b": [0.86, 0.86], "c": [0.70, 0.99]}
    monkeypatch.setattr(
        boosting,
        "validation_scores",
        lambda frame, settings, carves, verbose: [
            {"val_roc_auc": s, "epochs": 3} for s in scores[settings]
        ],
    )
    found, chosen = boosting.choose(None, {name: name for name in scores}, (0, 1))
    assert chosen == "b" and found["c"][1]["val_roc_auc"] == 0.99


class Fixed:
    """A fitted member that predicts fixed probabilities (and its identity preprocessor)."""

    def __init__(self, p):
        self.p = np.asarray(p, dtype=np.float64)

    def __call__(self, x, training=False):
        return self.p[:, None]

    def transform(self, frame):
        return np.zeros((len(frame), 11))


def test_the_seed_ensemble_scores_the_mean_of_its_nets_probabilities(table):
    test_frame = table.head(40)
    y = churn.labels(test_frame)
    rng = np.random.default_rng(0)
    members = [(Fixed(p), Fixed(p)) for p in rng.random((3, 40))]
    one, mean = boosting.score_on_test(members, test_frame)
    expected = churn.classification_metrics(y, np.mean([m.p for m, _ in members], axis=0))
    assert mean["roc_auc"] == pytest.approx(expected["roc_auc"])
    assert one["roc_auc"] == pytest.approx(
        churn.classification_metrics(y, members[0][0].p)["roc_auc"]
    )
    assert mean["roc_auc"] != pytest.approx(one["roc_auc"])


def test_a_tabm_mini_config_trains_saves_and_loads_through_run(tmp_path):
    result = churn.run(network=TINY["tiny TabM-mini-PLE"], seed=0)
    assert result.model.output_shape == (None, 2, 1)
    assert 0.0 <= result.customer_probability <= 1.0
    result.save(tmp_path / "bundle")
    bundle = churn.load(tmp_path / "bundle")
    p = bundle.predict_proba(churn.NEW_CUSTOMER)
    assert p.shape == (1,) and p[0] == pytest.approx(result.customer_probability, rel=1e-5)


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda: boosting.against_boosting(seeds=(0, -1)), "-1"),
        (lambda: boosting.against_boosting(carves=0), "carves must be"),
        (lambda: boosting.against_boosting(ensemble=0), "ensemble must be"),
        (lambda: boosting.against_boosting(candidates={}), "at least one configuration"),
        (
            lambda: boosting.against_boosting(
                candidates={"x": {**TINY["tiny MLP-PLR"], "heads": 0}}
            ),
            "heads must be",
        ),
        (
            lambda: boosting.against_boosting(
                candidates={"x": {**TINY["tiny MLP-PLR"], "embedding": {"kind": "fourier"}}}
            ),
            "embedding must be None or a dict",
        ),
    ],
)
def test_bad_arguments_are_refused_before_any_training(call, message, monkeypatch):
    monkeypatch.setattr(boosting, "fit_carved", lambda *a, **k: pytest.fail("trained"))
    with pytest.raises(InputError, match=message):
        call()


def test_describe_names_the_embedding_heads_and_optimizer():
    text = churn.describe(churn.settings_of(churn.CANDIDATES["TabM-mini-PLR"]))
    assert text.startswith("128-128, PLR (16 frequencies, sigma 0.1, 16 units per feature)")
    assert "TabM-mini, 8 heads" in text and "AdamW lr 0.001 decay 0.004" in text


def test_cli_runs_against_boosting_on_three_seeds_and_refuses_other_options(monkeypatch, capsys):
    import argparse

    calls = []

    class Done:
        def report(self):
            return "report"

    monkeypatch.setattr(
        cli, "against_boosting", lambda seeds, verbose: calls.append(seeds) or Done()
    )
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.main(parser.parse_args(["--against-boosting", "--seed", "4"])) == 0
    assert calls == [(4, 5, 6)] and "report" in capsys.readouterr().out
    for extra in (["--epochs", "3"], ["--trials", "2"]):
        with pytest.raises(InputError, match="--against-boosting takes only --seed"):
            cli.main(parser.parse_args(["--against-boosting", *extra]))
