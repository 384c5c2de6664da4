"""Losses with Keras's semantics (mirror keras/src/losses/losses.py and the
cross-entropies of keras/src/backend/tensorflow/nn.py).

Each loss reduces like Keras's default ``"sum_over_batch_size"``: a loss per
sample (averaged or summed over the last axis) then the mean over samples.
``value_and_grad(y_true, y_pred)`` returns that mean and dLoss/dy_pred.

With ``e = y_pred - y_true`` and eps = 1e-7 (Keras's ``backend.epsilon()``),
the per-sample losses, each a mean over the last axis unless said otherwise:

- mean_squared_error: e^2; mean_absolute_error: |e|;
- mean_absolute_percentage_error: 100 |e| / max(|y_true|, eps);
- mean_squared_logarithmic_error: (log(max(p, eps) + 1) - log(max(y, eps) + 1))^2;
- huber: e^2 / 2 where |e| <= delta, else delta |e| - delta^2 / 2;
- log_cosh: e + softplus(-2 e) - log 2 (= log cosh e, log 2 rounded to float32
  as Keras computes it), gradient tanh(e);
- poisson: p - y log(p + eps);
- kl_divergence: sum over the last axis of y log(y / p), both clipped to [eps, 1];
- hinge: max(1 - y p, 0) and squared_hinge: max(1 - y p, 0)^2, where labels
  that are all 0 or 1 (in the batch) become -1 or 1 first;
- categorical_hinge (per sample): max(max_c (1 - y_c) p_c - sum_c y_c p_c + 1, 0);
- cosine_similarity (per sample): -sum_c y^_c p^_c, each vector scaled by
  min(1 / ||v||, 1 / eps).

Gradients follow TensorFlow's conventions at the kinks: |x| has gradient 0 at
0; ``maximum(a, b)`` sends the gradient to ``a`` on ties and ``minimum`` too;
a clip passes the gradient where the value lies inside the closed interval;
``reduce_max`` splits it evenly between tied maxima.

Cross-entropies, two paths as in Keras:

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

from deepkit.validation import InputError

EPSILON = 1e-7


class Loss:
    """Base class: ``loss(y_true, y_pred)`` is the mean loss (a float).

    A subclass sets ``name`` (Keras's function name) and implements
    ``value_and_grad``; ``get_config`` lists the constructor arguments it
    implements (the Keras bridge refuses any other non-default Keras setting).
    """

    name = None

    def __init__(self, from_logits=False):
        self.from_logits = from_logits

    def __call__(self, y_true, y_pred):
        y_true, y_pred = self.prepare(y_true, y_pred)
        return self.value_and_grad(y_true, y_pred)[0]

    def value_and_grad(self, y_true, y_pred):
        """(mean loss, dLoss/dy_pred) for prepared arrays."""
        raise NotImplementedError

    def prepare(self, y_true, y_pred):
        """Arrays of y_pred's float dtype, y_true expanded to y_pred's rank (Keras's
        ``squeeze_or_expand_to_same_rank``).

        Raises:
            InputError: when the shapes differ.
        """
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
        """The same loss computed from logits (the other settings kept)."""
        return type(self)(**{**self.get_config(), "from_logits": True})

    def get_config(self):
        return {"from_logits": self.from_logits}

    def to_keras(self):
        import keras

        return getattr(keras.losses, type(self).__name__)(**self.get_config())


def _check_smoothing(label_smoothing):
    if not 0 <= label_smoothing <= 1:
        raise InputError(f"label_smoothing must be in [0, 1], got {label_smoothing!r}")
    return float(label_smoothing)


class _CrossEntropy(Loss):
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


class _Elementwise(Loss):
    """A loss that is the mean over every element of ``elementwise(y_true, y_pred)``
    (the mean over the last axis, then over samples)."""

    def __init__(self):
        super().__init__(from_logits=False)

    def elementwise(self, y_true, y_pred):
        """(values, d values / d y_pred), both shaped like y_pred."""
        raise NotImplementedError

    def value_and_grad(self, y_true, y_pred):
        values, grad = self.elementwise(y_true, y_pred)
        n = values.size
        return float(values.sum() / n), grad / y_pred.dtype.type(n)

    def get_config(self):
        return {}


class MeanSquaredError(_Elementwise):
    """Per element (p - y)^2; gradient 2 (p - y)."""

    name = "mean_squared_error"

    def elementwise(self, y_true, y_pred):
        diff = y_pred - y_true
        return diff * diff, 2 * diff


class MeanAbsoluteError(_Elementwise):
    """Per element |p - y|; gradient sign(p - y) (0 where they are equal)."""

    name = "mean_absolute_error"

    def elementwise(self, y_true, y_pred):
        diff = y_pred - y_true
        return np.abs(diff), np.sign(diff)


class MeanAbsolutePercentageError(_Elementwise):
    """Per element 100 |y - p| / max(|y|, eps); gradient 100 sign(p - y) / max(|y|, eps)."""

    name = "mean_absolute_percentage_error"

    def elementwise(self, y_true, y_pred):
        scale = np.maximum(np.abs(y_true), y_pred.dtype.type(EPSILON))
        ratio = (y_true - y_pred) / scale
        return 100 * np.abs(ratio), -100 * np.sign(ratio) / scale


class MeanSquaredLogarithmicError(_Elementwise):
    """Per element (log(max(p, eps) + 1) - log(max(y, eps) + 1))^2; the gradient
    2 (difference) / (max(p, eps) + 1) where p >= eps, else 0."""

    name = "mean_squared_logarithmic_error"

    def elementwise(self, y_true, y_pred):
        eps = y_pred.dtype.type(EPSILON)
        shifted = np.maximum(y_pred, eps) + 1
        diff = np.log(shifted) - np.log(np.maximum(y_true, eps) + 1)
        return diff * diff, 2 * diff / shifted * (y_pred >= eps)


class Huber(_Elementwise):
    """Per element e^2 / 2 where |e| <= delta, else delta |e| - delta^2 / 2 (e = p - y);
    gradient e, or delta sign(e).

    Args:
        delta: where the loss turns from quadratic to linear (Keras's 1.0).
    """

    name = "huber"

    def __init__(self, delta=1.0):
        super().__init__()
        if not delta > 0:
            raise InputError(f"huber delta must be positive, got {delta!r}")
        self.delta = float(delta)

    def elementwise(self, y_true, y_pred):
        e = y_pred - y_true
        a, delta = np.abs(e), y_pred.dtype.type(self.delta)
        inside = a <= delta
        values = np.where(inside, 0.5 * e * e, delta * a - 0.5 * delta * delta)
        return values, np.where(inside, e, delta * np.sign(e))

    def get_config(self):
        return {"delta": self.delta}


class LogCosh(_Elementwise):
    """Per element e + softplus(-2 e) - log 2 = log cosh(e), e = p - y; gradient tanh(e)."""

    name = "log_cosh"

    def elementwise(self, y_true, y_pred):
        e = y_pred - y_true
        # Keras computes log 2 in float32 whatever the dtype (ops.log(2.0)).
        values = e + np.logaddexp(0, -2 * e) - y_pred.dtype.type(np.log(np.float32(2)))
        return values, np.tanh(e)


class Poisson(_Elementwise):
    """Per element p - y log(p + eps); gradient 1 - y / (p + eps)."""

    name = "poisson"

    def elementwise(self, y_true, y_pred):
        shifted = y_pred + y_pred.dtype.type(EPSILON)
        return y_pred - y_true * np.log(shifted), 1 - y_true / shifted


def _hinge_labels(y_true):
    """Keras's convert_binary_labels_to_hinge: labels all 0 or 1 become -1 or 1."""
    if np.all((y_true == 0) | (y_true == 1)):
        return 2 * y_true - 1
    return y_true


class Hinge(_Elementwise):
    """Per element max(1 - y p, 0) (0/1 labels mapped to -1/1); gradient -y where
    1 - y p >= 0."""

    name = "hinge"

    def elementwise(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        margin = 1 - y * y_pred
        return np.maximum(margin, 0), -y * (margin >= 0)


class SquaredHinge(_Elementwise):
    """Per element max(1 - y p, 0)^2 (0/1 labels mapped to -1/1); gradient
    -2 y max(1 - y p, 0)."""

    name = "squared_hinge"

    def elementwise(self, y_true, y_pred):
        y = _hinge_labels(y_true)
        margin = np.maximum(1 - y * y_pred, 0)
        return margin * margin, -2 * y * margin


class _PerSample(Loss):
    """A loss that is the mean over samples of ``per_sample(y_true, y_pred)`` (one value
    per vector along the last axis)."""

    def __init__(self):
        super().__init__(from_logits=False)

    def per_sample(self, y_true, y_pred):
        """(values shaped y_pred.shape[:-1], d values / d y_pred shaped like y_pred)."""
        raise NotImplementedError

    def value_and_grad(self, y_true, y_pred):
        values, grad = self.per_sample(y_true, y_pred)
        m = values.size
        return float(values.sum() / m), grad / y_pred.dtype.type(m)

    def get_config(self):
        return {}


class KLDivergence(_PerSample):
    """Per sample sum_c y_c log(y_c / p_c), y and p clipped to [eps, 1]; gradient
    -y_c / p_c where p_c lies inside the clip, else 0."""

    name = "kl_divergence"

    def per_sample(self, y_true, y_pred):
        y = np.clip(y_true, EPSILON, 1)
        p = np.clip(y_pred, EPSILON, 1)
        values = (y * np.log(y / p)).sum(axis=-1)
        return values, -y / p * (y_pred == p)


class CategoricalHinge(_PerSample):
    """Per sample max(neg - pos + 1, 0), pos = sum_c y_c p_c, neg = max_c (1 - y_c) p_c;
    gradient, where neg - pos + 1 >= 0: (1 - y) times the indicator of the maxima
    (split evenly between ties) minus y."""

    name = "categorical_hinge"

    def per_sample(self, y_true, y_pred):
        pos = (y_true * y_pred).sum(axis=-1)
        others = (1 - y_true) * y_pred
        neg = others.max(axis=-1)
        margin = neg - pos + 1
        ties = others == neg[..., None]
        share = (ties / ties.sum(axis=-1, keepdims=True)).astype(y_pred.dtype)
        dneg = (1 - y_true) * share
        return np.maximum(margin, 0), (dneg - y_true) * (margin >= 0)[..., None]


class CosineSimilarity(_PerSample):
    """Per sample -sum_c y^_c p^_c, v^ = v min(1 / ||v||, 1 / eps) along the last axis.

    Gradient, where ||p|| >= eps: -(y^ - p^ (y^ . p^)) / ||p||; else -y^ / eps.

    Args:
        axis: only -1 (Keras's default) is implemented.
    """

    name = "cosine_similarity"

    def __init__(self, axis=-1):
        super().__init__()
        if axis != -1:
            raise InputError(f"cosine_similarity: axis={axis!r} is not implemented (only -1)")
        self.axis = -1

    def per_sample(self, y_true, y_pred):
        cap = y_pred.dtype.type(1 / EPSILON)
        with np.errstate(divide="ignore"):
            inv_y = np.minimum(1 / np.sqrt((y_true * y_true).sum(-1, keepdims=True)), cap)
            inv_p = np.minimum(1 / np.sqrt((y_pred * y_pred).sum(-1, keepdims=True)), cap)
        y_hat, p_hat = y_true * inv_y, y_pred * inv_p
        dot = (y_hat * p_hat).sum(axis=-1, keepdims=True)
        grad = np.where(inv_p < cap, -(y_hat - p_hat * dot) * inv_p, -y_hat * cap)
        return -dot[..., 0], grad

    def get_config(self):
        return {"axis": self.axis}


LOSSES = {
    cls.name: cls
    for cls in (
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        MeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        Huber,
        LogCosh,
        Poisson,
        KLDivergence,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        CosineSimilarity,
    )
}
# Keras's short names (keras/src/losses/__init__.py), both cases.
ALIASES = {
    "bce": "binary_crossentropy",
    "kld": "kl_divergence",
    "mae": "mean_absolute_error",
    "mse": "mean_squared_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
}
for _alias, _name in ALIASES.items():
    LOSSES[_alias] = LOSSES[_alias.upper()] = LOSSES[_name]
CLASSES = {cls.__name__: cls for cls in set(LOSSES.values())}

# Keras losses (function and class names) the NumPy reference does not implement.
NOT_IMPLEMENTED = (
    "binary_focal_crossentropy",
    "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy",
    "CategoricalFocalCrossentropy",
    "dice",
    "Dice",
    "tversky",
    "Tversky",
    "circle",
    "Circle",
    "ctc",
    "CTC",
)


def _known():
    return ", ".join(sorted(cls.name for cls in CLASSES.values()))


def get(identifier):
    """A loss from a Keras name ("binary_crossentropy", "mse", ...), class name, or itself.

    Args:
        identifier: a name, a class name (``"MeanAbsoluteError"``) or a ``Loss``.

    Returns:
        A ``Loss`` instance.

    Raises:
        InputError: for a Keras loss the NumPy reference does not implement, or a
            name Keras does not know either.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = LOSSES.get(identifier) or CLASSES.get(identifier)
        if cls is not None:
            return cls()
        if identifier in NOT_IMPLEMENTED:
            raise InputError(
                f"Keras loss {identifier!r} is not implemented by the NumPy reference; "
                f"it implements {_known()} (and Keras's short names "
                f"{', '.join(ALIASES)})"
            )
    raise InputError(
        f"unknown loss {identifier!r}: neither Keras nor the NumPy reference has it; "
        f"the NumPy reference implements {_known()} (and Keras's short names "
        f"{', '.join(ALIASES)})"
    )


def from_keras(keras_loss):
    """The NumPy reference's counterpart of a Keras loss.

    Args:
        keras_loss: a name, a loss function or a ``keras.losses.Loss`` object.

    Returns:
        A ``Loss`` with the same settings.

    Raises:
        InputError: naming the loss, or every setting of it, the NumPy reference
            does not implement (a reduction other than "sum_over_batch_size",
            an axis other than -1, ``ignore_class``, ...).
    """
    if isinstance(keras_loss, str):
        return get(keras_loss)
    if callable(keras_loss) and hasattr(keras_loss, "__name__"):
        return get(keras_loss.__name__)
    name = type(keras_loss).__name__
    if name == "LossFunctionWrapper":
        fn = getattr(keras_loss, "fn", None)
        cls = LOSSES.get(getattr(fn, "__name__", None))
        if cls is None:
            raise InputError(
                f"Keras loss wrapper around {fn!r} has no NumPy reference counterpart; "
                f"it implements {_known()}"
            )
        config = {**keras_loss.get_config(), **getattr(keras_loss, "_fn_kwargs", {})}
        config.pop("fn", None)
        defaults = {"reduction": "sum_over_batch_size", "axis": -1}
    else:
        cls = CLASSES.get(name)
        if cls is None:
            get(name)  # raises the right message
        # Some Keras losses (Huber, CosineSimilarity) leave their function's
        # arguments out of get_config: read them where the loss keeps them.
        default = type(keras_loss)()
        config = {**keras_loss.get_config(), **getattr(keras_loss, "_fn_kwargs", {})}
        defaults = {**default.get_config(), **getattr(default, "_fn_kwargs", {})}
    implemented = cls().get_config()
    unsupported = [
        f"{key}={value!r}"
        for key, value in config.items()
        if key not in ("name", "dtype")
        and key not in implemented
        and value != defaults.get(key)
        and not (key == "ignore_class" and value is None)
        and not (key == "label_smoothing" and not value)
    ]
    if unsupported:
        raise InputError(
            f"Keras loss {name} uses {', '.join(unsupported)}, which the NumPy "
            f"reference does not implement (it reduces like 'sum_over_batch_size', "
            "over the last axis)"
        )
    return cls(**{k: config[k] for k in implemented if k in config})
