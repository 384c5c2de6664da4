"""The regularizers (mirrors keras/src/regularizers/regularizers.py): each maps an
array x to a penalty and gives its gradient.

    L1(l1):        l1 * sum(|x|)                 gradient l1 * sign(x)
    L2(l2):        l2 * sum(x**2)                gradient 2 * l2 * x
    L1L2(l1, l2):  l1 * sum(|x|) + l2 * sum(x**2)
    OrthogonalRegularizer(factor, mode):  see its class

The factor enters in x's dtype as Keras casts it: a Python float becomes a float32
tensor first (``keras_cast``), so in float64 ``L2(0.01)`` weighs 0.0099999997...
exactly as Keras's does. The gradient of |x| at 0 is 0, as TensorFlow's.
"""

import numpy as np

from deepkit.reference import keras_objects
from deepkit.reference.optimizers import keras_cast
from deepkit.validation import InputError


def _factor(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise InputError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise InputError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


class Regularizer:
    """Base class: ``penalty = regularizer(x)`` and ``regularizer.gradient(x)``."""

    def __call__(self, x):
        raise NotImplementedError

    def gradient(self, x):
        """d(penalty)/dx, an array shaped like x."""
        raise NotImplementedError

    def get_config(self):
        raise NotImplementedError

    def to_keras(self):
        import keras

        return getattr(keras.regularizers, type(self).__name__)(**self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class L1L2(Regularizer):
    """l1 * sum(|x|) + l2 * sum(x**2); either term is skipped when its factor is 0."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        kind = x.dtype.type
        penalty = kind(0)
        if self.l1:
            penalty += keras_cast(self.l1, kind) * np.abs(x).sum()
        if self.l2:
            penalty += keras_cast(self.l2, kind) * np.square(x).sum()
        return penalty

    def gradient(self, x):
        kind = x.dtype.type
        grad = np.zeros_like(x)
        if self.l1:
            grad += keras_cast(self.l1, kind) * np.sign(x)
        if self.l2:
            grad += keras_cast(self.l2, kind) * (2 * x)
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


def _float32(value, name):
    """A factor Keras keeps as a float32 tensor (its config shows it rounded)."""
    return float(np.float32(_factor(value, name)))


class L1(L1L2):
    """l1 * sum(|x|) (l1 kept in float32, as Keras keeps it)."""

    def __init__(self, l1=0.01):
        super().__init__(l1=_float32(0.01 if l1 is None else l1, "l1"))

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """l2 * sum(x**2)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode="rows"``) or columns of a 2-D x towards orthogonality:

        u = the rows of x scaled to norm 1: x_i * min(1 / |x_i|, 1 / epsilon)
        penalty = factor * 0.5 * sum_{i != j} |u_i . u_j| / (n (n - 1) / 2)

    over the n rows (columns: the same on x^T), epsilon = 1e-7 (Keras's). Backward,
    with G = factor * 0.5 / pairs * sign(u u^T) off the diagonal: du = 2 G u, and
    through the scaling dx_i = s_i du_i - s_i^3 (du_i . x_i) x_i with s_i = 1 / |x_i|
    (dx_i = s_i du_i where the scale is clipped at 1 / epsilon). Keras keeps ``factor``
    in float32 and cannot run this regularizer on float64 weights; the reference can.
    """

    EPSILON = 1e-7

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _float32(factor, "factor")
        if mode not in ("rows", "columns"):
            raise InputError(
                f"OrthogonalRegularizer mode must be 'rows' or 'columns', got {mode!r}"
            )
        self.mode = mode

    def _rows(self, x):
        if x.ndim != 2:
            raise InputError(f"OrthogonalRegularizer takes 2-D weights, got one of shape {x.shape}")
        return x if self.mode == "rows" else x.T

    def _terms(self, x):
        """(unit rows u, their scales s, clipped, sign(u u^T) off the diagonal, the
        coefficient factor * 0.5 / pairs)."""
        rows = self._rows(x)
        kind = rows.dtype.type
        with np.errstate(divide="ignore"):
            scales = 1 / np.sqrt(np.square(rows).sum(axis=1, keepdims=True))
        limit = kind(1.0 / self.EPSILON)
        clipped = scales > limit
        scales = np.minimum(scales, limit)
        units = rows * scales
        signs = np.sign(units @ units.T)
        np.fill_diagonal(signs, 0)
        n = len(rows)
        coefficient = keras_cast(self.factor, kind) * kind(0.5) / kind(n * (n - 1.0) / 2.0)
        return rows, units, scales, clipped, signs, coefficient

    def __call__(self, x):
        _, units, _, _, signs, coefficient = self._terms(x)
        return coefficient * (signs * (units @ units.T)).sum()

    def gradient(self, x):
        rows, units, scales, clipped, signs, coefficient = self._terms(x)
        d_units = 2 * coefficient * (signs @ units)
        along = np.where(clipped, 0, (d_units * rows).sum(axis=1, keepdims=True))
        grad = scales * d_units - scales**3 * along * rows
        return grad if self.mode == "rows" else grad.T

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


CLASSES = {cls.__name__: cls for cls in (L1, L2, L1L2, OrthogonalRegularizer)}
# Keras's names: the class names and their snake case ("l1", "l2", "l1l2", ...).
NAMES = {
    **CLASSES,
    **{name.lower(): cls for name, cls in CLASSES.items() if cls is not OrthogonalRegularizer},
    "orthogonal_regularizer": OrthogonalRegularizer,
}


def get(identifier):
    """A regularizer from None, a Keras name ("l2", "L1L2", ...), a Keras config dict
    ({"class_name": "L2", "config": {"l2": 0.01}}) or a regularizer (returned as is).

    Raises:
        InputError: for anything else (a custom regularizer, which the NumPy reference
            does not implement).
    """
    return keras_objects.get(identifier, Regularizer, NAMES, CLASSES, "regularizer")


serialize = keras_objects.serialize
