"""Parity between a Keras model and its NumPy reference (``deepkit.reference``).

``compare(keras_model, x, y)`` copies the Keras weights into a NumPy reference model
(``reference.from_keras``), then measures, per layer and per weight, how far
the NumPy reference is from Keras on:

- forward: each layer's outputs (inference mode);
- loss: the loss as Keras computes it on the model's output (from the logits
  of a final sigmoid/softmax, like ``fit``);
- gradient: dLoss/dweight, Keras side by ``tf.GradientTape``;
- step: each weight after one optimizer update from the same gradients.

Dropout layers are run in inference mode for the loss and gradients (their
masks are random; the layer tests inject them instead). Each row reports
max |reference - keras| and an allclose-style error ratio

    max |reference - keras| / (atol + rtol |keras|),   atol = rtol * scale,

where ``scale`` is the largest |keras| value of that quantity across the model
(so a near-zero element, e.g. a bias gradient that is a sum of cancelling
terms, is judged on the quantity's scale, not divided by itself). A row passes when the ratio is at
most 1, i.e. ``np.allclose(reference, keras, rtol, atol)``; ``rtol`` defaults to the
dtype's tolerance (TOLERANCE: 1e-7 for float64, 1e-5 for float32).

A NaN or infinite value on either side fails its row (ratio ``inf``): two NaNs are
not "equal", and a comparison of non-finite numbers says nothing about parity.
The batch itself is checked first: an empty batch, NaN or inf in ``x`` or ``y``,
or ``x`` and ``y`` of different lengths are refused with ``InputError``.
"""

import contextlib
from dataclasses import dataclass, field

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import InputError, check_float


@contextlib.contextmanager
def keras_float_dtype(dtype):
    """Make Keras build layers, losses and optimizer variables in ``dtype`` within the block.

    Sets Keras's floatx and global dtype policy, and restores both afterwards. The
    NumPy reference in float64 matches Keras in float64 this way.

    Args:
        dtype: the float dtype's name, e.g. ``"float64"``.

    Example:

    ```python
    with keras_float_dtype("float64"):
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    ```
    """
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
    """One row of a ``ParityReport``: how far one weight's quantity is from Keras's.

    Attributes:
        quantity: "forward", "loss", "gradient" or "step".
        layer: the layer's name ("model" for the loss).
        weight: the weight's name ("outputs" for a forward row, "loss" for the loss).
        max_abs: max |reference - keras| (NaN or inf when a side is not finite).
        ratio: the allclose-style error ratio; at most 1 passes.
    """

    quantity: str
    layer: str
    weight: str
    max_abs: float
    ratio: float

    @property
    def passed(self):
        """True when the ratio is at most 1 (a NaN or infinite ratio fails)."""
        return bool(self.ratio <= 1)


@dataclass
class ParityReport:
    """The differences found by ``compare``; ``print(report)`` shows a table.

    Attributes:
        dtype: the dtype both models ran in.
        rtol: the relative tolerance every row is judged with.
        rows: the ``ParityRow``s, in the order they were added.
    """

    dtype: str
    rtol: float
    rows: list = field(default_factory=list)

    def add(self, quantity, entries):
        """Add one row per entry of one quantity.

        Args:
            quantity: the quantity's name ("forward", "loss", "gradient", "step").
            entries: (layer, weight, reference, keras) tuples; atol = rtol * the largest
                finite |keras| among them.

        Raises:
            InputError: if the NumPy reference's and Keras's arrays of an entry differ in shape.
        """
        pairs = []
        for layer, weight, reference, keras in entries:
            reference, keras = (
                np.asarray(reference, dtype="float64"),
                np.asarray(keras, dtype="float64"),
            )
            if reference.shape != keras.shape:
                raise InputError(
                    f"{quantity} {layer}/{weight}: reference shape {reference.shape} "
                    f"!= Keras shape {keras.shape}"
                )
            pairs.append((layer, weight, reference, keras))
        # The scale of the quantity from its finite values: one NaN row must not
        # change how the other rows are judged.
        scale = max(
            (np.max(np.abs(k[np.isfinite(k)]), initial=0.0) for *_, k in pairs), default=0.0
        )
        atol = self.rtol * scale
        for layer, weight, reference, keras in pairs:
            if not (np.all(np.isfinite(reference)) and np.all(np.isfinite(keras))):
                # NaN or inf on either side: the row fails, whatever the other side holds.
                nan = np.isnan(reference).any() or np.isnan(keras).any()
                self.rows.append(
                    ParityRow(quantity, layer, weight, np.nan if nan else np.inf, np.inf)
                )
                continue
            diff = np.abs(reference - keras)
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
        """The largest error ratio; at most 1 passes.

        Args:
            quantity: one quantity's name, or ``None`` for all rows.

        Returns:
            The largest ratio, 0.0 without rows.
        """
        return max((r.ratio for r in self._select(quantity)), default=0.0)

    def max_abs(self, quantity=None):
        """The largest absolute difference.

        Args:
            quantity: one quantity's name, or ``None`` for all rows.

        Returns:
            The largest max |reference - keras|, 0.0 without rows.
        """
        return max((r.max_abs for r in self._select(quantity)), default=0.0)

    @property
    def passed(self):
        """True when every row passes."""
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
            f"Parity: NumPy reference vs Keras ({self.dtype}, rtol {self.rtol:g}): "
            f"{'pass' if self.passed else 'FAIL'}"
        )
        grid = format_grid(["quantity", "layer", "weight", "max abs diff", "ratio", ""], rows)
        return "\n".join(
            [
                title,
                "-" * len(title),
                "ratio = max |reference - keras| / (atol + rtol |keras|), atol = rtol * "
                "max |keras| of the quantity; pass if ratio <= 1",
                grid,
            ]
        )


