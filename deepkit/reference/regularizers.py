"""Weight and activity regularizers (mirrors keras/src/regularizers/regularizers.py).

A regularizer maps an array x to a penalty added to the loss a model minimizes:

    L1(l1):        l1 * sum(|x|)                 gradient l1 * sign(x)
    L2(l2):        l2 * sum(x**2)                gradient 2 * l2 * x
    L1L2(l1, l2):  l1 * sum(|x|) + l2 * sum(x**2)

The factor enters in x's dtype as Keras casts it: a Python float becomes a float32
tensor first (``keras_cast``), so in float64 ``L2(0.01)`` weighs 0.0099999997...
exactly as Keras's does. The gradient of |x| at 0 is 0, as TensorFlow's.

A layer takes Keras's regularizer arguments (``kernel_regularizer``,
``bias_regularizer``, ``activity_regularizer``, ...); each weight regularizer
penalizes the weight named in ``WEIGHTS`` (see ``layers/base.py``).
"""

import inspect

import numpy as np

from deepkit.reference.optimizers import keras_cast
from deepkit.validation import InputError

# Keras's weight regularizer arguments and the weight each one penalizes by default.
WEIGHTS = {
    "kernel_regularizer": "kernel",
    "bias_regularizer": "bias",
    "recurrent_regularizer": "recurrent_kernel",
    "embeddings_regularizer": "embeddings",
    "gamma_regularizer": "gamma",
    "beta_regularizer": "beta",
    "depthwise_regularizer": "depthwise_kernel",
    "pointwise_regularizer": "pointwise_kernel",
    "alpha_regularizer": "alpha",
}


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


class L1(L1L2):
    """l1 * sum(|x|). Keras keeps l1 as a float32 tensor: its config shows it rounded."""

    def __init__(self, l1=0.01):
        super().__init__(l1=float(np.float32(_factor(0.01 if l1 is None else l1, "l1"))))

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """l2 * sum(x**2)."""

    def __init__(self, l2=0.01):
        super().__init__(l2=0.01 if l2 is None else l2)

    def get_config(self):
        return {"l2": self.l2}


CLASSES = {cls.__name__: cls for cls in (L1, L2, L1L2)}
# Keras's names: the class names and their snake case ("l1", "l2", "l1l2").
NAMES = {**CLASSES, **{name.lower(): cls for name, cls in CLASSES.items()}}


def get(identifier):
    """A regularizer from None, a Keras name ("l2", "L1L2", ...), a Keras config dict
    ({"class_name": "L2", "config": {"l2": 0.01}}) or a regularizer (returned as is).

    Raises:
        InputError: for anything else (Keras's ``OrthogonalRegularizer`` or a custom
            regularizer, which the NumPy reference does not implement).
    """
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier in NAMES:
        return NAMES[identifier]()
    if isinstance(identifier, dict) and identifier.get("class_name") in CLASSES:
        config = dict(identifier.get("config") or {})
        cls = CLASSES[identifier["class_name"]]
        unknown = sorted(set(config) - set(inspect.signature(cls.__init__).parameters))
        if unknown:
            raise InputError(f"regularizer {cls.__name__} does not take {', '.join(unknown)}")
        return cls(**config)
    name = identifier.get("class_name") if isinstance(identifier, dict) else identifier
    raise InputError(
        f"regularizer {name!r} is not implemented by the NumPy reference "
        f"(it implements {', '.join(NAMES)})"
    )


def serialize(regularizer):
    """Keras's config form: {"class_name": ..., "config": {...}} (None stays None)."""
    if regularizer is None:
        return None
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}


# -- the penalties of a layer -----------------------------------------------------------


