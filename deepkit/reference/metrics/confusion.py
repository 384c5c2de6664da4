"""The confusion-matrix metrics (mirror keras/src/metrics/confusion_metrics.py): state
kept over an epoch, not a mean over samples.

At one threshold t (0.5 unless given), every element is a prediction: positive when
y_pred > t, truly positive when y_true != 0. The state is the four counts

    tp = #(pos & true), fp = #(pos & ~true), tn = #(~pos & ~true), fn = #(~pos & true);

``TruePositives`` and its three siblings report a count, ``Precision`` tp / (tp + fp)
and ``Recall`` tp / (tp + fn), each 0 when its denominator is.
"""

import numpy as np

from deepkit.validation import InputError

COUNTS = ("true_positives", "false_positives", "true_negatives", "false_negatives")


def _ratio(numerator, denominator):
    return float(numerator / denominator) if denominator else 0.0


# Keras class -> (default name, the result from the counts tp, fp, tn, fn).
CONFUSION_METRICS = {
    "TruePositives": ("true_positives", lambda tp, fp, tn, fn: float(tp)),
    "FalsePositives": ("false_positives", lambda tp, fp, tn, fn: float(fp)),
    "TrueNegatives": ("true_negatives", lambda tp, fp, tn, fn: float(tn)),
    "FalseNegatives": ("false_negatives", lambda tp, fp, tn, fn: float(fn)),
    "Precision": ("precision", lambda tp, fp, tn, fn: _ratio(tp, tp + fp)),
    "Recall": ("recall", lambda tp, fp, tn, fn: _ratio(tp, tp + fn)),
}


class ConfusionMetric:
    """A confusion-matrix metric with Keras's stateful interface.

    Args:
        class_name: a key of ``CONFUSION_METRICS`` (``"Precision"``, ...).
        name: the key it logs under (Keras's default for the class if None).
        thresholds: one threshold in [0, 1], or None for 0.5.

    Raises:
        InputError: for another metric or a list of thresholds.
    """

    stateful = True

    def __init__(self, class_name, name=None, thresholds=None):
        if class_name not in CONFUSION_METRICS:
            raise InputError(
                f"no confusion metric {class_name!r}; known: {', '.join(CONFUSION_METRICS)}"
            )
        if thresholds is not None and not (
            isinstance(thresholds, (int, float)) and 0 <= thresholds <= 1
        ):
            raise InputError(
                f"{class_name}: thresholds={thresholds!r} is not implemented (one number in "
                "[0, 1], or None)"
            )
        self.class_name, self.thresholds = class_name, thresholds
        default_name, self._result = CONFUSION_METRICS[class_name]
        self.name = name or default_name
        self.reset_state()

    def reset_state(self):
        self.counts = np.zeros(4, dtype=np.int64)

    def update_state(self, y_true, y_pred):
        """Add one batch's counts (y_true shaped like y_pred)."""
        threshold = 0.5 if self.thresholds is None else self.thresholds
        positive = np.asarray(y_pred) > threshold
        true = np.asarray(y_true) != 0
        self.counts += [
            np.count_nonzero(positive & true),
            np.count_nonzero(positive & ~true),
            np.count_nonzero(~positive & ~true),
            np.count_nonzero(~positive & true),
        ]

    def result(self):
        return self._result(*self.counts)

    def to_keras(self):
        """The ``keras.metrics`` object with this name and threshold."""
        import keras

        return getattr(keras.metrics, self.class_name)(name=self.name, thresholds=self.thresholds)

    def __repr__(self):
        return f"<ConfusionMetric {self.name!r}: {self.class_name}>"
