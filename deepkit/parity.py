"""Parity between a Keras model and its NumPy twin (``deepkit.reference``).

``compare(keras_model, x, y)`` copies the Keras weights into a twin
(``reference.from_keras``), then measures, per layer and per weight, how far
the twin is from Keras on:

- forward: each layer's outputs (inference mode);
- loss: the loss as Keras computes it on the model's output (from the logits
  of a final sigmoid/softmax, like ``fit``);
- gradient: dLoss/dweight, Keras side by ``tf.GradientTape``;
- step: each weight after one optimizer update from the same gradients.

Dropout layers are run in inference mode for the loss and gradients (their
masks are random; the layer tests inject them instead). Differences are
reported as max |twin - keras| and the relative max |twin - keras| / max |keras|.
"""

import contextlib
from dataclasses import dataclass, field

import numpy as np

from deepkit.report import format_grid


@contextlib.contextmanager
def keras_float_dtype(dtype):
    """Within the block Keras builds layers, losses and optimizer variables in
    ``dtype`` (floatx and the global dtype policy), restored afterwards. The
    twin in float64 matches Keras in float64 this way."""
    import keras

    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(dtype)
    keras.config.set_dtype_policy(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(floatx)
        keras.config.set_dtype_policy(policy)


@dataclass
class ParityRow:
    quantity: str
    layer: str
    weight: str
    max_abs: float
    max_rel: float


@dataclass
class ParityReport:
    """The differences found by :func:`compare`; ``print(report)`` shows a table."""

    dtype: str
    rows: list = field(default_factory=list)

    def add(self, quantity, layer, weight, twin, keras):
        twin, keras = np.asarray(twin, dtype="float64"), np.asarray(keras, dtype="float64")
        if twin.shape != keras.shape:
            raise ValueError(f"{quantity} {layer}/{weight}: twin shape {twin.shape} "
                             f"!= Keras shape {keras.shape}")
        max_abs = float(np.max(np.abs(twin - keras), initial=0.0))
        scale = float(np.max(np.abs(keras), initial=0.0))
        self.rows.append(ParityRow(quantity, layer, weight, max_abs,
                                   max_abs / scale if scale else max_abs))

    def max_rel(self, quantity=None):
        """The largest relative difference (of one quantity, or of all)."""
        return max((r.max_rel for r in self.rows if quantity in (None, r.quantity)), default=0.0)

    def max_abs(self, quantity=None):
        return max((r.max_abs for r in self.rows if quantity in (None, r.quantity)), default=0.0)

    def __str__(self):
        rows = [[r.quantity, r.layer, r.weight, f"{r.max_abs:.2e}", f"{r.max_rel:.2e}"]
                for r in self.rows]
        return format_grid(["quantity", "layer", "weight", "max abs diff", "max rel diff"],
                           rows, title=f"Parity: NumPy twin vs Keras ({self.dtype})")


def compare(keras_model, x, y, loss=None, optimizer=None):
    """A :class:`ParityReport` for ``keras_model`` (a built ``keras.Sequential``) on
    one batch (x, y). ``loss`` and ``optimizer`` default to the model's compile
    settings; pass them (names or Keras objects) for an uncompiled model. The
    Keras model is not modified."""
    import keras
    import tensorflow as tf

    from deepkit import reference

    loss = loss if loss is not None else getattr(keras_model, "loss", None)
    optimizer = optimizer if optimizer is not None else getattr(keras_model, "optimizer", None)
    if loss is None or optimizer is None:
        raise ValueError("compare needs a compiled Keras model, or loss= and optimizer=")
    twin_loss = reference.losses.from_keras(loss)
    keras_loss = twin_loss.to_keras()
    keras_optimizer = keras.optimizers.get(optimizer)
    keras_optimizer = type(keras_optimizer).from_config(keras_optimizer.get_config())

    twin = reference.from_keras(keras_model)
    twin.compile(optimizer=reference.optimizers.from_keras(keras_optimizer), loss=twin_loss)
    x = np.asarray(x, dtype=twin.dtype)
    report = ParityReport(twin.dtype)

    out_keras, out_twin = tf.constant(x), x
    for keras_layer, layer in zip(keras_model.layers, twin.layers):
        out_keras = keras_layer(out_keras, training=False)
        out_twin = layer(out_twin, training=False)
        report.add("forward", layer.name, "outputs", out_twin, out_keras.numpy())

    variables = keras_model.trainable_variables
    with tf.GradientTape() as tape:
        keras_value = keras_loss(y, keras_model(x, training=False))
    keras_grads = tape.gradient(keras_value, variables)
    twin_value, twin_grads = twin.compute_gradients(x, y, training=False)
    report.add("loss", "model", "loss", twin_value, keras_value.numpy())

    names = [(layer.name, name) for layer in twin.layers if layer.trainable
             for name in layer.weight_names]
    for (layer_name, name), g_twin, g_keras in zip(names, twin_grads, keras_grads):
        report.add("gradient", layer_name, name, g_twin, g_keras.numpy())

    copies = [tf.Variable(v.numpy()) for v in variables]
    keras_optimizer.apply_gradients(zip(keras_grads, copies))
    twin._apply_gradients()
    for (layer_name, name), w_twin, w_keras in zip(names, twin.trainable_weights, copies):
        report.add("step", layer_name, name, w_twin, w_keras.numpy())
    return report
