"""Metrics (mirror keras/src/metrics/accuracy_metrics.py and regression_metrics.py).

Keras's metric has one value per sample and reports the running mean over
samples; each function here returns the *sum* of those per-sample values over
the batch, so ``fit`` and ``evaluate`` divide running sums by sample counts.

Per sample (a mean over the last axis, and over any other non-batch axis):

- binary_accuracy: [y_true == (y_pred > threshold)], threshold 0.5;
- categorical_accuracy: [argmax y_true == argmax y_pred] (first maximum on ties);
- sparse_categorical_accuracy: [y_true == argmax y_pred];
- mean_absolute_error ("mae"): |y_true - y_pred|;
- mean_squared_error ("mse"): (y_true - y_pred)^2.

A metric is named by a string (Keras's names and short names) or given as a
``Metric`` object, the counterpart of a ``keras.metrics`` object, whose
``name`` is the key it logs under.
"""

import numpy as np

from deepkit.validation import InputError


def _per_sample_sum(values, n):
    """The sum over samples of each sample's mean value (values: batch axis first)."""
    return values.reshape(n, -1).mean(axis=1).sum() if values.size else 0.0


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Per sample: mean over the last axis of [y_true == (y_pred > threshold)]."""
    return np.count_nonzero(y_true == (y_pred > threshold)) / y_pred.shape[-1]


def categorical_accuracy(y_true, y_pred):
    """Per sample: [argmax(y_true) == argmax(y_pred)]."""
    return np.count_nonzero(y_true.argmax(axis=-1) == y_pred.argmax(axis=-1))


def sparse_categorical_accuracy(y_true, y_pred):
    """Per sample: [y_true == argmax(y_pred)], y_true holding class indices."""
    if y_true.ndim == y_pred.ndim:
        y_true = y_true[..., 0]
    return np.count_nonzero(y_true == y_pred.argmax(axis=-1))


def mean_absolute_error(y_true, y_pred):
    """Per sample: mean of |y_true - y_pred| (y_true already shaped like y_pred)."""
    return float(_per_sample_sum(np.abs(y_true - y_pred), len(y_pred)))


def mean_squared_error(y_true, y_pred):
    """Per sample: mean of (y_true - y_pred)^2 (y_true already shaped like y_pred)."""
    diff = y_true - y_pred
    return float(_per_sample_sum(diff * diff, len(y_pred)))


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
ALIASES = {"mae": "mean_absolute_error", "mse": "mean_squared_error"}
for _alias, _name in ALIASES.items():
    METRICS[_alias] = METRICS[_name]


class Metric:
    """A named metric: ``metric(y_true, y_pred)`` is the sum of per-sample values.

    Args:
        fn: one of the functions above.
        name: the key it logs under (Keras's default: the function's name).
        **kwargs: fixed arguments of ``fn`` (``threshold`` for binary_accuracy).
    """

    def __init__(self, fn, name=None, **kwargs):
        self.fn, self.kwargs = fn, kwargs
        self.name = name or fn.__name__

    def __call__(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self.kwargs)

    def to_keras(self):
        """The ``keras.metrics`` object with this name and settings."""
        import keras

        class_name = KERAS_CLASSES[self.fn.__name__]
        return getattr(keras.metrics, class_name)(name=self.name, **self.kwargs)

    def __repr__(self):
        return f"<Metric {self.name!r}: {self.fn.__name__}>"


# The keras.metrics classes with a counterpart here, and their settings.
KERAS_CLASSES = {
    "binary_accuracy": "BinaryAccuracy",
    "categorical_accuracy": "CategoricalAccuracy",
    "sparse_categorical_accuracy": "SparseCategoricalAccuracy",
    "mean_absolute_error": "MeanAbsoluteError",
    "mean_squared_error": "MeanSquaredError",
}
KERAS_SETTINGS = {"BinaryAccuracy": ("threshold",)}


def check(identifier):
    """``identifier`` after checking it names a metric (a string or a ``Metric``).

    Raises:
        InputError: for anything else.
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and (identifier in ("accuracy", "acc") or identifier in METRICS):
        return identifier
    raise InputError(
        f"unknown metric {identifier!r}; the NumPy reference implements accuracy, "
        f"{', '.join(METRICS)} (or a deepkit.reference.metrics.Metric)"
    )


def get(identifier, y_true_shape, y_pred_shape):
    """(name, function) for a metric. "accuracy"/"acc" picks one by the shapes, as
    Keras's compile_utils.get_metric: binary when y_pred's last axis is 1, sparse
    when y_true has lower rank (or a last axis of 1), else categorical."""
    if isinstance(identifier, Metric):
        return identifier.name, identifier
    if identifier in ("accuracy", "acc"):
        if y_pred_shape[-1] == 1:
            return identifier, binary_accuracy
        if len(y_true_shape) < len(y_pred_shape) or y_true_shape[-1] == 1:
            return identifier, sparse_categorical_accuracy
        return identifier, categorical_accuracy
    check(identifier)
    return identifier, METRICS[identifier]


def from_keras(entry):
    """The counterpart of one entry of a Keras model's compile config ``metrics``.

    Args:
        entry: a metric name, or a serialized ``keras.metrics`` object (a dict
            with ``class_name`` and ``config``), as ``get_compile_config`` gives.

    Returns:
        A name or a ``Metric``.

    Raises:
        InputError: naming the metric (and its class) when the NumPy reference
            has no counterpart, or the settings it does not implement.
    """
    if isinstance(entry, str):
        try:
            return check(entry)
        except InputError:
            raise InputError(
                f"metric {entry!r} has no NumPy reference counterpart; it implements "
                f"accuracy, {', '.join(METRICS)}"
            ) from None
    if isinstance(entry, dict) and "class_name" in entry:
        class_name, config = entry["class_name"], dict(entry.get("config") or {})
        names = {v: k for k, v in KERAS_CLASSES.items()}
        if class_name not in names:
            raise InputError(
                f"metric {config.get('name', class_name)!r} ({class_name}) has no NumPy "
                f"reference counterpart; it implements {', '.join(KERAS_CLASSES.values())}"
            )
        settings = KERAS_SETTINGS.get(class_name, ())
        extra = sorted(k for k in config if k not in ("name", "dtype") + settings)
        if extra:
            raise InputError(
                f"metric {config.get('name')!r} ({class_name}) uses {', '.join(extra)}, "
                "which the NumPy reference does not implement"
            )
        fn = METRICS[names[class_name]]
        return Metric(fn, config.get("name"), **{k: config[k] for k in settings if k in config})
    raise InputError(f"metric {entry!r} has no NumPy reference counterpart")
