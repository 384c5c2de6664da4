"""``compare``: a Keras model against its NumPy reference on one batch, row by row
(the quantities are described in ``deepkit.parity``)."""

import numpy as np

from deepkit.parity.batch import check_batch
from deepkit.parity.losses import KerasLoss, loss_entries, loss_settings
from deepkit.parity.nodes import forward_entries, input_names, keras_graph
from deepkit.parity.precision import TOLERANCE, keras_float_dtype
from deepkit.parity.report import ParityReport
from deepkit.reference.models.export import map_structure
from deepkit.validation import InputError, check_float


def trainable_weight_labels(model, prefix=""):
    """(layer, weight) naming each trainable weight of a reference model, aligned with
    its ``trainable_weights`` (a nested model's layers as "outer/inner")."""
    from deepkit.reference.models import Model

    if not model.trainable:
        return []
    labels = []
    for layer in model.layers:
        if isinstance(layer, Model):
            labels += trainable_weight_labels(layer, f"{prefix}{layer.name}/")
        else:
            labels += [
                (prefix + layer.name, name)
                for name in layer.weight_names
                if layer.weight_is_trainable(name)  # as the gradients: moving statistics have none
            ]
    return labels


def _structured(arrays):
    """One array for a model with one input (output), else the list."""
    return arrays if len(arrays) > 1 else arrays[0]


def compare(keras_model, x, y, loss=None, optimizer=None, rtol=None, loss_weights=None):
    """Compare ``keras_model`` with its NumPy reference on one batch.

    Args:
        keras_model: a built ``keras.Sequential`` or functional ``keras.Model``; it is
            not modified.
        x: one batch of inputs (finite numbers, at least one row): an array, or for
            several inputs a list in the model's order or a dict keyed by input name.
        y: its targets, given like ``x``, one per output (as many rows as ``x``).
        loss: a loss name or Keras object, or a list or dict of them (one per
            output); defaults to the model's compile setting.
        optimizer: an optimizer name or Keras object; defaults to the model's.
        rtol: the relative tolerance, in (0, 1]; defaults to ``TOLERANCE`` of the
            NumPy reference's dtype.
        loss_weights: a number, or a list or dict with one per output; defaults to
            the model's compile setting when ``loss`` does too, else 1 for each.

    Returns:
        A ``ParityReport``.

    Raises:
        InputError: for an empty batch, NaN or inf in ``x`` or ``y``, arrays of
            different lengths, ``x`` or ``y`` not one array per input or output, a
            ``rtol`` that is not a number in (0, 1], or a model that is not
            compiled and no ``loss`` and ``optimizer``; all checked before any work.

    Example:

    ```python
    model = deepkit.models.churn_ann()
    report = deepkit.parity.compare(model, x[:32], y[:32])
    print(report)           # a table, one row per layer call and weight
    assert report.passed
    ```
    """
    graph = keras_graph(keras_model)  # None before it is built: from_keras says so
    xs, ys = check_batch(
        x,
        y,
        None if graph is None else input_names(graph),
        None if graph is None else graph.output_names,
    )
    if rtol is not None:
        rtol = check_float(rtol, "rtol", min_value=0.0, max_value=1.0, include_min=False)
    import keras
    import tensorflow as tf

    from deepkit import reference

    loss, loss_weights = loss_settings(keras_model, loss, loss_weights)
    optimizer = optimizer if optimizer is not None else getattr(keras_model, "optimizer", None)
    if loss is None or optimizer is None:
        raise InputError("compare needs a compiled Keras model, or loss= and optimizer=")
    reference_losses = map_structure(loss, reference.losses.from_keras)
    keras_optimizer = keras.optimizers.get(optimizer)
    keras_optimizer = type(keras_optimizer).from_config(keras_optimizer.get_config())

    reference_model = reference.from_keras(keras_model)
    reference_model.compile(
        optimizer=reference.optimizers.from_keras(keras_optimizer),
        loss=reference_losses,
        loss_weights=loss_weights,
    )
    dtype = reference_model.dtype
    xs = [np.asarray(array, dtype=dtype) for array in xs]
    x, y = _structured(xs), _structured(ys)
    report = ParityReport(dtype, TOLERANCE[dtype] if rtol is None else rtol)
    with keras_float_dtype(dtype):  # Keras's loss and optimizer state in the model's dtype
        report.add("forward", forward_entries(graph, reference_model, xs))

        keras_loss = KerasLoss(reference_losses, loss_weights, graph.output_names)
        variables = keras_model.trainable_variables
        keras_x = keras.tree.pack_sequence_as(graph.input, xs)  # as the model was built
        with tf.GradientTape() as tape:
            keras_value = keras_loss(keras_model, y, keras_model(keras_x, training=False))
        keras_grads = tape.gradient(keras_value, variables)
        reference_value, reference_grads = reference_model.compute_gradients(x, y, training=False)
        report.add(
            "loss",
            loss_entries(keras_loss, keras_value.numpy(), reference_model, reference_value, x, y),
        )

        labels = trainable_weight_labels(reference_model)
        if not len(labels) == len(reference_grads) == len(variables):
            raise InputError(
                f"the NumPy reference has {len(reference_grads)} trainable weights "
                f"({len(labels)} named), Keras {len(variables)}"
            )
        # Keras has no gradient (None) for a weight the loss does not depend on.
        gradients = [
            np.zeros(v.shape) if g is None else g.numpy() for g, v in zip(keras_grads, variables)
        ]
        report.add(
            "gradient",
            [(*label, *pair) for label, *pair in zip(labels, reference_grads, gradients)],
        )

        copies = [tf.Variable(v.numpy()) for v in variables]
        keras_optimizer.apply_gradients(zip(keras_grads, copies))
    reference_model.apply_gradients()
    report.add(
        "step",
        [
            (*label, weight, copy.numpy())
            for label, weight, copy in zip(labels, reference_model.trainable_weights, copies)
        ],
    )
    return report
