"""Losses with Keras's semantics (mirror keras/src/losses/losses.py and the
cross-entropies of keras/src/backend/tensorflow/nn.py).

Each loss reduces like Keras's default ``"sum_over_batch_size"``: a loss per
sample (averaged or summed over the last axis) then the mean over samples.
``value_and_grad(y_true, y_pred)`` returns that mean and dLoss/dy_pred.

Two paths, as in Keras:

- from probabilities (``from_logits=False``, what ``keras.losses.*`` does on
  plain arrays): probabilities are clipped to [1e-7, 1 - 1e-7] first, and the
  gradient is zero where the clip is active (as ``tf.clip_by_value``);
- from logits: inside ``fit``/``evaluate`` Keras finds the logits a sigmoid or
  softmax output cached (``_keras_logits``) and computes every cross-entropy
  from them without clipping. ``Sequential`` does the same: see
  :meth:`Loss.uses_logits_of`.
"""

import numpy as np

from deepkit.validation import InputError

EPSILON = 1e-7


class Loss:
    """Base class: ``loss(y_true, y_pred)`` is the mean loss (a float)."""

    name = None

    def __init__(self, from_logits=False):
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred):
        y_true, y_pred = self.prepare(y_true, y_pred)
        return self.value_and_grad(y_true, y_pred)[0]

    def value_and_grad(self, y_true, y_pred):
        raise NotImplementedError

    def prepare(self, y_true, y_pred):
        """Arrays of y_pred's float dtype, y_true expanded to y_pred's rank (Keras's
        ``squeeze_or_expand_to_same_rank``)."""
        y_pred = np.asarray(y_pred)
        if y_pred.dtype.kind != "f":
            y_pred = y_pred.astype("float32")
        y_true = np.asarray(y_true, dtype=y_pred.dtype)
        shape = y_true.shape
        if y_true.ndim == y_pred.ndim - 1:
            y_true = y_true[..., None]
        if y_true.shape != y_pred.shape:
            hint = (
                " (class indices? use sparse_categorical_crossentropy)"
                if y_true.shape[-1:] == (1,) and y_pred.shape[-1] > 1
                else ""
            )
            raise InputError(
                f"{self.name}: y_true has shape {shape}, y_pred has shape {y_pred.shape}{hint}"
            )
        return y_true, y_pred

    def uses_logits_of(self, activation_name):
        """Whether, inside fit, Keras computes this loss from the logits of a final
        ``activation_name``: every cross-entropy does so after a sigmoid or softmax."""
        return False

    def with_logits(self):
        return type(self)(from_logits=True)

    def get_config(self):
        return {"from_logits": self.from_logits}

    def to_keras(self):
        import keras

        return getattr(keras.losses, type(self).__name__)(**self.get_config())


class _CrossEntropy(Loss):
    def uses_logits_of(self, activation_name):
        return activation_name in ("sigmoid", "softmax")


class BinaryCrossentropy(_CrossEntropy):
    """Per element -(y log p + (1 - y) log(1 - p)), averaged over the last axis.

    From logits z: max(z, 0) - z y + log(1 + exp(-|z|)), gradient sigmoid(z) - y.
    From probabilities p (clipped): gradient (p - y) / (p (1 - p)).
    """

    name = "binary_crossentropy"

    def value_and_grad(self, y_true, y_pred):
        n = y_pred.size
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
    """

    name = "categorical_crossentropy"

    def value_and_grad(self, y_true, y_pred):
        m = y_pred.size // y_pred.shape[-1]
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
    """

    name = "sparse_categorical_crossentropy"

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


class MeanSquaredError(Loss):
    """Per sample mean_c (y_c - p_c)^2; gradient 2 (p - y) / size."""

    name = "mean_squared_error"

    def __init__(self):
        super().__init__(from_logits=False)

    def value_and_grad(self, y_true, y_pred):
        diff = y_pred - y_true
        loss = float((diff * diff).sum() / diff.size)
        return loss, diff * (2 / diff.size)

    def get_config(self):
        return {}


LOSSES = {
    cls.name: cls
    for cls in (
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        MeanSquaredError,
    )
}
LOSSES["mse"] = MeanSquaredError
CLASSES = {cls.__name__: cls for cls in set(LOSSES.values())}


def get(identifier):
    """A loss from a Keras name ("binary_crossentropy", "mse", ...), class name, or itself."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = LOSSES.get(identifier) or CLASSES.get(identifier)
        if cls is not None:
            return cls()
    raise InputError(f"unknown loss {identifier!r}; choose one of {', '.join(LOSSES)}")


def from_keras(keras_loss):
    """The twin of a Keras loss given as a name, a loss function or a Loss object."""
    if isinstance(keras_loss, str):
        return get(keras_loss)
    if callable(keras_loss) and hasattr(keras_loss, "__name__"):
        return get(keras_loss.__name__)
    name = type(keras_loss).__name__
    if name == "LossFunctionWrapper":
        return get(keras_loss.fn.__name__)
    cls = CLASSES.get(name)
    if cls is None:
        raise InputError(f"no NumPy twin for Keras loss {name}; supported: {', '.join(CLASSES)}")
    config, defaults = keras_loss.get_config(), type(keras_loss)().get_config()
    implemented = cls().get_config()
    unsupported = [
        f"{key}={value!r}"
        for key, value in config.items()
        if key != "name" and key not in implemented and value != defaults.get(key)
    ]
    if unsupported:
        raise InputError(
            f"Keras loss {name} uses {', '.join(unsupported)}, which the NumPy "
            f"twin does not implement (it reduces like 'sum_over_batch_size')"
        )
    return cls(**{k: config[k] for k in implemented})
