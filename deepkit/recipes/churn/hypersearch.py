"""KerasTuner search for the churn net: ``ChurnHyperModel``, ``CarvesTuner``, ``search``.

A trial is one point of ``TUNING_GRID`` (``tuned_settings``). Its score, ``val_roc_auc``, is
scikit-learn's exact ROC AUC on validation splits carved, stratified, from ONE training split,
averaged over the carves (``validation_scores``); no test split ever informs it. KerasTuner's
``BayesianOptimization`` (a Gaussian process over the grid, seeded) picks each next trial from
the scores so far, after ``max_trials // 3`` random ones. A trial that fails (a diverging
net, say) is marked invalid by KerasTuner and skipped; three in a row stop the search.
"""

import contextlib
import json
import logging
import tempfile
import warnings
from pathlib import Path

from deepkit.recipes.churn.configs import TUNING_BASE, TUNING_GRID, tuned_settings
from deepkit.recipes.churn.steps import build, carve, evaluate, labels, preprocess, train
from deepkit.seeding import set_seed
from deepkit.validation import InputError, check_int, check_seed

OBJECTIVE = "val_roc_auc"
SUMMARY_FILE = "churn_search.json"


def build_net(settings, seed=0, fit_rows=None):
    """``steps.build(settings, seed, fit_rows)`` with the penalty ``l2 * sum(kernel ** 2)`` on
    every Dense kernel (``settings["l2"]``, if not 0), set before the first fit, which reads it."""
    import keras

    model = build(settings, seed, fit_rows)
    if settings.get("l2", 0.0):
        for layer in model.layers:
            if isinstance(layer, keras.layers.Dense):
                layer.kernel_regularizer = keras.regularizers.L2(settings["l2"])
                layer.kernel.regularizer = layer.kernel_regularizer
    return model


def fit_carved(train_frame, settings, seed=0, verbose=0):
    """Train ``settings``' net on ``train_frame`` less a stratified validation carve.

    The carve (``settings["validation_fraction"]`` of the rows), the weights and the shuffling
    are seeded by ``seed``; the scaling is fitted on the rows left; training stops early on the
    carve's loss (best weights kept). Returns ``(model, preprocessor, (x_val, y_val), epochs)``.
    """
    fit_frame, validation_frame = carve(train_frame, settings["validation_fraction"], seed)
    preprocessor, x, x_validation = preprocess(fit_frame, validation_frame)
    validation = (x_validation, labels(validation_frame))
    set_seed(seed)
    model, history = train(
        build_net(settings, seed, x),
        x,
        labels(fit_frame),
        settings["epochs"],
        settings["batch_size"],
        validation_data=validation,
        patience=settings["patience"],
        feed=settings["epoch_loop"],
        verbose=verbose,
    )
    return model, preprocessor, validation, len(history["loss"])


def validation_scores(train_frame, settings, carves=(0,), verbose=0):
    """``[{"val_roc_auc": ..., "epochs": ...}]``, one per seed in ``carves`` (see ``fit_carved``)."""
    scores = []
    for carve_seed in carves:
        model, _, validation, epochs = fit_carved(train_frame, settings, carve_seed, verbose)
        scores.append({OBJECTIVE: evaluate(model, *validation)["roc_auc"], "epochs": epochs})
    return scores


def epoch_lines(verbose):
    """Keras's ``verbose`` for a training inside a search of verbosity ``verbose``: a line per
    epoch at 2, silent below (a search trains hundreds of nets)."""
    return 2 if verbose >= 2 else 0


