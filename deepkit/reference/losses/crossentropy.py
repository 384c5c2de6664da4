"""Cross-entropies (mirror keras/src/losses/losses.py and the cross-entropies of
keras/src/backend/tensorflow/nn.py), two paths as in Keras:

- from probabilities (``from_logits=False``, what ``keras.losses.*`` does on
  plain arrays): probabilities are clipped to [1e-7, 1 - 1e-7] first, and the
  gradient is zero where the clip is active (as ``tf.clip_by_value``);
- from logits: inside ``fit``/``evaluate`` Keras finds the logits a sigmoid or
  softmax output cached (``_keras_logits``) and computes every cross-entropy
  from them without clipping. ``Sequential`` does the same: see
  ``Loss.uses_logits_of``.

``label_smoothing`` s replaces the targets by y (1 - s) + s / 2 (binary) or
y (1 - s) + s / classes (categorical) before either path.
"""

import numpy as np

from deepkit.reference.losses.base import EPSILON, Loss
from deepkit.validation import InputError


def _check_smoothing(label_smoothing):
    if not 0 <= label_smoothing <= 1:
        raise InputError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


class _CrossEntropy(Loss):
    """A cross-entropy: ``label_smoothing`` checked once, Keras's logits path
    after a final sigmoid or softmax."""

    def __init__(self, from_logits=False, label_smoothing=0.0):
        super().__init__(from_logits)
        self.label_smoothing = _check_smoothing(label_smoothing)

    def uses_logits_of(self, activation_name):
        return activation_name in ("sigmoid", "softmax")

    def get_config(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}


class BinaryCrossentropy(_CrossEntropy):
    """Per element -(y log p + (1 - y) log(1 - p)), averaged over the last axis.

    From logits z: max(z, 0) - z y + log(1 + exp(-|z|)), gradient sigmoid(z) - y.
    From probabilities p (clipped): gradient (p - y) / (p (1 - p)).

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: s in [0, 1]; targets become y (1 - s) + s / 2.

    Raises:
        InputError: (when called) for labels outside [0, 1], where the loss
            would be negative and meaningless.
    """

    name = "binary_crossentropy"

    def prepare(self, y_true, y_pred):
        y_true, y_pred = super().prepare(y_true, y_pred)
        if y_true.size and (y_true.min() < 0 or y_true.max() > 1):
            raise InputError(
                f"{self.name}: labels must lie in [0, 1] (0 or 1, or a probability), "
                f"got values from {y_true.min():g} to {y_true.max():g}; class indices "
                "need sparse_categorical_crossentropy, and -1/1 labels hinge"
            )
        return y_true, y_pred

    def value_and_grad(self, y_true, y_pred):
        n = y_pred.size
        if self.label_smoothing:
            s = self.label_smoothing
            y_true = y_true * (1.0 - s) + 0.5 * s
        if self.from_logits:
            z = y_pred
            e = np.exp(-np.abs(z))
            loss = (np.maximum(z, 0) - z * y_true + np.log1p(e)).sum() / n
            r = 1 / (1 + e)
            grad = np.where(z >= 0, r, e * r) - y_true
            grad /= n
            return float(loss), grad
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        loss = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)).sum() / n
        grad = (p - y_true) / (p * (1 - p) * n)
        grad *= y_pred == p
        return float(loss), grad


class CategoricalCrossentropy(_CrossEntropy):
    """Per sample -sum_c y_c log p_c.

    From logits z: sum_c y_c (logsumexp(z) - z_c), gradient softmax(z) sum(y) - y.
    From probabilities o: p = o / sum(o) then clipped; gradient through both.

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
        label_smoothing: s in [0, 1]; targets become y (1 - s) + s / classes.
    """

    name = "categorical_crossentropy"

    def value_and_grad(self, y_true, y_pred):
        m = y_pred.size // y_pred.shape[-1]
        if self.label_smoothing:
            s = self.label_smoothing
            y_true = y_true * (1.0 - s) + s / y_true.shape[-1]
        if self.from_logits:
            shifted = y_pred - y_pred.max(axis=-1, keepdims=True)
            exp = np.exp(shifted)
            total = exp.sum(axis=-1, keepdims=True)
            loss = (y_true * (np.log(total) - shifted)).sum() / m
            grad = exp / total * y_true.sum(axis=-1, keepdims=True) - y_true
            grad /= m
            return float(loss), grad
        s = y_pred.sum(axis=-1, keepdims=True)
        q = y_pred / s
        p = np.clip(q, EPSILON, 1 - EPSILON)
        loss = -(y_true * np.log(p)).sum() / m
        grad_q = -y_true / p * (q == p)
        grad = (grad_q - (grad_q * q).sum(axis=-1, keepdims=True)) / (s * m)
        return float(loss), grad


class SparseCategoricalCrossentropy(_CrossEntropy):
    """Categorical cross-entropy with integer class targets (shape (n,) or (n, 1)).

    From logits z: logsumexp(z) - z_t, gradient softmax(z) - onehot(t).
    From probabilities: the same with z = log(clip(p)) (as Keras).

    Args:
        from_logits: whether ``y_pred`` holds logits rather than probabilities.
    """

    name = "sparse_categorical_crossentropy"

    def __init__(self, from_logits=False):
        super().__init__(from_logits)

    def get_config(self):
        return {"from_logits": self.from_logits}

    def prepare(self, y_true, y_pred):
        y_pred = np.asarray(y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype("float32")
        y_true = np.asarray(y_true)
        if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
            y_true = y_true[..., 0]
        if y_true.shape != y_pred.shape[:-1]:
            raise InputError(
                f"{self.name}: y_true has shape {y_true.shape}, "
                f"expected {y_pred.shape[:-1]} for y_pred of shape {y_pred.shape}"
            )
        classes = y_pred.shape[-1]
        if y_true.dtype.kind == "f" and not np.array_equal(y_true, np.round(y_true)):
            raise InputError(f"{self.name}: y_true must hold integer class indices")
        y_true = y_true.astype(np.intp)
        if y_true.size and (y_true.min() < 0 or y_true.max() >= classes):
            raise InputError(
                f"{self.name}: class index out of range [0, {classes}): "
                f"min {y_true.min()}, max {y_true.max()}"
            )
        return y_true, y_pred

    def value_and_grad(self, y_true, y_pred):
        classes = y_pred.shape[-1]
        z = y_pred if self.from_logits else np.log(np.clip(y_pred, EPSILON, 1 - EPSILON))
        z = z.reshape(-1, classes)
        targets = y_true.reshape(-1)
        rows = np.arange(len(targets))
        m = len(targets)
        shifted = z - z.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=-1, keepdims=True)
        loss = (np.log(total).sum() - shifted[rows, targets].sum()) / m
        grad = exp
        grad /= total
        grad[rows, targets] -= 1
        grad /= m
        grad = grad.reshape(y_pred.shape)
        if not self.from_logits:
            p = np.clip(y_pred, EPSILON, 1 - EPSILON)
            grad = grad / p * (y_pred == p)
        return float(loss), grad
