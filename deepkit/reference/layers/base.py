"""The contract every NumPy reference layer follows (mirrors keras/src/layers/layer.py).

A reference layer has its Keras namesake's class name, constructor arguments,
defaults, weight names and weight order, so ``Dense(6, activation="relu")``
means here what ``keras.layers.Dense(6, activation="relu")`` means in Keras.

Life cycle::

    layer = Dense(6, activation="relu")   # __init__ stores the config, no weights
    layer.build((None, 11))               # creates weights with self.add_weight
    y = layer(x, training=False)          # builds on first use, then forward
    dx = layer.backprop(dy)               # dLoss/dy of the last call -> dLoss/dx

Called on a symbolic tensor from ``Input`` instead of an array, a layer computes
nothing and returns the tensor of a new graph node (``node.py``): the functional
API, ``Model(inputs, Dense(3)(inputs))``.

What a subclass implements:

- ``__init__(..., **kwargs)``: store the arguments (Keras names and defaults)
  and pass ``**kwargs`` (name, dtype, activation, input_shape/input_dim) on.
- ``build(input_shape)``: ``input_shape`` is a tuple, batch axis first
  (``None`` allowed), channels last. Create each weight with
  ``self.add_weight(name, shape, initializer)`` in Keras's order
  (``kernel`` then ``bias``); it becomes the attribute ``self.<name>``.
  ``trainable=False`` marks a weight no optimizer updates (a layer's own
  statistics, written in place during the forward pass).
- ``call(inputs, training=False)``: the forward pass over a whole batch,
  *before* the activation; cache on ``self`` whatever ``backward`` needs, as
  attributes set anew by each call (never arrays filled in place): a model that
  calls one layer several times (shared weights) keeps each call's attributes
  and restores them before that call's backward pass.
- ``backward(grad)``: ``grad`` is dLoss/d(call's output); return
  dLoss/d(inputs) and write each weight's gradient IN PLACE into
  ``self.grads[name]`` (``np.matmul(x.T, grad, out=self.grads["kernel"])`` or
  ``self.grads["bias"][...] = ...``). In place because a model packs all
  weights and all gradients into two flat buffers (one optimizer update per
  step) and rebinds ``self.<name>`` and ``self.grads[name]`` to views of them.
  When ``self.propagate`` is False (a layer on a model's inputs, unless the
  caller asked for input gradients) nobody needs dLoss/d(inputs): ``backward``
  may skip computing it and return None.
- A layer called on a list of arrays (a merge layer) gets a list of shapes in
  ``build`` and ``compute_output_shape``, and its ``backward`` returns a list of
  gradients, one per input.
- ``compute_output_shape(input_shape)`` and ``get_config()`` (call
  ``super().get_config()`` and add the constructor arguments).

The base class supplies the activation (``self.activation``, linear unless
given: ``__call__`` applies it to ``call``'s output and keeps the pre-activation
output in ``self.logits``, which a model hands to a from-logits loss),
Keras's regularizers and constraints (below),
``weights``/``get_weights``/``set_weights``, ``count_params``, ``from_config``,
and the Keras bridge ``from_keras``/``to_keras`` (by class name and config: a
layer whose arguments mirror Keras's needs no extra code).

Attributes a model sets before ``build``: ``dtype`` (the model's float
dtype, "float32" by default) and ``rng`` (the model's numpy Generator, used by
initializers and random layers such as Dropout).

Regularizers: every layer takes ``activity_regularizer`` and Keras's weight
regularizer arguments (``kernel_regularizer``, ...), each penalizing the weight
its name stems from; a layer whose weight is named otherwise passes
``add_weight(..., regularizer=...)``. The penalties and their gradients are
``deepkit.reference.regularizers.Penalties``'s, which ``Layer`` inherits.

Constraints: likewise, every layer takes Keras's constraint arguments
(``kernel_constraint``, ...), each projecting the weight its name stems from after
each optimizer update of it (``deepkit.reference.constraints.constrain``, which the
trainer calls); a layer whose weight is named otherwise passes
``add_weight(..., constraint=...)``. ``Layer`` inherits
``deepkit.reference.constraints.ConstrainedWeights``.

Registering: decorate the class with ``@register``; ``LAYERS`` maps the Keras
class name to the NumPy reference class and is what ``from_keras`` looks up.

(One concept, the layer contract, over about 300 lines: the contract written out
above, weights and their buffers, the Keras bridge.)
"""

