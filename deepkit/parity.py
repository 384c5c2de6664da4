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
masks are random; the layer tests inject them instead). Each row reports
max |twin - keras| and an allclose-style error ratio

    max |twin - keras| / (atol + rtol |keras|),   atol = rtol * scale,

where ``scale`` is the largest |keras| value of that quantity across the model
(so a near-zero element, e.g. a bias gradient that is a sum of cancelling
terms, is judged on the quantity's scale, not divided by itself). A row passes when the ratio is at
most 1, i.e. ``np.allclose(twin, keras, rtol, atol)``; ``rtol`` defaults to the
dtype's tolerance (TOLERANCE: 1e-7 for float64, 1e-5 for float32).
"""

import contextlib
from dataclasses import dataclass, field

import numpy as np

from deepkit.validation import InputError
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


# The default rtol of each dtype.
TOLERANCE = {"float64": 1e-7, "float32": 1e-5}


@dataclass
class ParityRow:
    quantity: str
    layer: str
    weight: str
    max_abs: float
    ratio: float

    @property
    def passed(self):
        return self.ratio <= 1


@dataclass
class ParityReport:
    """The differences found by :func:`compare`; ``print(report)`` shows a table."""

    dtype: str
    rtol: float
    rows: list = field(default_factory=list)

    def add(self, quantity, entries):
        """Rows for one quantity from ``entries``, (layer, weight, twin, keras) tuples;
        atol = rtol * the largest |keras| among them."""
        pairs = []
        for layer, weight, twin, keras in entries:
            twin, keras = np.asarray(twin, dtype="float64"), np.asarray(keras, dtype="float64")
            if twin.shape != keras.shape:
                raise InputError(
                    f"{quantity} {layer}/{weight}: twin shape {twin.shape} "
                    f"!= Keras shape {keras.shape}"
                )
            pairs.append((layer, weight, twin, keras))
        scale = max((np.max(np.abs(k), initial=0.0) for *_, k in pairs), default=0.0)
        atol = self.rtol * scale
        for layer, weight, twin, keras in pairs:
            diff = np.abs(twin - keras)
            tolerance = atol + self.rtol * np.abs(keras)
            # With scale 0 every tolerance is 0: any difference is a failure.
            ratio = np.divide(
                diff, tolerance, out=np.where(diff > 0, np.inf, 0.0), where=tolerance > 0
            )
            self.rows.append(
                ParityRow(
                    quantity,
                    layer,
                    weight,
                    float(np.max(diff, initial=0.0)),
                    float(np.max(ratio, initial=0.0)),
                )
            )

    def _select(self, quantity):
        return [r for r in self.rows if quantity in (None, r.quantity)]

    def max_ratio(self, quantity=None):
        """The largest error ratio (of one quantity, or of all); at most 1 passes."""
        return max((r.ratio for r in self._select(quantity)), default=0.0)

    def max_abs(self, quantity=None):
        return max((r.max_abs for r in self._select(quantity)), default=0.0)

    @property
    def passed(self):
        return all(r.passed for r in self.rows)

    def __str__(self):
        rows = [
            [
                r.quantity,
                r.layer,
                r.weight,
                f"{r.max_abs:.2e}",
                f"{r.ratio:.2e}",
                "pass" if r.passed else "FAIL",
            ]
            for r in self.rows
        ]
        title = (
            f"Parity: NumPy twin vs Keras ({self.dtype}, rtol {self.rtol:g}): "
            f"{'pass' if self.passed else 'FAIL'}"
        )
        grid = format_grid(["quantity", "layer", "weight", "max abs diff", "ratio", ""], rows)
        return "\n".join(
            [
                title,
                "-" * len(title),
                "ratio = max |twin - keras| / (atol + rtol |keras|), atol = rtol * "
                "max |keras| of the quantity; pass if ratio <= 1",
                grid,
            ]
        )


def compare(keras_model, x, y, loss=None, optimizer=None, rtol=None):
    """A :class:`ParityReport` for ``keras_model`` (a built ``keras.Sequential``) on
    one batch (x, y). ``loss`` and ``optimizer`` default to the model's compile
    settings; pass them (names or Keras objects) for an uncompiled model. ``rtol``
    defaults to ``TOLERANCE`` of the twin's dtype. The Keras model is not modified."""
    import keras
    import tensorflow as tf

    from deepkit import reference

    loss = loss if loss is not None else getattr(keras_model, "loss", None)
    optimizer = optimizer if optimizer is not None else getattr(keras_model, "optimizer", None)
    if loss is None or optimizer is None:
        raise InputError("compare needs a compiled Keras model, or loss= and optimizer=")
    twin_loss = reference.losses.from_keras(loss)
    keras_loss = twin_loss.to_keras()
    keras_optimizer = keras.optimizers.get(optimizer)
    keras_optimizer = type(keras_optimizer).from_config(keras_optimizer.get_config())

    twin = reference.from_keras(keras_model)
    twin.compile(optimizer=reference.optimizers.from_keras(keras_optimizer), loss=twin_loss)
    x = np.asarray(x, dtype=twin.dtype)
    report = ParityReport(twin.dtype, TOLERANCE[twin.dtype] if rtol is None else rtol)

    out_keras, out_twin, outputs = tf.constant(x), x, []
    for keras_layer, layer in zip(keras_model.layers, twin.layers):
        out_keras = keras_layer(out_keras, training=False)
        out_twin = layer(out_twin, training=False)
        outputs.append((layer.name, "outputs", out_twin, out_keras.numpy()))
    report.add("forward", outputs)

    variables = keras_model.trainable_variables
    with tf.GradientTape() as tape:
        keras_value = keras_loss(y, keras_model(x, training=False))
    keras_grads = tape.gradient(keras_value, variables)
    twin_value, twin_grads = twin.compute_gradients(x, y, training=False)
    report.add("loss", [("model", "loss", twin_value, keras_value.numpy())])

    names = [
        (layer.name, name)
        for layer in twin.layers
        if layer.trainable
        for name in layer.weight_names
    ]
    report.add(
        "gradient",
        [
            (layer_name, name, g_twin, g_keras.numpy())
            for (layer_name, name), g_twin, g_keras in zip(names, twin_grads, keras_grads)
        ],
    )

    copies = [tf.Variable(v.numpy()) for v in variables]
    keras_optimizer.apply_gradients(zip(keras_grads, copies))
    twin._apply_gradients()
    report.add(
        "step",
        [
            (layer_name, name, w_twin, w_keras.numpy())
            for (layer_name, name), w_twin, w_keras in zip(names, twin.trainable_weights, copies)
        ],
    )
    return report
