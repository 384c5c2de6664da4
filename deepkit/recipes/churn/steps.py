"""The churn recipe's steps: load_data -> split -> preprocess -> build -> train -> evaluate -> score.

Each step is a plain function on frames, arrays and Keras models, so ``run()`` and
``recipes/churn.py`` compose the same calls. ``evaluate`` reports accuracy (threshold 0.5),
ROC AUC, the confusion matrix and the always-"stays" baseline ``mean(y == 0)``.
"""

import numpy as np
import pandas as pd

from deepkit.datasets.churn import TARGET, load_churn
from deepkit.datasets.churn.preprocessing import ChurnPreprocessor
from deepkit.recipes.churn.configs import embedding_kind, settings_of
from deepkit.training import TRAINERS, carve_validation
from deepkit.validation import InputError, check_float, check_seed

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
# The fewest rows a training, validation or test split may have: fewer cannot train or be
# scored meaningfully (a ROC AUC of 5 customers says nothing).
MIN_SPLIT_ROWS = 10


def load_data(path=None):
    """The churn table: the shipped copy, or a validated CSV at ``path``."""
    return load_churn(path)


def split(frame, test_size=0.2, seed=0):
    """``(train_frame, test_frame)``, shuffled with ``seed`` (T3's train_test_split).

    Refused before any work (``InputError`` with the reason): a target of one class only,
    and a split that leaves either side fewer than ``MIN_SPLIT_ROWS`` rows or no customer
    of a class."""
    from sklearn.model_selection import train_test_split

    test_size = check_float(test_size, "test_size", 0.0, 1.0, include_min=False, include_max=False)
    seed = check_seed(seed)
    check_both_classes(frame, "the data")
    train_frame, test_frame = train_test_split(frame, test_size=test_size, random_state=seed)
    for name, part in (("test split", test_frame), ("training split", train_frame)):
        check_split(part, name, f"test_size {test_size} of {len(frame)} rows")
    return train_frame, test_frame


def check_both_classes(frame, name):
    """Raise ``InputError`` unless ``frame``'s target holds customers of both classes."""
    present = np.unique(labels(frame)).astype(int)
    if len(present) < 2:
        only = (
            f"only {present[0]} (every customer {LABELS[present[0]]})"
            if len(present)
            else "no rows"
        )
        raise InputError(
            f"column {TARGET!r} of {name} holds {only}: a classifier needs both classes"
        )


def check_split(frame, name, cause):
    """Raise ``InputError`` naming ``cause`` if ``frame`` (the ``name`` split) has fewer than
    ``MIN_SPLIT_ROWS`` rows or lacks a class."""
    if len(frame) < MIN_SPLIT_ROWS:
        raise InputError(
            f"{cause} leaves {len(frame)} row(s) in the {name}; it needs at least {MIN_SPLIT_ROWS}"
        )
    counts = np.bincount(labels(frame).astype(int), minlength=2)
    for label, count in zip(LABELS, counts):
        if count == 0:
            raise InputError(
                f"{cause} leaves no customer who {label} in the {name}; "
                "both classes are needed to train and to score"
            )


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


def build(config="tutorial", seed=0, fit_rows=None):
    """The compiled Keras net of ``config`` (a name in ``CONFIGS`` or a dict of
    settings), on deepkit's fast path (``STEPS_PER_EXECUTION``).

    A configuration with an ``embedding`` or ``heads`` > 1 is a ``tabular_mlp``
    (``deepkit.models.tabular``); a piecewise-linear embedding takes its bins from
    ``fit_rows``, the preprocessed training rows.
    """
    seed = check_seed(seed)  # before TensorFlow is imported
    from deepkit.models.dense import churn_ann, mlp

    if config == "tutorial":
        return churn_ann(seed=seed, steps_per_execution=STEPS_PER_EXECUTION)
    settings = settings_of(config)
    compiled = dict(
        optimizer="adam",
        learning_rate=settings["learning_rate"],
        loss="binary_crossentropy",
        steps_per_execution=STEPS_PER_EXECUTION,
        seed=seed,
    )
    if embedding_kind(settings) is None and settings["heads"] == 1:
        return mlp(
            11,
            settings["units"],
            ["relu"] * (len(settings["units"]) - 1) + ["sigmoid"],
            kernel_initializer=settings["kernel_initializer"],
            dropout=settings["dropout"],
            metrics=["accuracy"],
            name="churn_mlp",
            **compiled,
        )
    return tabular_net(settings, compiled, fit_rows)


def tabular_net(settings, compiled, fit_rows):
    """The ``tabular_mlp`` of ``settings`` (its embedding, heads and AdamW's weight decay),
    compiled with ``compiled``."""
    import keras

    from deepkit.models.tabular import (
        PeriodicEmbedding,
        PiecewiseLinearEncoding,
        quantile_edges,
        tabular_mlp,
    )

    embedding, kind = settings["embedding"], embedding_kind(settings)
    if kind == "periodic":
        options = {k: v for k, v in embedding.items() if k != "kind"}
        embedding = PeriodicEmbedding(**options, seed=compiled["seed"])
    elif kind == "piecewise":
        if fit_rows is None:
            raise InputError("a piecewise-linear embedding needs fit_rows, the training rows")
        embedding = PiecewiseLinearEncoding(quantile_edges(fit_rows, embedding["bins"]))
    if settings["weight_decay"]:
        compiled["optimizer"] = keras.optimizers.AdamW(
            compiled.pop("learning_rate"), weight_decay=settings["weight_decay"]
        )
    return tabular_mlp(
        11,
        settings["units"],
        embedding=embedding,
        heads=settings["heads"],
        dropout=settings["dropout"],
        name="churn_tabular",
        **compiled,
    )


