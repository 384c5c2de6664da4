"""The losses and metrics ``compile`` sets, per output of the model (mirrors
keras/src/trainers/compile_utils.py).

``loss`` is one loss for every output, a list with one entry per output, or a dict
keyed by output name (None, or a name left out: no loss on that output).
``loss_weights`` is given the same way (a number for a single output). The loss a
model minimizes is

    total = sum_i w_i loss_i        (w_i = 1 unless given),

each loss_i a mean over the batch. ``fit`` logs ``loss`` (the total) and, with more
than one loss, ``<output name>_loss`` for each, unweighted, as Keras does.

``metrics`` is a list for a model with one output. With several outputs it is a
list with one entry per output or a dict keyed by output name, each entry a metric
or a list of metrics, logged as ``<output name>_<metric name>``.
"""

import numpy as np

from deepkit.reference import losses
from deepkit.reference import metrics as metrics_module
from deepkit.validation import InputError


def per_output(value, names, what):
    """One entry of ``value`` per output named in ``names``: ``value`` itself for every
    output unless it is a list (one entry per output) or a dict (keyed by name)."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise InputError(
                f"{what} names {', '.join(map(repr, unknown))}, which the model's outputs "
                f"({', '.join(names)}) are not"
            )
        return [value.get(name) for name in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise InputError(
                f"{what} has {len(value)} entries; the model has {len(names)} outputs "
                f"({', '.join(names)})"
            )
        return list(value)
    return [value] * len(names)


def get_losses(loss):
    """``loss`` with each name resolved to a ``Loss``, its list or dict structure kept."""
    if isinstance(loss, dict):
        return {name: None if entry is None else losses.get(entry) for name, entry in loss.items()}
    if isinstance(loss, (list, tuple)):
        return [None if entry is None else losses.get(entry) for entry in loss]
    return None if loss is None else losses.get(loss)


def check_metrics(metrics):
    """``metrics`` after checking every metric in it, its structure kept."""
    if isinstance(metrics, dict):
        return {name: check_metrics(entry) for name, entry in metrics.items()}
    if isinstance(metrics, (list, tuple)):
        return [check_metrics(entry) for entry in metrics]
    return None if metrics is None else metrics_module.check(metrics)


def resolve_metrics(metrics, ys, output_shapes, output_names):
    """[(log name, output index, function)] for the metrics of a model; an "accuracy"
    is picked by the shapes of the targets ``ys`` (None when unknown) and outputs. A
    name logged already gets the suffix _1, _2, ... (Keras's ``CompileMetrics.result``)."""
    if not metrics:
        return []
    several = len(output_names) > 1
    lists = per_output(metrics, output_names, "metrics") if several else [metrics]
    resolved, counters = [], {}
    for index, entries in enumerate(lists):
        prefix = f"{output_names[index]}_" if several else ""
        shape = None if ys is None else np.shape(ys[index])
        if entries is None:
            continue
        for entry in entries if isinstance(entries, (list, tuple)) else [entries]:
            name, fn = metrics_module.get(entry, shape, output_shapes[index])
            name = prefix + name
            repeat = counters.get(name, 0)
            counters[name] = repeat + 1
            resolved.append((f"{name}_{repeat}" if repeat else name, index, fn))
    return resolved


class CompileLoss:
    """The loss of each output of a compiled model and its weight.

    Args:
        loss: as ``get_losses`` returns it (kept as ``self.loss``).
        loss_weights: None, a number, a list or a dict (see the module docstring).
        output_names: the model's output names.

    Raises:
        InputError: for a structure that does not match the outputs, or no loss at all.
    """

    def __init__(self, loss, loss_weights, output_names):
        self.loss, self.loss_weights = loss, loss_weights
        entries = per_output(loss, output_names, "loss")
        weights = per_output(loss_weights, output_names, "loss_weights")
        self.terms = [
            (index, entry, 1.0 if weight is None else float(weight), output_names[index])
            for index, (entry, weight) in enumerate(zip(entries, weights))
            if entry is not None
        ]
        if not self.terms:
            raise InputError("compile: no output of the model has a loss")
        self._key, self._paths = None, None

    def prepare(self, ys, output_shapes, dtype):
        """The targets shaped like the outputs they score (``Loss.prepare``)."""
        ys = list(ys)
        for index, loss, _, _ in self.terms:
            n = len(ys[index])
            pred = np.broadcast_to(np.zeros((), dtype), (n,) + tuple(output_shapes[index][1:]))
            ys[index] = loss.prepare(ys[index], pred)[0]
        return ys

    def _loss_paths(self, activations):
        """(loss function, from_logits) per term: Keras computes a cross-entropy from the
        logits of a final sigmoid/softmax (its ``_keras_logits``); so does the reference."""
        key = tuple(activation.name for activation in activations)
        if key != self._key:
            self._paths = []
            for index, loss, _, _ in self.terms:
                uses_logits = loss.uses_logits_of(key[index])
                self._paths.append((loss.with_logits(), True) if uses_logits else (loss, False))
            self._key = key
        return self._paths

    def __call__(self, ys, outputs, logits, activations):
        """(logs, dLoss/d(each output), from_logits of each): the logs hold the total
        ``loss`` and, with several losses, each one unweighted; an output without a loss
        gets the gradient None, an output scored from its logits dLoss/d(logits)."""
        grads, from_logits = [None] * len(outputs), [False] * len(outputs)
        total, parts = 0.0, {}
        for (index, _, weight, name), (loss, uses_logits) in zip(
            self.terms, self._loss_paths(activations)
        ):
            pred = logits[index] if uses_logits else outputs[index]
            value, grad = loss.value_and_grad(ys[index], pred)
            total += weight * value
            grads[index] = grad if weight == 1.0 else grad * grad.dtype.type(weight)
            from_logits[index] = uses_logits
            parts[f"{name}_loss"] = float(value)
        logs = {"loss": float(total), **(parts if len(self.terms) > 1 else {})}
        return logs, grads, from_logits
