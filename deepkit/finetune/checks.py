"""The checks of ``deepkit.finetune``'s settings and data, made before any training.

``check_settings`` imports nothing, so a bad setting is refused before TensorFlow loads;
``check_data`` fits the arrays to the model and names the loss their labels take.
"""

import numpy as np

from deepkit.checkpoints import Checkpoint, NoCheckpoint
from deepkit.training import ENGINES
from deepkit.validation import InputError, check_float, check_int


def check_data(model, num_classes, x, y):
    """Check that ``x`` fits ``model``'s input and ``y`` fits ``num_classes``.

    Args:
        model: the model to train.
        num_classes: the number of classes of the new head.
        x: the training inputs.
        y: the labels: integers of shape (n,) or one-hot rows of shape (n, num_classes).

    Returns:
        The loss for ``y``: sparse categorical cross-entropy for integer labels,
        categorical cross-entropy for one-hot rows.

    Raises:
        InputError: ``x`` has the wrong shape or a non-finite value, ``x`` and ``y``
            differ in length, or a label is outside ``0..num_classes - 1``.
    """
    check_int(num_classes, "num_classes", min_value=2)
    x, y = np.asarray(x), np.asarray(y)
    expected = tuple(model.input_shape[1:])
    if x.ndim != len(expected) + 1 or any(
        e is not None and e != s for e, s in zip(expected, x.shape[1:])
    ):
        raise InputError(
            f"x has shape {x.shape}, but the base takes inputs of shape (n, {', '.join(map(str, expected))})"
        )
    if not np.isfinite(x).all():
        raise InputError(
            f"x contains NaN or infinite values (first in sample {int(np.argwhere(~np.isfinite(x))[0][0])})"
        )
    if len(y) != len(x):
        raise InputError(f"x has {len(x)} samples but y has {len(y)}")
    if y.ndim == 2:
        if y.shape[1] != num_classes:
            raise InputError(f"one-hot y has {y.shape[1]} columns but num_classes is {num_classes}")
        return "categorical_crossentropy"
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise InputError(
            f"y must be integer labels of shape (n,) or one-hot (n, {num_classes}); got {y.dtype} {y.shape}"
        )
    bad = np.flatnonzero((y < 0) | (y >= num_classes))
    if bad.size:
        raise InputError(
            f"label {y[bad[0]]} at index {bad[0]} is outside 0..{num_classes - 1} (num_classes={num_classes})"
        )
    return "sparse_categorical_crossentropy"


def check_settings(
    *,
    num_classes=2,
    dropout=0.0,
    epochs=1,
    batch_size=1,
    learning_rate=1e-3,
    fine_tune_epochs=0,
    fine_tune_learning_rate=1e-5,
    validation_split=0.0,
    seed=0,
    checkpoint=None,
    engine="keras",
):
    """Check the settings of ``new_model``, ``train`` or ``finetune``.

    Every argument is the setting of the same name (the defaults pass); nothing is
    imported, so a bad setting is refused before TensorFlow loads.

    Args:
        num_classes: the number of classes, at least 2.
        dropout: the head's dropout rate, in [0, 1).
        epochs: phase 1's epochs, at least 1.
        batch_size: the batch size, at least 1.
        learning_rate: phase 1's learning rate, > 0.
        fine_tune_epochs: phase 2's epochs, at least 0.
        fine_tune_learning_rate: phase 2's learning rate, > 0.
        validation_split: the held-out fraction, in [0, 1).
        seed: the seed, an int >= 0.
        checkpoint: a ``deepkit.checkpoints`` checkpoint or ``None``.
        engine: ``"keras"`` or ``"numpy"``; the NumPy reference keeps no checkpoint folder.

    Raises:
        InputError: naming the setting and the value.
    """
    check_int(num_classes, "num_classes", min_value=2)
    if (
        isinstance(dropout, bool)
        or not isinstance(dropout, (int, float, np.floating))
        or not 0 <= dropout < 1
    ):
        raise InputError(f"dropout must be a rate in [0, 1), got {dropout!r}")
    for name, value, least in (
        ("epochs", epochs, 1),
        ("batch_size", batch_size, 1),
        ("fine_tune_epochs", fine_tune_epochs, 0),
    ):
        check_int(value, name, min_value=least)
    for name, rate in (
        ("learning_rate", learning_rate),
        ("fine_tune_learning_rate", fine_tune_learning_rate),
    ):
        check_float(rate, name, 0.0, include_min=False)
    if not 0.0 <= check_float(validation_split, "validation_split") < 1.0:
        raise InputError(f"validation fraction must be in [0, 1), got {validation_split!r}")
    check_int(seed, "seed", min_value=0)
    if checkpoint is not None and not isinstance(checkpoint, (Checkpoint, NoCheckpoint)):
        raise InputError(
            f"checkpoint must be a deepkit.checkpoints.Checkpoint, got {type(checkpoint).__name__}"
        )
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "numpy" and checkpoint is not None and checkpoint.directory is not None:
        raise InputError("a checkpoint folder saves Keras training: use it with engine='keras'")