def carve(train_frame, fraction, seed=0):
    """``(fit_frame, validation_frame)``: a stratified validation split carved off
    ``train_frame``; both checked like ``split``'s (rows and classes)."""
    fraction = check_float(fraction, "validation fraction", 0.0, 1.0, False, False)
    cause = f"a validation fraction of {fraction} of {len(train_frame)} training rows"
    rows = round(fraction * len(train_frame))
    if rows < MIN_SPLIT_ROWS:
        raise InputError(
            f"{cause} leaves {rows} row(s) in the validation split; it needs at least {MIN_SPLIT_ROWS}"
        )
    if np.bincount(labels(train_frame).astype(int), minlength=2).min() < 2:
        raise InputError(f"{cause}: the training split needs at least 2 customers of each class")
    (fit_frame, _), (validation_frame, _) = carve_validation(
        train_frame, labels(train_frame), fraction, seed=seed, stratify=True
    )
    check_split(validation_frame, "validation split", cause)
    check_split(fit_frame, "training split left after the validation carve", cause)
    return fit_frame, validation_frame


def train(model, x, y, epochs=50, batch_size=10, *, engine="keras", **options):
    """Fit ``model`` on ``(x, y)`` with T3's epochs and batch size as defaults.

    Args:
        model: the compiled Keras net (``build``).
        x: the preprocessed training rows.
        y: their labels.
        epochs: the epochs (T3's 50 by default).
        batch_size: the batch size (T3's 10 by default).
        engine: ``"keras"`` (``deepkit.training.fit``) or ``"numpy"`` (the NumPy reference,
            ``deepkit.training.fit_reference``, returned in place of ``model``).
        **options: ``validation_data``, ``patience`` (early stopping on the validation loss,
            best weights kept), ``seed``, ``verbose``, and for Keras ``feed`` (``"graph"`` or
            ``"xla"``: each epoch one graph call, ``deepkit.epoch_loop``; a configuration's
            choice is its ``"epoch_loop"`` setting, see ``configs``).

    A net of k heads (``deepkit.models.tabular``) trains on each label repeated per head
    (``head_targets``): its loss is the mean of the heads' losses.

    Returns:
        ``(fitted_model, history)``.
    """
    from deepkit.models.tabular import head_targets, heads_of

    heads = heads_of(model)
    if options.get("validation_data") is not None:
        x_val, y_val = options["validation_data"]
        options["validation_data"] = (x_val, head_targets(y_val, heads))
    y = head_targets(y, heads)
    return TRAINERS[engine](model, x, y, epochs=epochs, batch_size=batch_size, **options)


def evaluate(model, x, y):
    """Test metrics of ``model`` on ``(x, y)``; see ``classification_metrics``."""
    return classification_metrics(y, predict_probabilities(model, x))


def classification_metrics(y, probabilities):
    """Accuracy and confusion matrix at threshold 0.5, ROC AUC, and the always-"stays" baseline.

    Never a NaN figure: non-finite probabilities (training diverged) and a ``y`` of one
    class (no ROC AUC) are refused with the reason."""
    from sklearn.metrics import confusion_matrix, roc_auc_score

    if not np.all(np.isfinite(probabilities)):
        raise InputError(
            "the model's probabilities are not finite (NaN or inf): training diverged; "
            "try a lower learning rate"
        )
    if len(np.unique(y)) < 2:
        raise InputError("ROC AUC needs customers of both classes; these are all of one class")

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
    thousand rows this skips the graph tracing that ``model.predict`` pays for. A net of
    k heads predicts the mean of its heads' probabilities (``head_mean``).
    """
    from deepkit.models.tabular import head_mean

    return head_mean(np.asarray(model(x, training=False), dtype=np.float64)).reshape(-1)


def score(model, preprocessor, customers):
    """Churn probabilities of customers given by named fields (see ``customers_frame``)."""
    frame = customers_frame(customers)
    return predict_probabilities(model, preprocessor.transform(frame).astype(np.float32))


def customers_frame(customers):
    """``customers`` as a DataFrame: a DataFrame, one dict of fields (one customer) or a
    list of dicts; fields are the 10 feature columns (``NEW_CUSTOMER`` shows them)."""
    if isinstance(customers, dict):
        customers = [customers]
    if isinstance(customers, list) and customers and all(isinstance(c, dict) for c in customers):
        customers = pd.DataFrame(customers)
    if not isinstance(customers, pd.DataFrame):
        raise InputError(
            "customers must be a DataFrame, a dict or a non-empty list of dicts, "
            f"got {type(customers).__name__}"
        )
    return customers
