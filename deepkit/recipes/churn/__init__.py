"""Tutorial T3's bank churn classifier, end to end, in composable steps.

    load_data -> split -> preprocess -> build -> train -> evaluate -> score

``run()`` composes them and returns a ``ChurnResult``; ``recipes/churn.py`` at
the top of the repository walks the same steps one by one as the tutorial does.

Two configurations:

- ``"tutorial"``: T3's net, 11 -> 6 relu -> 6 relu -> 1 sigmoid, ``uniform``
  kernels, adam, batch 10, 50 epochs.
- ``"tuned"``: 64-32, dropout 0.4, chosen by a hand-written grid on
  validation splits carved from seed 0's training split (never a test split),
  trained with early stopping on a validation split.

``tune()`` runs a KerasTuner search (``hypersearch``: the HyperModel over depth,
width, dropout, learning rate, batch size and L2, BayesianOptimization, scored by
ROC AUC on validation carves of the training split only); ``compare()`` re-runs it
on each seed's own training split and sets the searched net against the tutorial
net and scikit-learn's HistGradientBoostingClassifier on the same test splits.
``against_boosting()`` (``boosting``) chooses among tabular networks (``CANDIDATES``: MLPs with
periodic or piecewise-linear numerical embeddings, TabM-mini ensembles of k heads,
``deepkit.models.tabular``) on validation carves of each training split, averages several
seeds' nets of the chosen one, and only then reads the test split, once, beside
HistGradientBoosting and LightGBM.

Training is fast because Keras runs ``STEPS_PER_EXECUTION`` steps per graph
call (one tutorial epoch), instead of returning to Python after every batch of
10; the arithmetic, and so the result, is identical (``deepkit bench churn``).

Modules, one job each: ``configs`` (the tutorial and tuned settings, the tuning grid),
``steps`` (the steps above), ``result`` (``ChurnResult`` and the saved ``ChurnBundle``),
``recipe`` (``run``), ``hypersearch`` (the KerasTuner HyperModel, tuner and search),
``tuning`` (``tune``, ``compare``, ``side_by_side``), ``boosting`` (``against_boosting``) and ``cli``
(``deepkit run churn`` and ``deepkit predict churn``). Everything is re-exported here.

At the edges: the data's types and valid ranges are one pandera schema
(``deepkit.datasets.churn.schema``), refused with column, row and value before any work;
``split`` and ``carve`` refuse degenerate splits; bundles flag customers outside the
training range (``OutsideTrainingRangeWarning``, ``ChurnBundle.score_table``).
"""

from deepkit.recipes.churn.boosting import Comparison, against_boosting
from deepkit.recipes.churn.cli import add_arguments, add_predict_arguments, main, predict_main
from deepkit.recipes.churn.configs import (
    CANDIDATES,
    CONFIGS,
    TUNING_BASE,
    TUNING_GRID,
    describe,
    settings_of,
)
from deepkit.recipes.churn.hypersearch import validation_scores
from deepkit.recipes.churn.recipe import Settings, run
from deepkit.recipes.churn.result import (
    ChurnBundle,
    ChurnResult,
    OutsideTrainingRangeWarning,
    load,
)
from deepkit.recipes.churn.steps import (
    LABELS,
    MIN_SPLIT_ROWS,
    NEW_CUSTOMER,
    STEPS_PER_EXECUTION,
    TUTORIAL_ACCURACY,
    build,
    carve,
    check_both_classes,
    check_split,
    classification_metrics,
    customers_frame,
    evaluate,
    labels,
    load_data,
    predict_probabilities,
    preprocess,
    score,
    split,
    train,
)
from deepkit.recipes.churn.tuning import Table, compare, side_by_side, tune

__all__ = [
    "CANDIDATES",
    "CONFIGS",
    "LABELS",
    "MIN_SPLIT_ROWS",
    "NEW_CUSTOMER",
    "STEPS_PER_EXECUTION",
    "Settings",
    "TUNING_BASE",
    "TUNING_GRID",
    "TUTORIAL_ACCURACY",
    "ChurnBundle",
    "ChurnResult",
    "Comparison",
    "OutsideTrainingRangeWarning",
    "Table",
    "add_arguments",
    "add_predict_arguments",
    "against_boosting",
    "build",
    "carve",
    "check_both_classes",
    "check_split",
    "classification_metrics",
    "compare",
    "customers_frame",
    "describe",
    "evaluate",
    "labels",
    "load",
    "load_data",
    "main",
    "predict_main",
    "predict_probabilities",
    "preprocess",
    "run",
    "score",
    "settings_of",
    "side_by_side",
    "split",
    "train",
    "tune",
    "validation_scores",
]