import inspect
import re

import numpy as np

from deepkit.reference import activations as activations_module
from deepkit.reference import constraints, initializers, regularizers
from deepkit.reference.layers import node
from deepkit.validation import InputError

LAYERS = {}

# Keras arguments every reference layer takes (through ``Layer.__init__``).
ACCEPTED_BY_EVERY_LAYER = (
    "name",
    "trainable",
    "activity_regularizer",
    *regularizers.WEIGHTS,
    *constraints.WEIGHTS,
)


def register(cls):
    """Class decorator: make ``cls`` the NumPy reference of the Keras layer of the same name."""
    LAYERS[cls.__name__] = cls
    return cls


class Layer(regularizers.Penalties, constraints.ConstrainedWeights):
    """Base class of the NumPy reference layers; see the module docstring for the contract."""

    def __init__(
        self,
        activation=None,
        name=None,
        dtype=None,
        input_shape=None,
        input_dim=None,
        trainable=True,
        activity_regularizer=None,
        **weight_arguments,
    ):
        self._set_constraints(
            {k: v for k, v in weight_arguments.items() if k in constraints.WEIGHTS}
        )
        self._set_regularizers(
            activity_regularizer,
            {k: v for k, v in weight_arguments.items() if k not in constraints.WEIGHTS},
        )
        self.activation = activations_module.get(activation)
        self.name = name or default_name(type(self).__name__)
        self.dtype = None if dtype is None else np.dtype(dtype).name
        if input_dim is not None:
            input_shape = (input_dim,)
        self.input_shape_arg = None if input_shape is None else tuple(input_shape)
        self.trainable = trainable
        self.propagate = True
        self.rng = None
        self.built = False
        self.grads = {}
        self._weight_names = []
        self._frozen_names = set()
        self.logits = None
        self.outputs = None

    # -- weights -----------------------------------------------------------

    def add_weight(
        self, name, shape, initializer="zeros", trainable=True, regularizer=None, constraint=None
    ):
        """Create weight ``self.<name>`` (and its gradient ``self.grads[name]``).

        Args:
            name: the Keras weight name, which becomes the attribute.
            shape: its shape.
            initializer: an initializer name, config or object.
            trainable: False for a weight the layer updates itself and no
                optimizer touches (BatchNormalization's moving statistics).
            regularizer: its penalty; by default the layer's regularizer argument
                for ``name`` (``kernel_regularizer`` for "kernel", ...).
            constraint: its projection after each optimizer update; by default the
                layer's constraint argument for ``name`` (``kernel_constraint`` for
                "kernel", ...).

        Returns:
            The new array.
        """
        dtype = self.dtype or "float32"
        rng = self.rng if self.rng is not None else np.random.default_rng()
        value = initializers.get(initializer)(tuple(shape), dtype=dtype, rng=rng)
        setattr(self, name, np.array(value, dtype=dtype, order="C"))  # a scalar stays 0-d
        self.grads[name] = np.zeros(shape, dtype=dtype)
        self._weight_names.append(name)
        if not trainable:
            self._frozen_names.add(name)
        self._regularize_weight(name, regularizer)
        self._constrain_weight(name, constraint)
        return getattr(self, name)

    def weight_is_trainable(self, name):
        """Whether the optimizer updates weight ``name`` (read at every step)."""
        return self.trainable and name not in self._frozen_names

    @property
    def weight_names(self):
        return list(self._weight_names)

    @property
    def weights(self):
        """The weight arrays themselves (not copies), in Keras's order."""
        return [getattr(self, name) for name in self._weight_names]

    @property
    def gradients(self):
        """The gradient arrays, aligned with ``weights``."""
        return [self.grads[name] for name in self._weight_names]

    @property
    def trainable_weights(self):
        """The trainable weights while ``trainable`` (read at every step, as Keras), else []."""
        return [getattr(self, n) for n in self._weight_names if self.weight_is_trainable(n)]

    @property
    def trainable_gradients(self):
        return [self.grads[n] for n in self._weight_names if self.weight_is_trainable(n)]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        """Copy ``weights`` (a list in Keras's order) into this layer's arrays."""
        weights = list(weights)
        if len(weights) != len(self._weight_names):
            raise InputError(
                f"layer {self.name!r} expects {len(self._weight_names)} weight "
                f"arrays ({', '.join(self._weight_names) or 'none'}), got {len(weights)}"
            )
        for name, value in zip(self._weight_names, weights):
            target = getattr(self, name)
            value = np.asarray(value)
            if value.shape != target.shape:
                raise InputError(
                    f"layer {self.name!r} weight {name!r} has shape {target.shape}, "
                    f"got an array of shape {value.shape}"
                )
            target[...] = value

    def bind(self, weights, grads):
        """Rebind weights and gradients to the given arrays (views of a model's buffers)."""
        for name, w, g in zip(self._weight_names, weights, grads):
            w[...] = getattr(self, name)
            setattr(self, name, w)
            self.grads[name] = g

    def count_params(self):
        return int(sum(w.size for w in self.weights))

    # -- forward and backward ------------------------------------------------

    def build(self, input_shape):
        self.built = True

    def __call__(self, inputs, training=False):
        """The outputs for ``inputs`` (an array, or a list of arrays for a layer that
        merges several); on symbolic tensors from ``Input``, the output tensor of a
        new graph node (``deepkit.reference.layers.node``), with nothing computed."""
        if node.is_symbolic(inputs):
            return node.call(self, inputs)
        if not self.built:
            self.build(batch_shape(inputs))
        self.logits = self.call(inputs, training=training)
        self.outputs = self.activation.forward(self.logits)
        if self.activity_regularizer is not None:
            self._record_activity()
        return self.outputs

    def call(self, inputs, training=False):
        raise NotImplementedError(f"{type(self).__name__}.call")

    def backward(self, grad):
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def backprop(self, grad_outputs, from_logits=False):
        """dLoss/d(outputs) -> dLoss/d(inputs), through the activation then ``backward``.

        With ``from_logits=True`` the gradient is already dLoss/d(self.logits)
        (a loss computed from the logits, as Keras does inside ``fit``).
        """
        if self.activity_regularizer is not None:
            grad_outputs = self._add_activity_gradient(grad_outputs, from_logits)
        if not from_logits:
            grad_outputs = self.activation.backward(self.logits, self.outputs, grad_outputs)
        return self.backward(grad_outputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    # -- config and the Keras bridge ----------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        if self.dtype is not None:
            config["dtype"] = self.dtype
        if "activation" in inspect.signature(type(self).__init__).parameters:
            config["activation"] = self.activation.name
        return {**config, **self._regularizer_config(), **self._constraint_config()}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @classmethod
    def from_keras(cls, keras_layer):
        """The NumPy reference of ``keras_layer`` (config only; a model copies the weights).

        A Keras setting the NumPy reference does not implement (a custom
        regularizer, ...) raises InputError rather than being dropped.
        """
        accepted = set(inspect.signature(cls.__init__).parameters) | set(ACCEPTED_BY_EVERY_LAYER)
        config = keras_layer.get_config()
        unsupported = sorted(
            k for k, v in config.items() if k not in accepted and k != "dtype" and v is not None
        )
        if unsupported:
            raise InputError(
                f"Keras layer {keras_layer.name!r} uses {', '.join(unsupported)}, "
                f"which the NumPy reference {cls.__name__} does not implement"
            )
        return cls.from_config({k: v for k, v in config.items() if k in accepted})

    def to_keras(self):
        """A new (unbuilt) Keras layer with this layer's config (and dtype)."""
        import keras

        return getattr(keras.layers, type(self).__name__).from_config(self.get_config())

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def batch_shape(inputs):
    """The shape ``build`` takes for ``inputs``, batch axis None: one tuple, or a list
    of them for a list of arrays."""
    if isinstance(inputs, (list, tuple)):
        return [batch_shape(x) for x in inputs]
    return (None,) + tuple(np.shape(inputs)[1:])


_COUNTS = {}


def default_name(class_name):
    """Keras-style unique names (keras/src/utils/naming.py): dense, dense_1, conv2d, ..."""
    base = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", class_name)
    base = re.sub("([a-z])([A-Z])", r"\1_\2", base).lower()
    count = _COUNTS.get(base, 0)
    _COUNTS[base] = count + 1
    return base if count == 0 else f"{base}_{count}"
