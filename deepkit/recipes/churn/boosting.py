"""Tabular networks against gradient boosting on the churn test splits: ``against_boosting``.

For each seed, from that seed's training split alone:

1. ``choose``: every configuration of ``CANDIDATES`` (MLPs with and without numerical
   embeddings, TabM-mini ensembles) is trained on validation carves of the training split and
   scored by its mean validation ROC AUC; the best is chosen. Its epochs are chosen there too:
   every net stops early on its carve's loss and keeps its best weights.
2. ``fit_members``: ``ensemble`` nets of the chosen configuration, each on its own carve
   (seeds ``seed + 1000 i``), for seed ensembling.

Only then is the test split read, once (``score_on_test``): the first net alone, the mean
probability of the ``ensemble`` nets, and gradient boosting with its library defaults
(scikit-learn's HistGradientBoostingClassifier; LightGBM's LGBMClassifier when the optional
``lightgbm`` package is installed), all on the same preprocessed rows.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from deepkit.recipes.churn.configs import CANDIDATES, settings_of
from deepkit.recipes.churn.hypersearch import OBJECTIVE, epoch_lines, fit_carved, validation_scores
from deepkit.recipes.churn.steps import (
    classification_metrics,
    labels,
    load_data,
    predict_probabilities,
    preprocess,
    split,
)
from deepkit.recipes.churn.tuning import Table
from deepkit.validation import InputError, check_int, check_seed

CARVES = 2  # validation carves per candidate
ENSEMBLE = 5  # nets of the chosen configuration averaged
MEMBER_SEED_STEP = 1000  # member i trains on carve seed + 1000 i, never a selection carve


@dataclass
class Comparison:
    """What ``against_boosting`` measured, per seed in ``seeds``.

    ``validation[name]``: each seed's mean validation ROC AUC of candidate ``name``;
    ``epochs[name]``: the epochs it trained, per seed (mean over carves); ``chosen``: the
    candidate chosen for each seed; ``test[row]`` and ``accuracy[row]``: each seed's test ROC
    AUC and accuracy of the chosen net (``"1 net"``, ``"mean of N nets"``) and of each boosting
    library; ``seconds``: the whole comparison's wall time.
    """

    seeds: list
    ensemble: int
    validation: dict = field(default_factory=dict)
    epochs: dict = field(default_factory=dict)
    chosen: list = field(default_factory=list)
    test: dict = field(default_factory=dict)
    accuracy: dict = field(default_factory=dict)
    seconds: float = 0.0

    def tables(self):
        """Two ``Table``s: every candidate on validation carves, then the test splits."""
        seeds = ", ".join(map(str, self.seeds))
        validation = Table(
            f"Candidates on validation carves of each training split (seeds {seeds}), "
            "mean validation ROC AUC; * chosen",
            ["candidate", "mean", "per seed", "epochs per seed"],
            [
                [
                    name,
                    f"{np.mean(scores):.4f}",
                    " ".join(
                        f"{s:.4f}{'*' if c == name else ' '}" for s, c in zip(scores, self.chosen)
                    ),
                    " ".join(f"{e:.0f}" for e in self.epochs[name]),
                ]
                for name, scores in self.validation.items()
            ],
        )
        test = Table(
            f"Churn test splits (2,000 customers each), read once after the choice, seeds {seeds}",
            ["model", "ROC AUC", "accuracy", "ROC AUC per seed"],
            [
                [
                    row,
                    f"{np.mean(aucs):.4f}",
                    f"{np.mean(self.accuracy[row]):.4f}",
                    " ".join(f"{a:.4f}" for a in aucs),
                ]
                for row, aucs in self.test.items()
            ],
            notes=[
                "chosen: " + "; ".join(f"seed {s} {c}" for s, c in zip(self.seeds, self.chosen)),
                f"{self.seconds:.0f} seconds",
            ],
        )
        return validation, test

    def report(self):
        return "\n\n".join(table.report() for table in self.tables())


def choose(train_frame, candidates, carve_seeds, verbose=0):
    """``(scores, chosen)``: each candidate's ``validation_scores`` on the carves ``carve_seeds``
    of ``train_frame`` (a list per candidate) and the name of the best mean ROC AUC."""
    scores = {
        name: validation_scores(train_frame, settings, carve_seeds, epoch_lines(verbose))
        for name, settings in candidates.items()
    }
    means = {name: np.mean([s[OBJECTIVE] for s in runs]) for name, runs in scores.items()}
    return scores, max(means, key=means.get)


def fit_members(train_frame, settings, seed, count, verbose=0):
    """``count`` nets of ``settings``, each ``(model, preprocessor)`` from ``fit_carved`` on
    ``train_frame`` with carve seed ``seed + MEMBER_SEED_STEP * i``."""
    members = []
    for i in range(count):
        model, preprocessor, _, _ = fit_carved(
            train_frame, settings, seed + MEMBER_SEED_STEP * i, epoch_lines(verbose)
        )
        members.append((model, preprocessor))
    return members


def score_on_test(members, test_frame):
    """The one read of the test split: ``(first net's metrics, metrics of the mean
    probability of all members)`` (``classification_metrics``)."""
    y_test = labels(test_frame)
    probabilities = [
        predict_probabilities(model, preprocessor.transform(test_frame).astype(np.float32))
        for model, preprocessor in members
    ]
    return (
        classification_metrics(y_test, probabilities[0]),
        classification_metrics(y_test, np.mean(probabilities, axis=0)),
    )


def boosting_models(seed):
    """Gradient boosting with each library's defaults, seeded: ``{name: classifier}``;
    LightGBM only when it is installed (``pip install deepkit[boosting]``)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    models = {"HistGradientBoosting": HistGradientBoostingClassifier(random_state=seed)}
    try:
        import lightgbm
    except ImportError:
        return models
    models["LightGBM"] = lightgbm.LGBMClassifier(random_state=seed, verbose=-1)
    return models


