"""What a churn run returns (``ChurnResult``) and the bundle it saves (``ChurnBundle``).

A bundle is a directory of ``model.keras``, ``preprocessor.json`` and ``result.json``
(no pickle); ``load(directory)`` reads it back and scores customers from named fields.
"""

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from deepkit.atomic import atomic_write
from deepkit.datasets.churn.features import FEATURE_NAMES
from deepkit.datasets.churn.preprocessing import ChurnPreprocessor
from deepkit.recipes.churn.steps import LABELS, TUTORIAL_ACCURACY, customers_frame, score
from deepkit.report import format_confusion_matrix, format_table
from deepkit.validation import InputError

BUNDLE_FILES = ("model.keras", "preprocessor.json", "result.json")


@dataclass
class ChurnResult:
    """What ``run()`` measured on the test split, and the fitted model and preprocessor."""

    accuracy: float
    baseline_accuracy: float
    roc_auc: float
    confusion_matrix: np.ndarray
    customer_probability: float
    history: dict
    model: object = field(repr=False)
    preprocessor: ChurnPreprocessor = field(repr=False)
    seconds: float
    config: object  # a name in CONFIGS, or a dict of settings
    engine: str
    seed: int
    epochs: int
    batch_size: int

    def report(self):
        return format_table(
            [
                ("test accuracy", f"{self.accuracy:.4f} (T3 claimed {TUTORIAL_ACCURACY})"),
                ("baseline (always stays)", f"{self.baseline_accuracy:.4f}"),
                ("ROC AUC", f"{self.roc_auc:.4f}"),
                ("confusion matrix", format_confusion_matrix(self.confusion_matrix, LABELS)),
                ("T3's new customer leaves", f"p = {self.customer_probability:.4f}"),
                (
                    "epochs trained",
                    f"{len(self.history['loss'])} of {self.epochs}, batch {self.batch_size}",
                ),
                ("seconds", f"{self.seconds:.1f}"),
            ],
            title=f"Bank churn, config {self.config!r}, engine {self.engine!r}, seed {self.seed}",
        )

    def save(self, directory):
        """Write a bundle (``model.keras``, ``preprocessor.json``, ``result.json``) that ``load`` reads."""
        metrics = {
            "config": self.config,
            "engine": self.engine,
            "seed": self.seed,
            "accuracy": self.accuracy,
            "baseline_accuracy": self.baseline_accuracy,
            "roc_auc": self.roc_auc,
            "confusion_matrix": self.confusion_matrix.tolist(),
        }
        return ChurnBundle(self.model, self.preprocessor).save(directory, metrics)


class OutsideTrainingRangeWarning(UserWarning):
    """Customers scored with values outside the range the model was trained on."""


@dataclass
class ChurnBundle:
    """A fitted churn model with its preprocessor: scores customers from named fields.

    Impossible values (outside ``deepkit.datasets.churn.schema.RANGES``, a negative age)
    are refused; values possible but outside the training data's range are flagged: a
    warning from ``predict_proba``, a ``flags`` column in ``score_table``.
    """

    model: object
    preprocessor: ChurnPreprocessor

    def predict_proba(self, customers):
        """Churn probability of each customer (DataFrame, dict or list of dicts); warns
        ``OutsideTrainingRangeWarning`` naming the customers outside the training range."""
        table = self.score_table(customers)
        flagged = table[table["flags"] != ""]
        if len(flagged):
            shown = "; ".join(
                f"row {row}: {flags}" for row, flags in zip(flagged["row"][:3], flagged["flags"])
            )
            more = f" (and {len(flagged) - 3} more)" if len(flagged) > 3 else ""
            warnings.warn(
                f"{len(flagged)} of {len(table)} customer(s) outside the training range, "
                f"scored by extrapolation: {shown}{more}",
                OutsideTrainingRangeWarning,
                stacklevel=2,
            )
        return table["probability"].to_numpy()

    def predict(self, customers):
        """1 for customers predicted to leave (probability > 0.5), else 0."""
        return (self.predict_proba(customers) > 0.5).astype(int)

    def score_table(self, customers, ids=None):
        """A DataFrame, one row per customer: ``ids`` (a Series, e.g. ``CustomerId``; by
        default ``row``, the frame's index, as error messages name rows), ``probability``, ``decision`` ("leaves" if > 0.5, else
        "stays") and ``flags`` (values outside the training range, ``""`` for none)."""
        frame = customers_frame(customers)
        probabilities = score(self.model, self.preprocessor, frame)
        ids = pd.Series(frame.index, name="row") if ids is None else ids
        return pd.DataFrame(
            {
                ids.name: ids.to_numpy(),
                "probability": probabilities,
                "decision": np.where(probabilities > 0.5, LABELS[1], LABELS[0]),
                "flags": self.preprocessor.outside_training_range(frame),
            }
        )

    def save(self, directory, metrics=None):
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        model = self.model if hasattr(self.model, "save") else self.model.to_keras()
        model.save(directory / "model.keras")
        self.preprocessor.save(directory / "preprocessor.json")
        (directory / "result.json").write_text(
            json.dumps(metrics or {}, indent=2), encoding="utf-8"
        )
        return directory


def write_scores(table, path):
    """Write a score table (``ChurnBundle.score_table``) to ``path`` as CSV, atomically.

    The CSV goes to a temporary file in the same folder, is flushed to the disk,
    then replaces ``path`` in one step (``deepkit.atomic.atomic_write``: ``fsync``,
    ``os.replace``): a reader never sees a half-written file, and a failure leaves
    any earlier file at ``path`` as it was.

    Args:
        table: the DataFrame to write.
        path: the CSV file to create or replace.

    Raises:
        OSError: if the file cannot be written (nothing is left behind).
    """
    with atomic_write(path) as temporary:
        table.to_csv(temporary, index=False, float_format="%.6f")


def load(directory, safe_mode=True):
    """The ``ChurnBundle`` saved by ``ChurnResult.save(directory)``; a missing, corrupt or
    mismatched file is one ``InputError`` (or ``FileNotFoundError``) naming it. The model
    loads in Keras's safe mode unless ``safe_mode=False`` (``deepkit.saving``)."""
    directory = Path(directory)
    for name in ("model.keras", "preprocessor.json"):
        if not (directory / name).is_file():
            raise FileNotFoundError(
                f"{directory}: no {name} here; is this a bundle saved by deepkit run churn --save?"
            )
    import deepkit.models.tabular  # noqa: F401 (registers the tabular layers for loading)
    from deepkit.saving import load_keras

    preprocessor = ChurnPreprocessor.load(directory / "preprocessor.json")
    model = load_keras(directory / "model.keras", safe_mode=safe_mode)
    shapes = {"input": model.inputs[0].shape, "output": model.outputs[0].shape}
    expected = {"input": (None, len(FEATURE_NAMES)), "output": (None, 1)}
    if len(shapes["output"]) == 3:  # k heads (deepkit.models.tabular): (None, k, 1)
        expected["output"] = (None, shapes["output"][1], 1)
    for side, shape in shapes.items():
        if tuple(shape) != expected[side]:
            raise InputError(
                f"{directory / 'model.keras'}: the model's {side} shape is {tuple(shape)}, but "
                f"preprocessor.json makes {len(FEATURE_NAMES)} features -> 1 probability: "
                "the files come from different bundles"
            )
    return ChurnBundle(model, preprocessor)
