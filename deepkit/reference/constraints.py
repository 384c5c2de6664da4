"""Weight constraints (mirrors keras/src/constraints/constraints.py): after each optimizer
update of a constrained weight w, w <- constraint(w), as Keras's optimizer ``apply`` does
(``variable.assign(variable.constraint(variable))``)::

    from deepkit import reference as ref

    layer = ref.Dense(8, kernel_constraint=ref.constraints.MaxNorm(3), bias_constraint="non_neg")

With n = sqrt(sum(w**2)) over ``axis`` (kept, so it broadcasts against w) and
epsilon = 1e-7 (Keras's ``backend.epsilon()``):

    MaxNorm(max_value=2, axis=0):  w * (clip(n, 0, max_value) / (epsilon + n))
    MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        w * ((rate * clip(n, min_value, max_value) + (1 - rate) * n) / (epsilon + n))
    NonNeg():                      max(w, 0)
    UnitNorm(axis=0):              w / (epsilon + n)

The numbers enter in w's dtype directly (Keras combines Python floats with tensors,
which casts them straight to the tensor's dtype), and the operations run in Keras's order.

A layer takes Keras's constraint arguments (``kernel_constraint``, ``bias_constraint``,
...), each constraining the weight named in ``WEIGHTS`` (a layer whose weight is named
otherwise passes ``add_weight(..., constraint=...)``); ``ConstrainedWeights`` is the part
of ``layers/base.py``'s ``Layer`` that holds them, and ``constrain`` is what a model's
trainer calls after each optimizer update.
"""

import numbers

import numpy as np

from deepkit.reference import keras_objects, regularizers
from deepkit.validation import InputError

EPSILON = 1e-7

# Keras's weight constraint arguments and the weight each one constrains by default: the
# weights of the regularizer arguments (``kernel_constraint`` for "kernel", ...).
WEIGHTS = {
    argument.replace("_regularizer", "_constraint"): weight
    for argument, weight in regularizers.WEIGHTS.items()
}


