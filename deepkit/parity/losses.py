"""The loss rows of ``compare``: the loss as Keras's ``fit`` computes it
(``Trainer.compute_loss``),

    loss = sum_i w_i loss_i(y_i, output_i) + sum(model.losses),

one loss per output (``loss`` is one loss for every output, a list with one per
output, or a dict keyed by output name; None leaves an output without a loss),
its weight w_i (``loss_weights``, 1 unless given), plus the penalties of the
model's regularizers. Keras side: Keras's own ``CompileLoss``
(keras/src/trainers/compile_utils.py, what ``compile`` makes) on the losses the
reference converts back (``Loss.to_keras``), so both sides use the same settings;
it scores a final sigmoid or softmax from its logits, as ``fit`` does. With more
than one loss, each output's unweighted loss is a row too.
"""

from deepkit.reference.models.export import map_structure


def loss_settings(keras_model, loss, loss_weights):
    """``(loss, loss_weights)``: the arguments; for a ``loss`` of None the model's
    compile settings (its loss weights too, unless ``loss_weights`` is given)."""
    if loss is not None:
        return loss, loss_weights
    compiled = getattr(keras_model, "compiled", False)
    config = (keras_model.get_compile_config() if compiled else None) or {}
    if loss_weights is None:
        loss_weights = config.get("loss_weights")
    return getattr(keras_model, "loss", None), loss_weights


class KerasLoss:
    """The loss Keras's ``fit`` minimizes for a model (see the module docstring).

    Args:
        reference_losses: the reference's losses, structured as ``loss``.
        loss_weights: None, a number, a list or a dict keyed by output name.
        output_names: the Keras model's output names.
    """

    def __init__(self, reference_losses, loss_weights, output_names):
        from keras.src.trainers.compile_utils import CompileLoss

        keras_losses = map_structure(reference_losses, lambda loss: loss.to_keras())
        self.compile_loss = CompileLoss(keras_losses, loss_weights, output_names=output_names)

    def __call__(self, keras_model, y, outputs):
        """The loss of ``outputs`` (the model's, from its last call) for targets ``y``."""
        from keras import ops

        value = self.compile_loss(y, outputs)
        for penalty in keras_model.losses:
            value = value + ops.cast(penalty, value.dtype)
        return value

    def output_losses(self):
        """{output name: its unweighted loss} of the last call; {} with one loss."""
        metrics = self.compile_loss.metrics
        if len(metrics) < 2:
            return {}
        return {metric.name.removesuffix("_loss"): float(metric.result()) for metric in metrics}


def loss_entries(keras_loss, keras_value, reference_model, reference_value, x, y):
    """(layer, weight, reference, keras) rows of the loss: the total ("model") and,
    with several losses, each output's (named after it). ``x`` and ``y`` are the
    batch as the reference takes it; its per-output losses come from ``evaluate``."""
    entries = [("model", "loss", reference_value, keras_value)]
    per_output = keras_loss.output_losses()
    if per_output:
        batch = len(x[0] if isinstance(x, list) else x)
        logs = reference_model.evaluate(x, y, batch_size=batch, verbose=0, return_dict=True)
        entries += [(name, "loss", logs[f"{name}_loss"], v) for name, v in per_output.items()]
    return entries
