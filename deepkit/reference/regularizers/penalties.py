"""How layers and models apply regularizers (mirrors keras/src/layers/layer.py's
``add_loss``, ``_get_regularization_losses`` and ``losses``, and the sum of
``model.losses`` in keras/src/trainers/trainer.py's ``compute_loss``).

A layer takes Keras's regularizer arguments (``kernel_regularizer``,
``bias_regularizer``, ``activity_regularizer``, ...); each weight regularizer
penalizes the weight named in ``WEIGHTS``. ``Penalties`` is the part of
``layers/base.py``'s ``Layer`` that holds them; ``penalty``,
``add_penalty_gradients`` and ``forget_activity`` are what a model's trainer calls.
"""

from deepkit.reference.regularizers.regularizers import get, serialize
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
        if not self._regularizers:  # most layers: nothing to walk at every step
            return 0.0
        return sum(float(r(getattr(self, n))) for n, r in self._penalized())

    def add_penalty_gradients(self):
        """Add d(weight_penalty)/d(weight) to each trainable regularized weight's gradient."""
        if not self._regularizers:
            return
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


def every_layer(layers):
    """Every layer in ``layers`` and inside them (a nested model's layers, a wrapper's
    ``sublayers``)."""
    for layer in layers:
        if hasattr(layer, "weight_penalty"):  # a layer
            yield layer
            sublayers = getattr(layer, "sublayers", ())
            if sublayers:
                yield from every_layer(sublayers)
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