@contextlib.contextmanager
def _quiet_tensorflow_logger(verbose):
    """TensorFlow's Python logger at ERROR unless ``verbose``: every trial's new model traces
    its own step function, which TensorFlow reports as retracing."""
    logger = logging.getLogger("tensorflow")
    previous = logger.level
    if not verbose:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _keras_tuner():
    import keras_tuner

    class ChurnHyperModel(keras_tuner.HyperModel):
        """The churn net over ``TUNING_GRID``: one ``hp.Choice`` per key, ``max_epochs`` at most."""

        def __init__(self, max_epochs):
            super().__init__(name="churn")
            self.max_epochs = max_epochs

        def settings(self, hp):
            values = {name: hp.Choice(name, list(grid)) for name, grid in TUNING_GRID.items()}
            return {**tuned_settings(values), "epochs": self.max_epochs}

        def build(self, hp):
            return build_net(self.settings(hp))

    class CarvesTuner(keras_tuner.BayesianOptimization):
        """Scores a trial by ``validation_scores`` (KerasTuner averages the carves' dicts)."""

        def run_trial(self, trial, train_frame, carves, verbose=0):
            settings = self.hypermodel.settings(trial.hyperparameters)
            return validation_scores(train_frame, settings, carves, epoch_lines(verbose))

    return keras_tuner, ChurnHyperModel, CarvesTuner


def search(
    train_frame, seed=0, max_trials=20, max_epochs=200, carves=(0,), directory=None, verbose=0
):
    """Bayesian search of ``TUNING_GRID`` on ``train_frame`` only; return its summary dict.

    ``max_trials`` candidates, each trained for at most ``max_epochs`` epochs per validation
    carve (one per seed in ``carves``). ``seed`` seeds the tuner's draws. With ``directory`` the
    tuner's own files (JSON) and the summary ``churn_search.json`` are kept there. The summary:
    the budget, the grid, ``trials`` (values, ``val_roc_auc``, mean epochs; best first) and
    ``best`` (the winner's settings, for ``fit_carved``). ``verbose``: 1 prints KerasTuner's
    report of each trial, 2 also a line per training epoch.
    """
    seed = check_seed(seed)
    max_trials = check_int(max_trials, "max_trials", min_value=1)
    max_epochs = check_int(max_epochs, "max_epochs", min_value=1)
    carves = tuple(carves) if isinstance(carves, (list, tuple)) else carves
    if not isinstance(carves, tuple) or not carves:
        raise InputError(f"carves must be a non-empty tuple of seeds, got {carves!r}")
    carves = tuple(check_int(c, "carves", min_value=0) for c in carves)
    if directory is not None:
        directory = Path(directory)
        if directory.exists() and not directory.is_dir():
            raise InputError(f"directory {directory}: exists and is not a directory")
        directory.mkdir(parents=True, exist_ok=True)
    for carve_seed in carves:  # faults in the data surface here, before any training
        preprocess(*carve(train_frame, TUNING_BASE["validation_fraction"], carve_seed))
    from sklearn.exceptions import ConvergenceWarning

    with tempfile.TemporaryDirectory() as scratch:
        keras_tuner, hypermodel_class, tuner_class = _keras_tuner()
        tuner = tuner_class(
            hypermodel_class(max_epochs),
            objective=keras_tuner.Objective(OBJECTIVE, direction="max"),
            max_trials=max_trials,
            num_initial_points=max(1, max_trials // 3),
            seed=seed + 1,  # KerasTuner's oracle takes seed 0 for no seed (a random one)
            directory=str(directory or scratch),
            project_name=f"churn_seed_{seed}",
            overwrite=True,
        )
        with warnings.catch_warnings(), _quiet_tensorflow_logger(verbose):
            if not verbose:  # the Gaussian process's fitting notes
                warnings.simplefilter("ignore", ConvergenceWarning)
            tuner.search(train_frame, carves, verbose=verbose)
        trials = tuner.oracle.get_best_trials(max_trials)
    summary = {
        "seed": seed,
        "max_trials": max_trials,
        "max_epochs": max_epochs,
        "carves": list(carves),
        "grid": {name: list(values) for name, values in TUNING_GRID.items()},
        "trials": [
            {
                "trial": trial.trial_id,
                "values": trial.hyperparameters.values,
                OBJECTIVE: trial.metrics.get_last_value(OBJECTIVE),
                "epochs": trial.metrics.get_last_value("epochs"),
            }
            for trial in trials
        ],
    }
    if not summary["trials"]:
        raise RuntimeError("the churn search completed no trial")
    summary["best"] = {**tuned_settings(summary["trials"][0]["values"]), "epochs": max_epochs}
    if directory is not None:
        (directory / SUMMARY_FILE).write_text(json.dumps(summary, indent=2))
    return summary
