"""Metrics (mirror keras/src/metrics): the counterparts of ``keras.metrics``.

Two kinds, as in Keras:

- ``functions``: a mean over samples (accuracies, mae, mse, the losses as metrics); each
  function returns the batch's sum of per-sample values, and ``fit``/``evaluate`` divide
  running sums by sample counts;
- ``confusion``: ``ConfusionMetric`` (true/false positives/negatives, precision, recall),
  state kept over an epoch with Keras's ``reset_state``/``update_state``/``result``.

A metric is named by a string (Keras's names and short names) or given as a ``Metric``
or ``ConfusionMetric`` object, the counterpart of a ``keras.metrics`` object, whose
``name`` is the key it logs under.
"""

import re

from deepkit.reference.metrics.confusion import CONFUSION_METRICS, ConfusionMetric
from deepkit.reference.metrics.functions import (
    LOSS_METRICS,
    batch_sum,
    binary_accuracy,
    categorical_accuracy,
    loss_metric,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_accuracy,
)
from deepkit.validation import InputError


def _snake(class_name):
    """Keras's ``to_snake_case`` of a class name ("KLDivergence" -> "kl_divergence")."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# The keras.metrics class of each mean metric here.
KERAS_CLASSES = {
    "binary_accuracy": "BinaryAccuracy",
    "categorical_accuracy": "CategoricalAccuracy",
    "sparse_categorical_accuracy": "SparseCategoricalAccuracy",
    "mean_absolute_error": "MeanAbsoluteError",
    "mean_squared_error": "MeanSquaredError",
    **{_snake(class_name): class_name for class_name in LOSS_METRICS},
}
METRICS = {
    f.__name__: f
    for f in (
        binary_accuracy,
        categorical_accuracy,
        sparse_categorical_accuracy,
        mean_absolute_error,
        mean_squared_error,
    )
}
METRICS.update({_snake(name): loss_metric(cls, _snake(name)) for name, cls in LOSS_METRICS.items()})
# Keras's short names (keras/src/metrics/__init__.py).
ALIASES = {
    "mae": "mean_absolute_error",
    "mse": "mean_squared_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "bce": "binary_crossentropy",
}
for _alias, _name in ALIASES.items():
    METRICS[_alias] = METRICS[_name]
# The settings each class takes (beyond name and dtype), and those whose Keras default
# is the only value implemented here.
KERAS_SETTINGS = {
    "BinaryAccuracy": ("threshold",),
    "BinaryCrossentropy": ("from_logits", "label_smoothing"),
    "CategoricalCrossentropy": ("from_logits", "label_smoothing"),
    "SparseCategoricalCrossentropy": ("from_logits",),
    **{name: ("thresholds",) for name in CONFUSION_METRICS},
}
ONLY_DEFAULT = {"axis": -1, "ignore_class": None, "top_k": None, "class_id": None}
# Every string name and its class: the mean metrics', and the confusion metrics' names.
STRING_NAMES = {
    **{name: KERAS_CLASSES[fn.__name__] for name, fn in METRICS.items()},
    **{_snake(name): name for name in CONFUSION_METRICS},
}


class Metric:
    """A named mean metric: ``metric(y_true, y_pred)`` is the sum of per-sample values.

    Args:
        fn: one of ``METRICS``' functions.
        name: the key it logs under (Keras's default: the function's name).
        **kwargs: fixed arguments of ``fn`` (``threshold`` for binary_accuracy,
            ``from_logits`` for a cross-entropy, ...).
    """

    stateful = False

    def __init__(self, fn, name=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        self.name = name or fn.__name__

    def __call__(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.kwargs)

    def batch_sum(self, y_true, y_pred, logits, activation):
        """The batch's sum inside ``fit``/``evaluate`` (``functions.batch_sum``)."""
        return batch_sum(self.fn, y_true, y_pred, logits, activation, **self.kwargs)

    def to_keras(self):
        """The ``keras.metrics`` object with this name and settings."""
        import keras

        class_name = KERAS_CLASSES[self.fn.__name__]
        return getattr(keras.metrics, class_name)(name=self.name, **self.kwargs)

    def __repr__(self):
        return f"<Metric {self.name!r}: {self.fn.__name__}>"