def against_boosting(
    seeds=(0, 1, 2),
    candidates=None,
    carves=CARVES,
    ensemble=ENSEMBLE,
    max_epochs=None,
    verbose=0,
):
    """Networks chosen on validation carves vs gradient boosting, on the same test splits.

    Args:
        seeds: the splits (``split(load_data(), 0.2, seed)``), seeds of everything else too.
        candidates: ``{name: configuration}`` to choose from (default ``CANDIDATES``).
        carves: validation carves per candidate (carve seeds ``seed, seed + 1, ...``).
        ensemble: nets of the chosen configuration averaged (seed ensembling).
        max_epochs: caps every candidate's epochs (``None``: their own).
        verbose: 1 prints each seed's progress, 2 also every training epoch.

    Returns:
        A ``Comparison``.

    Raises:
        InputError: for bad seeds, counts or candidates, before any training.
    """
    seeds = [check_seed(seed, "seeds") for seed in seeds]
    carves = check_int(carves, "carves", min_value=1)
    ensemble = check_int(ensemble, "ensemble", min_value=1)
    if max_epochs is not None:
        max_epochs = check_int(max_epochs, "max_epochs", min_value=1)
    candidates = dict(CANDIDATES if candidates is None else candidates)
    if not candidates:
        raise InputError("candidates must name at least one configuration")
    candidates = {
        name: settings_of(config, epochs=max_epochs) for name, config in candidates.items()
    }
    start = time.perf_counter()
    result = Comparison(seeds, ensemble)
    result.validation = {name: [] for name in candidates}
    result.epochs = {name: [] for name in candidates}
    for seed in seeds:
        train_frame, test_frame = split(load_data(), 0.2, seed)
        scores, chosen = choose(train_frame, candidates, tuple(range(seed, seed + carves)), verbose)
        for name, runs in scores.items():
            result.validation[name].append(float(np.mean([r[OBJECTIVE] for r in runs])))
            result.epochs[name].append(float(np.mean([r["epochs"] for r in runs])))
        result.chosen.append(chosen)
        if verbose:
            print(f"seed {seed}: chose {chosen}", flush=True)
        members = fit_members(train_frame, candidates[chosen], seed, ensemble, verbose)
        names = ("chosen net, 1", f"chosen nets, mean of {ensemble}")
        rows = dict(zip(names, score_on_test(members, test_frame)))
        _, x_train, x_test = preprocess(train_frame, test_frame)
        for name, model in boosting_models(seed).items():
            model.fit(x_train, labels(train_frame))
            rows[name] = classification_metrics(
                labels(test_frame), model.predict_proba(x_test)[:, 1]
            )
        for row, metrics in rows.items():
            result.test.setdefault(row, []).append(metrics["roc_auc"])
            result.accuracy.setdefault(row, []).append(metrics["accuracy"])
    result.seconds = time.perf_counter() - start
    return result
