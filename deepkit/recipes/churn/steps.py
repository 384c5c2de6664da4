"""The churn recipe's steps: load_data -> split -> preprocess -> build -> train -> evaluate -> score.

Each step is a plain function on frames, arrays and Keras models, so ``run()`` and
``recipes/churn.py`` compose the same calls. ``evaluate`` reports accuracy (threshold 0.5),
ROC AUC, the confusion matrix and the always-"stays" baseline ``mean(y == 0)``.
"""

import numpy as np
import pandas as pd

from deepkit.datasets.churn import TARGET, load_churn
from deepkit.preprocessing import ChurnPreprocessor
from deepkit.recipes.churn.configs import settings_of
from deepkit.reference.validation import InputError
from deepkit.training import carve_validation, fit

# T3's single new customer, from named fields (its hand-encoded row meant France and Male).
NEW_CUSTOMER = {
    "CreditScore": 500,
    "Geography": "Spain",
    "Gender": "Female",
    "Age": 40,
    "Tenure": 3,
    "Balance": 50000.0,
    "NumOfProducts": 2,
    "HasCrCard": 1,
    "IsActiveMember": 1,
    "EstimatedSalary": 40000.0,
}
TUTORIAL_ACCURACY = 0.858  # T3's claim: (1541 + 175) / 2000
LABELS = ("stays", "leaves")
# Training steps per graph call: 800 = one tutorial epoch (8,000 rows / batch 10). The churn
# net's step is tiny, so returning to Python after every step costs more than the step itself.
STEPS_PER_EXECUTION = 800


def load_data(path=None):
    """The churn table: the shipped copy, or a validated CSV at ``path``."""
    return load_churn(path)


def split(frame, test_size=0.2, seed=0):
    """``(train_frame, test_frame)``, shuffled with ``seed`` (T3's train_test_split)."""
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_size < 1.0:
        raise InputError(f"test_size must be between 0 and 1, got {test_size!r}")
    return train_test_split(frame, test_size=test_size, random_state=seed)


def preprocess(train_frame, *frames):
    """Fit T3's preprocessing on ``train_frame``; return it and every frame transformed (float32)."""
    preprocessor = ChurnPreprocessor().fit(train_frame)
    arrays = [preprocessor.transform(f).astype(np.float32) for f in (train_frame, *frames)]
    return (preprocessor, *arrays)


def labels(frame):
    """The target ``Exited`` (1 = left the bank) as a float32 vector."""
    if TARGET not in frame.columns:
        raise InputError(f"missing column: {TARGET}")
    return frame[TARGET].to_numpy(np.float32)


def build(config="tutorial", seed=0):
    """The compiled Keras net of ``config`` (a name in ``CONFIGS`` or a dict of
    settings), on deepkit's fast path (``STEPS_PER_EXECUTION``)."""
    from deepkit.models.dense import churn_ann, mlp

    if config == "tutorial":
        return churn_ann(seed=seed, steps_per_execution=STEPS_PER_EXECUTION)
    settings = settings_of(config)
    return mlp(
        11,
        settings["units"],
        ["relu"] * (len(settings["units"]) - 1) + ["sigmoid"],
        kernel_initializer=settings["kernel_initializer"],
        dropout=settings["dropout"],
        optimizer="adam",
        learning_rate=settings["learning_rate"],
        loss="binary_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=STEPS_PER_EXECUTION,
        seed=seed,
        name="churn_mlp",
    )


def carve(train_frame, fraction, seed=0):
    """``(fit_frame, validation_frame)``: a stratified validation split carved off ``train_frame``."""
    (fit_frame, _), (validation_frame, _) = carve_validation(
        train_frame, labels(train_frame), fraction, seed=seed, stratify=True
    )
    return fit_frame, validation_frame


def train(model, x, y, epochs=50, batch_size=10, **options):
    """Fit ``model`` on ``(x, y)``; return ``(fitted_model, history)``.

    ``deepkit.training.fit`` with T3's epochs and batch size as defaults; its
    ``options``: ``validation_data``, ``patience`` (early stopping on the
    validation loss, best weights kept), ``engine`` (``"numpy"`` trains the
    NumPy twin and returns it), ``seed``, ``verbose``.
    """
    return fit(model, x, y, epochs=epochs, batch_size=batch_size, **options)


def evaluate(model, x, y):
    """Test metrics of ``model`` on ``(x, y)``; see ``classification_metrics``."""
    return classification_metrics(y, predict_probabilities(model, x))


def classification_metrics(y, probabilities):
    """Accuracy and confusion matrix at threshold 0.5, ROC AUC, and the always-"stays" baseline."""
    from sklearn.metrics import confusion_matrix, roc_auc_score

    predicted = (probabilities > 0.5).astype(np.float32)
    return {
        "accuracy": float(np.mean(predicted == y)),
        "baseline_accuracy": float(np.mean(y == 0)),
        "roc_auc": float(roc_auc_score(y, probabilities)),
        "confusion_matrix": confusion_matrix(y, predicted, labels=[0, 1]),
    }


def predict_probabilities(model, x):
    """Churn probabilities of the rows of the feature matrix ``x``, a 1-D float array.

    One forward pass, ``model(x)``, in inference mode (no dropout): for a few
    thousand rows this skips the graph tracing that ``model.predict`` pays for.
    """
    return np.asarray(model(x, training=False), dtype=np.float64).reshape(-1)


def score(model, preprocessor, customers):
    """Churn probabilities of customers given by named fields.

    ``customers`` is a DataFrame, one dict of fields (one customer) or a list
    of dicts; fields are the 10 feature columns (``NEW_CUSTOMER`` shows them).
    """
    if isinstance(customers, dict):
        customers = [customers]
    if isinstance(customers, list):
        customers = pd.DataFrame(customers)
    return predict_probabilities(model, preprocessor.transform(customers).astype(np.float32))