def _known():
    return f"accuracy, {', '.join(STRING_NAMES)}"


def check(identifier):
    """``identifier`` after checking it names a metric (a string or a metric object).

    Raises:
        InputError: for anything else.
    """
    if isinstance(identifier, (Metric, ConfusionMetric)):
        return identifier
    if isinstance(identifier, str) and (
        identifier in ("accuracy", "acc") or identifier in STRING_NAMES
    ):
        return identifier
    raise InputError(
        f"unknown metric {identifier!r}; the NumPy reference implements {_known()} "
        "(or a deepkit.reference.metrics.Metric or ConfusionMetric)"
    )


def get(identifier, y_true_shape, y_pred_shape):
    """(name, a ``Metric`` or ``ConfusionMetric``) for a metric. "accuracy"/"acc" picks one
    by the shapes, as
    Keras's compile_utils.get_metric: binary when y_pred's last axis is 1, sparse
    when y_true has lower rank (or a last axis of 1), else categorical. A confusion
    metric named by a string is a new ``ConfusionMetric`` (its own state)."""
    if isinstance(identifier, (Metric, ConfusionMetric)):
        return identifier.name, identifier
    if identifier in ("accuracy", "acc"):
        if y_pred_shape[-1] == 1:
            fn = binary_accuracy
        elif len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
            fn = sparse_categorical_accuracy
        else:
            fn = categorical_accuracy
        return identifier, Metric(fn, identifier)
    check(identifier)
    if identifier in METRICS:
        return identifier, Metric(METRICS[identifier], identifier)
    return identifier, ConfusionMetric(STRING_NAMES[identifier], identifier)


def from_keras(entry):
    """The counterpart of one entry of a Keras model's compile config ``metrics``.

    Args:
        entry: a metric name, or a serialized ``keras.metrics`` object (a dict
            with ``class_name`` and ``config``), as ``get_compile_config`` gives.

    Returns:
        A name, a ``Metric`` or a ``ConfusionMetric``.

    Raises:
        InputError: naming the metric (and its class) when the NumPy reference
            has no counterpart, or the settings it does not implement.
    """
    if isinstance(entry, str):
        try:
            return check(entry)
        except InputError:
            raise InputError(
                f"metric {entry!r} has no NumPy reference counterpart; it implements {_known()}"
            ) from None
    if not (isinstance(entry, dict) and "class_name" in entry):
        raise InputError(f"metric {entry!r} has no NumPy reference counterpart")
    class_name, config = entry["class_name"], dict(entry.get("config") or {})
    functions = {v: k for k, v in KERAS_CLASSES.items()}
    if class_name not in functions and class_name not in CONFUSION_METRICS:
        known = ", ".join([*KERAS_CLASSES.values(), *CONFUSION_METRICS])
        raise InputError(
            f"metric {config.get('name', class_name)!r} ({class_name}) has no NumPy "
            f"reference counterpart; it implements {known}"
        )
    settings = KERAS_SETTINGS.get(class_name, ())
    extra = sorted(
        k
        for k in config
        if k not in ("name", "dtype") + settings
        and not (k in ONLY_DEFAULT and config[k] == ONLY_DEFAULT[k])
    )
    if extra:
        raise InputError(
            f"metric {config.get('name')!r} ({class_name}) uses "
            f"{', '.join(f'{k}={config[k]!r}' for k in extra)}, which the NumPy reference "
            "does not implement"
        )
    kwargs = {k: config[k] for k in settings if k in config}
    if class_name in CONFUSION_METRICS:
        return ConfusionMetric(class_name, config.get("name"), **kwargs)
    return Metric(METRICS[functions[class_name]], config.get("name"), **kwargs)
