"""Choosing and comparing churn nets on validation splits only: ``tune``, ``compare``, ``side_by_side``.

``tune`` runs the KerasTuner search (``deepkit.recipes.churn.hypersearch``) on one seed's
training split and lists its trials; ``compare`` re-runs it on each seed's training split and
sets the tutorial net, the chosen net and HistGradientBoosting side by side on the same test
splits.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepkit.recipes.churn.configs import TUNING_GRID
from deepkit.recipes.churn.hypersearch import (
    OBJECTIVE,
    epoch_lines,
    fit_carved,
    search,
)
from deepkit.recipes.churn.recipe import run
from deepkit.recipes.churn.steps import (
    classification_metrics,
    labels,
    load_data,
    predict_probabilities,
    preprocess,
    split,
)
from deepkit.report import format_grid
from deepkit.training import ENGINES
from deepkit.validation import check_int, check_seed

# The search budget of `deepkit run churn --tune/--compare`, small enough for a full `compare`
# (3 seeds) on a CPU. Scored on one 1,200-row carve, the best trials of a search differ by less
# than that carve's own standard error (about 0.015 at ROC AUC 0.87, Hanley-McNeil), so each
# trial is scored on 2 carves, in 10 trials.
MAX_TRIALS = 10
MAX_EPOCHS = 100
CARVES = 2  # validation carves per trial
ENSEMBLE = 5  # nets averaged in compare's "mean of nets" row


@dataclass
class Table:
    """Rows of numbers with a header and a title; ``report()`` prints them aligned."""

    title: str
    header: list
    rows: list
    notes: list = field(default_factory=list)

    def report(self):
        return "\n".join([format_grid(self.header, self.rows, title=self.title), *self.notes])


def tune(
    seed=0, max_trials=MAX_TRIALS, max_epochs=MAX_EPOCHS, carves=CARVES, directory=None, verbose=0
):
    """The search's trials on ``split(load_data(), 0.2, seed)``'s training split, best first.

    Validation carves ``seed, seed + 1, ...`` (``carves`` of them) of that split score each
    trial; its test split is never read. ``directory`` keeps the tuner's files and summary.
    """
    check_int(carves, "carves", min_value=1)
    start = time.perf_counter()
    train_frame = split(load_data(), 0.2, seed)[0]
    summary = search(
        train_frame, seed, max_trials, max_epochs, _carve_seeds(seed, carves), directory, verbose
    )
    names = list(TUNING_GRID)
    rows = [
        [
            trial["trial"],
            *(trial["values"][n] for n in names),
            f"{trial[OBJECTIVE]:.4f}",
            f"{trial['epochs']:.0f}",
        ]
        for trial in summary["trials"]
    ]
    title = (
        f"KerasTuner search on seed {seed}'s training split: {max_trials} trials, "
        f"validation carves {summary['carves']}, best first"
    )
    header = ["trial", *names, "val ROC AUC", "epochs"]
    return Table(title, header, rows, notes=[f"{time.perf_counter() - start:.0f} seconds"])


def compare(
    seeds=(0, 1, 2),
    max_trials=MAX_TRIALS,
    max_epochs=MAX_EPOCHS,
    carves=CARVES,
    ensemble=ENSEMBLE,
    directory=None,
    verbose=0,
):
    """Tutorial net vs searched net vs HistGradientBoostingClassifier on the same test splits.

    For each seed all learn from the same training split and are scored on the same test
    split. The net is searched afresh on each seed's training split (``search``), so no test
    split informs a choice, not even another seed's, which overlaps this one's training
    data. It is then trained by ``fit_carved`` with carve seeds ``seed, seed + 1000, ...``:
    the first net is the "1 net" row, the mean probability of ``ensemble`` nets the other.
    HistGradientBoosting uses scikit-learn's defaults with ``random_state=seed``. Reports test
    accuracy and ROC AUC, mean and per seed, and the seconds taken.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    for name, value in (
        ("max_trials", max_trials),
        ("max_epochs", max_epochs),
        ("carves", carves),
        ("ensemble", ensemble),
    ):
        check_int(value, name, min_value=1)
    seeds = [check_seed(seed, "seeds") for seed in seeds]
    start = time.perf_counter()
    results = {
        "deepkit tutorial": [],
        "deepkit searched, 1 net": [],
        f"deepkit searched, mean of {ensemble} nets": [],
        "HistGradientBoosting": [],
    }
    chosen = []
    for seed in seeds:
        train_frame, test_frame = split(load_data(), 0.2, seed)
        y_test = labels(test_frame)
        summary = search(
            train_frame,
            seed,
            max_trials,
            max_epochs,
            _carve_seeds(seed, carves),
            None if directory is None else Path(directory) / f"seed_{seed}",
            verbose,
        )
        best = summary["trials"][0]
        chosen.append(f"seed {seed}: {best['values']}, val ROC AUC {best[OBJECTIVE]:.4f}")
        tutorial = run(seed=seed, config="tutorial", verbose=epoch_lines(verbose))
        results["deepkit tutorial"].append((tutorial.accuracy, tutorial.roc_auc))
        probabilities = []
        for net in range(ensemble):
            model, preprocessor, _, _ = fit_carved(
                train_frame, summary["best"], seed + 1000 * net, epoch_lines(verbose)
            )
            x_test = preprocessor.transform(test_frame).astype(np.float32)
            probabilities.append(predict_probabilities(model, x_test))
        for name, p in zip(list(results)[1:3], (probabilities[0], np.mean(probabilities, 0))):
            metrics = classification_metrics(y_test, p)
            results[name].append((metrics["accuracy"], metrics["roc_auc"]))
        _, x_train, x_test = preprocess(train_frame, test_frame)
        boosting = HistGradientBoostingClassifier(random_state=seed)
        metrics = classification_metrics(
            y_test, boosting.fit(x_train, labels(train_frame)).predict_proba(x_test)[:, 1]
        )
        results["HistGradientBoosting"].append((metrics["accuracy"], metrics["roc_auc"]))
    rows = []
    for name, values in results.items():
        accuracy, auc = np.array(values).T
        per_seed = [" ".join(f"{v:.4f}" for v in column) for column in (accuracy, auc)]
        rows.append([name, f"{accuracy.mean():.4f}", f"{auc.mean():.4f}", *per_seed])
    header = ["model", "accuracy", "ROC AUC", "accuracy per seed", "ROC AUC per seed"]
    covered = (
        f"search per seed: {max_trials} of {np.prod([len(v) for v in TUNING_GRID.values()]):,} "
        f"grid points (KerasTuner BayesianOptimization), each trained up to {max_epochs} epochs "
        f"on {carves} validation carve(s) of that seed's training split; chosen:"
    )
    return Table(
        f"Churn test splits (2,000 customers each), mean of seeds {tuple(seeds)}",
        header,
        rows,
        notes=[covered, *chosen, f"{time.perf_counter() - start:.0f} seconds"],
    )


def side_by_side(epochs=None, batch_size=None, seed=0, verbose=0):
    """The tutorial config trained by Keras and by the NumPy reference from the same initial weights."""
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
    return Table(f"Tutorial config, seed {seed}: Keras vs NumPy reference", ["", *ENGINES], rows)


def _carve_seeds(seed, carves):
    return tuple(range(seed, seed + carves))