def check_batch(x, y):
    """Check one batch for ``compare`` before any work.

    Args:
        x: the inputs, an array-like of numbers with one row per sample.
        y: the targets, an array-like of numbers with as many rows as ``x``.

    Returns:
        ``(x, y)`` as NumPy arrays.

    Raises:
        InputError: if the batch is empty, holds something other than numbers,
            holds NaN or inf, or ``x`` and ``y`` differ in length.
    """
    arrays = {}
    for name, value in (("x", x), ("y", y)):
        try:
            array = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise InputError(f"{name} must be an array of numbers ({error})") from None
        if array.dtype.kind not in "biuf":
            raise InputError(f"{name} must hold numbers, got dtype {array.dtype}")
        if array.ndim == 0 or len(array) == 0 or array.size == 0:
            raise InputError(f"{name} is an empty batch (shape {array.shape}); compare needs rows")
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            bad = np.argwhere(~np.isfinite(array))[0]
            where = ", ".join(map(str, bad))
            raise InputError(
                f"{name} holds {array[tuple(bad)]} at index ({where}); parity needs finite inputs"
            )
        arrays[name] = array
    if len(arrays["x"]) != len(arrays["y"]):
        raise InputError(f"x has {len(arrays['x'])} rows but y has {len(arrays['y'])}")
    return arrays["x"], arrays["y"]


def compare(keras_model, x, y, loss=None, optimizer=None, rtol=None):
    """Compare ``keras_model`` with its NumPy reference on one batch.

    Args:
        keras_model: a built ``keras.Sequential``; it is not modified.
        x: one batch of inputs (finite numbers, at least one row).
        y: its targets (finite numbers, as many rows as ``x``).
        loss: a loss name or Keras object; defaults to the model's compile setting.
        optimizer: an optimizer name or Keras object; defaults to the model's.
        rtol: the relative tolerance, in (0, 1]; defaults to ``TOLERANCE`` of the
            NumPy reference's dtype.

    Returns:
        A ``ParityReport``.

    Raises:
        InputError: for an empty batch, NaN or inf in ``x`` or ``y``, ``x`` and
            ``y`` of different lengths, a ``rtol`` that is not a number in (0, 1],
            or a model that is not compiled and no ``loss`` and ``optimizer``;
            all checked before any work.

    Example:

    ```python
    model = deepkit.models.churn_ann()
    report = deepkit.parity.compare(model, x[:32], y[:32])
    print(report)           # a table, one row per layer and weight
    assert report.passed
    ```
    """
    x, y = check_batch(x, y)
    if rtol is not None:
        rtol = check_float(rtol, "rtol", min_value=0.0, max_value=1.0, include_min=False)
    import keras
    import tensorflow as tf

    from deepkit import reference

    loss = loss if loss is not None else getattr(keras_model, "loss", None)
    optimizer = optimizer if optimizer is not None else getattr(keras_model, "optimizer", None)
    if loss is None or optimizer is None:
        raise InputError("compare needs a compiled Keras model, or loss= and optimizer=")
    reference_loss = reference.losses.from_keras(loss)
    keras_loss = reference_loss.to_keras()
    keras_optimizer = keras.optimizers.get(optimizer)
    keras_optimizer = type(keras_optimizer).from_config(keras_optimizer.get_config())

    reference_model = reference.from_keras(keras_model)
    reference_model.compile(
        optimizer=reference.optimizers.from_keras(keras_optimizer), loss=reference_loss
    )
    x = np.asarray(x, dtype=reference_model.dtype)
    report = ParityReport(
        reference_model.dtype, TOLERANCE[reference_model.dtype] if rtol is None else rtol
    )

    out_keras, out_reference, outputs = tf.constant(x), x, []
    for keras_layer, layer in zip(keras_model.layers, reference_model.layers):
        out_keras = keras_layer(out_keras, training=False)
        out_reference = layer(out_reference, training=False)
        outputs.append((layer.name, "outputs", out_reference, out_keras.numpy()))
    report.add("forward", outputs)

    variables = keras_model.trainable_variables
    with tf.GradientTape() as tape:
        keras_value = keras_loss(y, keras_model(x, training=False))
    keras_grads = tape.gradient(keras_value, variables)
    reference_value, reference_grads = reference_model.compute_gradients(x, y, training=False)
    report.add("loss", [("model", "loss", reference_value, keras_value.numpy())])

    names = [
        (layer.name, name)
        for layer in reference_model.layers
        for name in layer.weight_names
        if layer.weight_is_trainable(name)  # as the gradients: moving statistics have none
    ]
    report.add(
        "gradient",
        [
            (layer_name, name, g_reference, g_keras.numpy())
            for (layer_name, name), g_reference, g_keras in zip(names, reference_grads, keras_grads)
        ],
    )

    copies = [tf.Variable(v.numpy()) for v in variables]
    keras_optimizer.apply_gradients(zip(keras_grads, copies))
    reference_model._apply_gradients()
    report.add(
        "step",
        [
            (layer_name, name, w_reference, w_keras.numpy())
            for (layer_name, name), w_reference, w_keras in zip(
                names, reference_model.trainable_weights, copies
            )
        ],
    )
    return report
