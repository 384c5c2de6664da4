"""The base ``Loss`` (the shape checks every loss shares, the Keras bridge) and
``MeanLoss``, Keras's default reduction of per-element or per-sample terms.

Each loss reduces like Keras's default ``"sum_over_batch_size"``: a loss per
sample (averaged or summed over the last axis) then the mean over samples.
``value_and_grad(y_true, y_pred)`` returns that mean and dLoss/dy_pred.
"""

import numpy as np

from deepkit.validation import InputError

EPSILON = 1e-7  # Keras's backend.epsilon()


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


class MeanLoss(Loss):
    """A loss that is the mean of its ``terms``: one per element (the elementwise
    losses) or one per vector along the last axis (the per-sample losses)."""

    def __init__(self):
        super().__init__(from_logits=False)

    def terms(self, y_true, y_pred):
        """(the terms, d terms / d y_pred shaped like y_pred)."""
        raise NotImplementedError

    def value_and_grad(self, y_true, y_pred):
        terms, grad = self.terms(y_true, y_pred)
        n = terms.size
        return float(terms.sum() / n), grad / y_pred.dtype.type(n)

    def get_config(self):
        return {}
