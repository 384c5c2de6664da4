"""Choosing and comparing churn nets on validation splits only: ``tune``, ``compare``, ``side_by_side``.

``tune`` scores ``TUNING_GRID`` on validation carves of one training split (it chose
``CONFIGS["tuned"]``); ``compare`` re-chooses on each seed's training split and sets the
tutorial net, the tuned net and HistGradientBoosting side by side on the same test splits.
"""

from dataclasses import dataclass, field

import numpy as np

from deepkit.recipes.churn.configs import TUNING_BASE, TUNING_GRID
from deepkit.recipes.churn.recipe import run
from deepkit.recipes.churn.steps import (
    build,
    carve,
    classification_metrics,
    evaluate,
    labels,
    load_data,
    preprocess,
    split,
    train,
)
from deepkit.report import format_grid
from deepkit.seeding import set_seed
from deepkit.training import ENGINES


@dataclass
class Table:
    """Rows of numbers with a header and a title; ``report()`` prints them aligned."""

    title: str
    header: list
    rows: list
    notes: list = field(default_factory=list)

    def report(self):
        return "\n".join([format_grid(self.header, self.rows, title=self.title), *self.notes])


def validation_scores(train_frame, seed=0, grid=TUNING_GRID, verbose=0):
    """Validation ``(accuracy, roc_auc, epochs)`` of each candidate of ``grid``.

    Only ``train_frame`` is used: a validation split is carved from it with
    ``seed`` (which also seeds the weights), the scaling is fitted on the rest,
    and each candidate trains on the rest with early stopping on that split.
    """
    fit_frame, validation_frame = carve(train_frame, TUNING_BASE["validation_fraction"], seed)
    _, x, x_validation = preprocess(fit_frame, validation_frame)
    y, validation = labels(fit_frame), (x_validation, labels(validation_frame))
    scores = []
    for candidate in grid:
        settings = {**TUNING_BASE, **candidate}
        set_seed(seed)
        model, history = train(
            build(settings, seed),
            x,
            y,
            settings["epochs"],
            settings["batch_size"],
            validation_data=validation,
            patience=settings["patience"],
            verbose=verbose,
        )
        metrics = evaluate(model, *validation)
        scores.append((metrics["accuracy"], metrics["roc_auc"], len(history["loss"])))
    return scores


def tune(seed=0, carves=(0, 1, 2), grid=TUNING_GRID, verbose=0):
    """Mean validation scores of each candidate over validation carves of ONE training split, best AUC first.

    The training split is ``split(load_data(), 0.2, seed)``'s; each seed in
    ``carves`` carves a validation split from it (``validation_scores``). No
    other split is touched, so nothing of this seed's test split informs the
    choice. With ``seed=0`` this search chose ``CONFIGS["tuned"]``.
    """
    train_frame = split(load_data(), 0.2, seed)[0]
    scores = [validation_scores(train_frame, carve_seed, grid, verbose) for carve_seed in carves]
    means = np.mean(scores, axis=0)
    order = np.argsort(-means[:, 1], kind="stable")
    rows = [
        [_describe(grid[i]), f"{means[i, 0]:.4f}", f"{means[i, 1]:.4f}", f"{means[i, 2]:.0f}"]
        for i in order
    ]
    header = ["candidate (over TUNING_BASE)", "accuracy", "ROC AUC", "epochs"]
    title = f"Validation carves {tuple(carves)} of seed {seed}'s training split, mean"
    return Table(title, header, rows)


def compare(seeds=(0, 1, 2), grid=TUNING_GRID, verbose=0):
    """Tutorial net vs tuned net vs HistGradientBoostingClassifier on the same test splits.

    For each seed, all three learn from the same training split and are scored
    on the same test split. The tuned net is chosen afresh on each seed's
    training split (best validation ROC AUC over ``grid``), so no test split
    ever informs a choice, not even another seed's, which overlaps this one's
    training data. HistGradientBoosting uses scikit-learn's defaults with
    ``random_state=seed``. Reports test accuracy and ROC AUC, mean and per seed.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    results = {"deepkit tutorial": [], "deepkit tuned": [], "HistGradientBoosting": []}
    chosen = []
    for seed in seeds:
        train_frame, test_frame = split(load_data(), 0.2, seed)
        best = int(
            np.argmax([auc for _, auc, _ in validation_scores(train_frame, seed, grid, verbose)])
        )
        chosen.append(f"seed {seed}: {_describe(grid[best])}")
        for name, config in (
            ("deepkit tutorial", "tutorial"),
            ("deepkit tuned", {**TUNING_BASE, **grid[best]}),
        ):
            result = run(seed=seed, config=config, verbose=verbose)
            results[name].append((result.accuracy, result.roc_auc))
        _, x_train, x_test = preprocess(train_frame, test_frame)
        boosting = HistGradientBoostingClassifier(random_state=seed).fit(
            x_train, labels(train_frame)
        )
        metrics = classification_metrics(labels(test_frame), boosting.predict_proba(x_test)[:, 1])
        results["HistGradientBoosting"].append((metrics["accuracy"], metrics["roc_auc"]))
    rows = []
    for name, values in results.items():
        accuracy, auc = np.array(values).T
        rows.append(
            [
                name,
                f"{accuracy.mean():.4f}",
                f"{auc.mean():.4f}",
                " ".join(f"{a:.4f}" for a in accuracy),
                " ".join(f"{a:.4f}" for a in auc),
            ]
        )
    header = ["model", "accuracy", "ROC AUC", "accuracy per seed", "ROC AUC per seed"]
    return Table(
        f"Churn test splits (2,000 customers each), mean of seeds {tuple(seeds)}",
        header,
        rows,
        notes=["tuned net chosen on each seed's validation split:", *chosen],
    )


def side_by_side(epochs=None, batch_size=None, seed=0, verbose=0):
    """The tutorial config trained by Keras and by the NumPy twin from the same initial weights."""
    results = [
        run(epochs=epochs, batch_size=batch_size, seed=seed, engine=engine, verbose=verbose)
        for engine in ENGINES
    ]
    rows = [
        ["test accuracy"] + [f"{r.accuracy:.4f}" for r in results],
        ["ROC AUC"] + [f"{r.roc_auc:.4f}" for r in results],
        ["final training loss"] + [f"{r.history['loss'][-1]:.4f}" for r in results],
        ["new customer p"] + [f"{r.customer_probability:.4f}" for r in results],
        ["confusion matrix"] + [str(r.confusion_matrix.tolist()) for r in results],
        ["seconds"] + [f"{r.seconds:.1f}" for r in results],
    ]
    return Table(f"Tutorial config, seed {seed}: Keras vs NumPy twin", ["", *ENGINES], rows)


def _describe(candidate):
    return ", ".join(
        f"{k}={'-'.join(map(str, v)) if isinstance(v, tuple) else v}" for k, v in candidate.items()
    )