def _number(value, name, minimum, maximum=None):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < minimum:
        raise InputError(f"{name} must be a finite number >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise InputError(f"{name} must be at most {maximum}, got {value!r}")
    return value


def _axis(axis, name):
    """``axis`` as given (an int, a list or tuple of ints, or None for every axis)."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if axis is None or all(
        isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in axes
    ):
        return axis
    raise InputError(f"{name} axis must be an int, a list of ints or None, got {axis!r}")


class Constraint:
    """Base class: ``constraint(w)`` is the projected copy of weight ``w``."""

    def __call__(self, w):
        raise NotImplementedError

    def check(self, shape, what):
        """Raise InputError if the constraint cannot apply to a weight of ``shape``."""

    def get_config(self):
        return {}

    def to_keras(self):
        import keras

        return getattr(keras.constraints, type(self).__name__)(**self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


class NormConstraint(Constraint):
    """A constraint on the norms of w over ``axis`` (MaxNorm, MinMaxNorm, UnitNorm)."""

    def __init__(self, axis):
        self.axis = _axis(axis, type(self).__name__)

    def norms(self, w):
        axis = tuple(self.axis) if isinstance(self.axis, list) else self.axis
        return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))

    def check(self, shape, what):
        axes = [] if self.axis is None else np.ravel(self.axis).tolist()
        if any(not -len(shape) <= a < len(shape) for a in axes):
            raise InputError(
                f"{what}: {type(self).__name__} axis {self.axis!r} is out of range for a "
                f"weight of shape {tuple(shape)}"
            )


class MaxNorm(NormConstraint):
    """Scales each slice over ``axis`` whose norm exceeds ``max_value`` down to it.

    Args:
        max_value: the largest norm allowed (>= 0).
        axis: the axis (or list of axes) of the norms: 0 for the inputs of each unit
            of a Dense kernel (input_dim, units), [0, 1, 2] for each Conv2D filter.

    Raises:
        InputError: for a negative or non-numeric ``max_value`` or a bad ``axis``.
    """

    def __init__(self, max_value=2, axis=0):
        super().__init__(axis)
        self.max_value = _number(max_value, "MaxNorm max_value", minimum=0)

    def __call__(self, w):
        kind = w.dtype.type
        norms = self.norms(w)
        desired = np.clip(norms, kind(0), kind(self.max_value))
        return w * (desired / (kind(EPSILON) + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(NormConstraint):
    """Moves the norm of each slice over ``axis`` a fraction ``rate`` of the way into
    [``min_value``, ``max_value``].

    Args:
        min_value: the smallest norm allowed (>= 0).
        max_value: the largest norm allowed (>= min_value).
        rate: 1.0 enforces the bounds at once; less moves the norms part of the way
            at each update (0 <= rate <= 1).
        axis: the axis (or list of axes) of the norms, as ``MaxNorm``'s.

    Raises:
        InputError: for bounds that are negative, non-numeric or in the wrong order, a
            rate outside [0, 1] or a bad ``axis``.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        super().__init__(axis)
        self.min_value = _number(min_value, "MinMaxNorm min_value", minimum=0)
        self.max_value = _number(max_value, "MinMaxNorm max_value", minimum=self.min_value)
        self.rate = _number(rate, "MinMaxNorm rate", minimum=0, maximum=1)

    def __call__(self, w):
        kind = w.dtype.type
        norms = self.norms(w)
        clipped = np.clip(norms, kind(self.min_value), kind(self.max_value))
        desired = kind(self.rate) * clipped + kind(1 - self.rate) * norms
        return w * (desired / (kind(EPSILON) + norms))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


class NonNeg(Constraint):
    """Sets the negative entries of w to 0."""

    def __call__(self, w):
        return np.maximum(w, w.dtype.type(0))


class UnitNorm(NormConstraint):
    """Scales each slice over ``axis`` to norm 1 (nearly: the norm plus epsilon divides).

    Args:
        axis: the axis (or list of axes) of the norms, as ``MaxNorm``'s.

    Raises:
        InputError: for a bad ``axis``.
    """

    def __init__(self, axis=0):
        super().__init__(axis)

    def __call__(self, w):
        return w / (w.dtype.type(EPSILON) + self.norms(w))

    def get_config(self):
        return {"axis": self.axis}


CLASSES = {cls.__name__: cls for cls in (MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
# Keras's names: the class names and their snake case ("max_norm", "non_neg", ...).
NAMES = {
    **CLASSES,
    "max_norm": MaxNorm,
    "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
}


def get(identifier):
    """A constraint from None, a Keras name ("max_norm", "NonNeg", ...), a Keras config
    dict ({"class_name": "MaxNorm", "config": {"max_value": 3}}) or a constraint
    (returned as is).

    Raises:
        InputError: for anything else (a custom constraint, which the NumPy reference
            does not implement).
    """
    return keras_objects.get(identifier, Constraint, NAMES, CLASSES, "constraint")


serialize = keras_objects.serialize


class ConstrainedWeights:
    """The constraints of a layer's weights (``layers/base.py``'s ``Layer`` inherits this):
    a constraint argument (``kernel_constraint``, ...) constrains the weight named in
    ``WEIGHTS`` (or given to ``add_weight``); ``apply_constraints`` projects the
    trainable ones, as Keras's optimizer projects the variables it updated."""

    def _set_constraints(self, arguments):
        self.constraint_arguments = {k: get(v) for k, v in arguments.items() if v is not None}
        self._constraints = {}

    def _constrain_weight(self, name, constraint=None):
        """Constrain weight ``name`` with ``constraint``, by default the layer's
        constraint argument for that weight."""
        constraint = get(constraint) or next(
            (c for k, c in self.constraint_arguments.items() if WEIGHTS[k] == name), None
        )
        if constraint is not None:
            constraint.check(np.shape(getattr(self, name)), f"layer {self.name!r} weight {name!r}")
            self._constraints[name] = constraint

    def apply_constraints(self):
        """w <- constraint(w), in place, for each trainable constrained weight."""
        for name, constraint in self._constraints.items():
            if self.weight_is_trainable(name):
                weight = getattr(self, name)
                weight[...] = constraint(weight)

    def _constraint_config(self):
        return {k: serialize(c) for k, c in self.constraint_arguments.items()}


def constrain(model):
    """Project each constrained weight the optimizer has just updated (Keras's optimizer
    ``apply``, after the update): in a trainable ``model``, every trainable weight of the
    layers inside it, as Keras's ``trainable_variables`` (each variable carries its own
    flag, even inside a frozen nested model)."""
    if model.trainable:
        for layer in regularizers.every_layer(model.layers):
            layer.apply_constraints()