class Penalties:
    """The regularizers of a layer, as Keras's ``Layer`` applies them (``layers/base.py``'s
    ``Layer`` inherits this).

    - ``activity_regularizer``: at each call, penalty(outputs) / batch size joins
      ``activity_losses`` (Keras's ``add_loss`` in ``Layer.__call__``), and in
      ``backprop`` its gradient joins dLoss/d(outputs).
    - a weight regularizer argument (``kernel_regularizer``, ...): penalizes the
      weight named in ``WEIGHTS`` (or given to ``add_weight``); ``weight_penalty``
      and ``add_penalty_gradients`` count trainable weights only, as Keras's
      ``_get_regularization_losses``.
    """

    def _set_regularizers(self, activity_regularizer, weight_regularizers):
        unknown = sorted(set(weight_regularizers) - set(WEIGHTS))
        if unknown:
            raise InputError(f"{type(self).__name__} got unexpected arguments {', '.join(unknown)}")
        self.regularizer_arguments = {
            k: get(v) for k, v in weight_regularizers.items() if v is not None
        }
        self.activity_regularizer = get(activity_regularizer)
        self.activity_losses = []
        self._regularizers = {}

    def _regularize_weight(self, name, regularizer=None):
        """Penalize weight ``name`` with ``regularizer``, by default the layer's
        regularizer argument for that weight."""
        regularizer = get(regularizer) or next(
            (r for k, r in self.regularizer_arguments.items() if WEIGHTS[k] == name), None
        )
        if regularizer is not None:
            self._regularizers[name] = regularizer

    def _penalized(self):
        return [(n, r) for n, r in self._regularizers.items() if self.weight_is_trainable(n)]

    def weight_penalty(self):
        """The sum of the penalties of the trainable regularized weights."""
        return sum(float(r(getattr(self, n))) for n, r in self._penalized())

    def add_penalty_gradients(self):
        """Add d(weight_penalty)/d(weight) to each trainable regularized weight's gradient."""
        for name, regularizer in self._penalized():
            self.grads[name] += regularizer.gradient(getattr(self, name))

    def _record_activity(self):
        outputs = self.outputs
        self.activity_losses.append(float(self.activity_regularizer(outputs)) / len(outputs))

    def _add_activity_gradient(self, grad, from_logits):
        """``grad`` (dLoss/d(outputs), or d(logits) when ``from_logits``) plus the
        activity penalty's gradient."""
        outputs = self.outputs
        penalty = self.activity_regularizer.gradient(outputs) / outputs.dtype.type(len(outputs))
        if from_logits:
            penalty = self.activation.backward(self.logits, outputs, penalty)
        return grad + penalty

    def _regularizer_config(self):
        config = {k: serialize(r) for k, r in self.regularizer_arguments.items()}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = serialize(self.activity_regularizer)
        return config


# -- the penalties of a model's layers ------------------------------------------------


def every_layer(layers):
    """Every layer in ``layers`` and inside them (a nested model's layers, a wrapper's
    ``sublayers``)."""
    for layer in layers:
        if hasattr(layer, "weight_penalty"):  # a layer
            yield layer
            yield from every_layer(getattr(layer, "sublayers", ()))
        else:  # a nested model
            yield from every_layer(layer.layers)


def model_layers(model):
    """Every layer of a trainer's model; a model without layers (an RBM, a GAN) has none."""
    return list(every_layer(getattr(model, "layers", ())))


def penalty(model):
    """What Keras's ``compute_loss`` adds to a model's compiled loss, ``sum(model.losses)``:
    the activity penalties of the last forward pass and the penalties of the trainable
    weights. As in Keras, a frozen model adds no weight penalty; inside a trainable one
    each layer's own flag counts, even within a frozen nested model (Keras's variables
    carry their own flags)."""
    layers = model_layers(model)
    total = sum(sum(layer.activity_losses) for layer in layers)
    if layers and model.trainable:
        total += sum(layer.weight_penalty() for layer in layers)
    return total


def add_penalty_gradients(model):
    """Add the weight penalties' gradients to the gradients of the last backward pass
    (the activity penalties' went through ``Layer.backprop``)."""
    layers = model_layers(model)
    if layers and model.trainable:
        for layer in layers:
            layer.add_penalty_gradients()


def forget_activity(model):
    """Drop the activity penalties recorded by earlier forward passes."""
    for layer in model_layers(model):
        if layer.activity_losses:
            layer.activity_losses = []
