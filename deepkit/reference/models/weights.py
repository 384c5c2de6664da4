"""The weights of a model: packed into flat buffers, listed in Keras's order.

Speed: at build every weight of the model's own layers (and its gradient) becomes
a view into one flat buffer, so a training step is a forward pass, one backward
pass writing gradients in place, and one optimizer update over the buffer (over
its trainable spans when some layers are frozen).

Nesting: an inner model keeps its own buffer, so its weights are shared, not
copied: the outer optimizer updates the inner buffer's trainable spans too, and
training the inner model alone updates the same arrays. A layer belongs to one
model only (nest that model to reuse it). ``trainable`` is read at every step,
so freezing a layer (or a whole inner model) after ``compile`` takes effect at once.
"""

import numpy as np

from deepkit.reference.layers import InputLayer, Layer
from deepkit.validation import InputError


class ModelWeights:
    """The weights part of a model; the model provides ``layers``, ``name``,
    ``dtype`` and ``_trainable``."""

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        """As Keras: setting it on a model sets it on every layer inside."""
        self._trainable = bool(value)
        for layer in self.layers:
            layer.trainable = bool(value)

    def _own_layers(self):
        return [
            layer
            for layer in self.layers
            if isinstance(layer, Layer) and not isinstance(layer, InputLayer)
        ]

    def _nested_models(self):
        return [layer for layer in self.layers if isinstance(layer, ModelWeights)]

    def _pack_weights(self):
        """Make the weights and gradients of the model's own layers views of two
        flat buffers; nested models keep theirs."""
        for layer in self._own_layers():
            owner = getattr(layer, "_owner", None)
            if owner is not None and owner is not self:
                raise InputError(
                    f"layer {layer.name!r} already belongs to model {owner.name!r}: nest "
                    "that model instead of sharing its layers"
                )
        total = sum(w.size for layer in self._own_layers() for w in layer.weights)
        self._params = np.empty(total, dtype=self.dtype)
        self._grads = np.zeros(total, dtype=self.dtype)
        self._spans, offset = [], 0
        for layer in self._own_layers():
            weights, grads = [], []
            for name, w in zip(layer.weight_names, layer.weights):
                end = offset + w.size
                weights.append(self._params[offset:end].reshape(w.shape))
                grads.append(self._grads[offset:end].reshape(w.shape))
                self._spans.append((layer, name, offset, end))
                offset = end
            layer.bind(weights, grads)
            layer._owner = self

    def _optimizer_targets(self):
        """(gradient buffers, weight buffers, spans): this model's flat buffers and
        those of nested models, each with the (start, end) run of every trainable
        weight in it (one run per weight: clipnorm clips each weight's gradient; the
        optimizer joins adjacent runs for speed)."""
        runs = [
            (start, end)
            for layer, name, start, end in self._spans
            if self._trainable and layer.weight_is_trainable(name) and start < end
        ]
        grads, params, spans = [self._grads], [self._params], [runs]
        for model in self._nested_models():
            g, p, s = model._optimizer_targets()
            grads += g
            params += p
            spans += s if self._trainable else [[] for _ in s]
        return grads, params, spans

    # -- weights -----------------------------------------------------------------------

    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def gradients(self):
        """The gradient arrays, aligned with ``weights``."""
        return [g for layer in self.layers for g in layer.gradients]

    @property
    def trainable_weights(self):
        """The weights the optimizer updates, in Keras's order."""
        if not self._trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def trainable_gradients(self):
        """The gradients of the last backward pass, aligned with ``trainable_weights``."""
        if not self._trainable:
            return []
        return [g for layer in self.layers for g in layer.trainable_gradients]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        expected = len(self.weights)
        if len(weights) != expected:
            raise InputError(
                f"model {self.name!r} expects {expected} weight arrays, got {len(weights)}"
            )
        start = 0
        for layer in self.layers:
            count = len(layer.weights)
            layer.set_weights(weights[start : start + count])
            start += count

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)
