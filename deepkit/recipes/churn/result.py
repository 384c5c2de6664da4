"""What a churn run returns (``ChurnResult``) and the bundle it saves (``ChurnBundle``).

A bundle is a directory of ``model.keras``, ``preprocessor.json`` and ``result.json``
(no pickle); ``load(directory)`` reads it back and scores customers from named fields.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from deepkit.preprocessing import ChurnPreprocessor
from deepkit.recipes.churn.steps import LABELS, TUTORIAL_ACCURACY, score
from deepkit.report import format_confusion_matrix, format_table


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


@dataclass
class ChurnBundle:
    """A fitted churn model with its preprocessor: scores customers from named fields."""

    model: object
    preprocessor: ChurnPreprocessor

    def predict_proba(self, customers):
        """Churn probability of each customer (DataFrame, dict or list of dicts)."""
        return score(self.model, self.preprocessor, customers)

    def predict(self, customers):
        """1 for customers predicted to leave (probability > 0.5), else 0."""
        return (self.predict_proba(customers) > 0.5).astype(int)

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


def load(directory):
    """The ``ChurnBundle`` saved by ``ChurnResult.save(directory)``."""
    directory = Path(directory)
    for name in ("model.keras", "preprocessor.json"):
        if not (directory / name).is_file():
            raise FileNotFoundError(
                f"{directory}: no {name} here; is this a bundle saved by deepkit run churn --save?"
            )
    from deepkit.saving import load_keras

    return ChurnBundle(
        load_keras(directory / "model.keras"),
        ChurnPreprocessor.load(directory / "preprocessor.json"),
    )
