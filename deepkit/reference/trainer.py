"""``Trainer``: compile, fit, evaluate, predict for any reference model (mirrors
keras/src/trainers/trainer.py; the structure lives in ``deepkit.reference.models``).

A model inherits ``Trainer`` and provides:

- ``rng`` (a NumPy Generator: shuffling and any sampling), ``dtype``;
- ``_check_x(x, what)``: the validated float array, or a list of arrays for a model
  with several inputs (building the model if needed);
- ``_prepare_y(y, n, what)``: the validated targets, a list for several outputs
  (``None`` allowed when its ``train_step`` needs none);
- ``__call__(x, training)``: the outputs of one batch.

The default ``train_step`` is backprop, which also needs the model's
``output_names``, ``_forward(x, training)``, ``_backward(grad, from_logits,
need_input_grad)``, ``logits``, ``activation``, ``output_shape`` (each a list when
the model has several outputs) and ``_optimizer_targets()`` (flat gradient and
weight buffers and the trainable spans in them). The loss is one per output,
weighted (``deepkit.reference.compile_utils``), plus the penalties of the
regularizers of the model's ``layers`` (``deepkit.reference.regularizers``), as Keras's
``compute_loss`` adds ``model.losses``. A model that
learns otherwise (an RBM's contrastive divergence) overrides ``train_step`` and
``test_step``, and keeps ``fit``, its progress bar, callbacks and history, as
with Keras's ``Model.train_step``.

``fit``, ``evaluate`` and ``predict`` pick NumPy's BLAS thread count for their
products (``deepkit.reference.threads``; ``model.blas_threads = n`` forces one).
``fit`` stops with an ``InputError`` at the first training batch whose loss is
NaN or infinite (``diverged``), where Keras's ``TerminateOnNaN`` stops silently.

(One concept, training, over about 350 lines: compile, the steps on one batch, the
loops over a dataset that call them and the metrics they log.)
"""

import math
import numbers

from deepkit.reference import compile_utils, constraints, optimizers, regularizers
from deepkit.reference.callbacks import Callback, History, ProgbarLogger
from deepkit.reference.compile_utils import CompileLoss
from deepkit.reference.data import check_finite, concatenate, count, rows
from deepkit.reference.threads import blas_threads
from deepkit.validation import InputError, check_float, check_int


def diverged(epoch, batch, loss, learning_rate=None, name="loss"):
    """The error for a non-finite training loss ``name`` at ``epoch`` and ``batch`` (both
    from 1; ``batch`` None when unknown), naming the likely cause: the learning rate."""
    where = f"epoch {epoch}" + ("" if batch is None else f", batch {batch}")
    known = isinstance(learning_rate, numbers.Real)  # not a schedule
    advice = "lower the learning rate" + (f" ({float(learning_rate):g} now)" if known else "")
    return InputError(f"training diverged at {where}: {name} is {loss}; {advice}")


def _stateful(metric):
    """Whether a metric keeps state over an epoch (a ``ConfusionMetric``) rather than
    being a mean over samples."""
    return getattr(metric, "stateful", False)


def _running(sums, seen, logs, stateful):
    """The logs so far in an epoch: sample-weighted means of the batch values, and each
    stateful metric's latest result (``logs``, the last batch's, gives the order)."""
    return {key: float(logs[key] if key in stateful else sums[key] / seen) for key in logs}


class Trainer:
    """Training for reference models; see the module docstring for what a model provides."""

    optimizer = None
    loss = None
    loss_weights = None
    metrics = ()
    stop_training = False
    _compiled_loss = None
    _several_outputs = False
    blas_threads = None  # None: deepkit.reference.threads picks; an int forces that count

    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None):
        """Set the optimizer (name or instance; Keras's default "rmsprop"), the loss,
        metrics (names such as ["accuracy", "mae"], or ``metrics.Metric`` objects) and
        loss weights; with several outputs, ``loss``, ``metrics`` and ``loss_weights``
        may be lists (one entry per output) or dicts keyed by output name, as in Keras."""
        self.optimizer = optimizers.get(optimizer)
        self.loss = compile_utils.get_losses(loss)
        self.loss_weights = loss_weights
        self.metrics = compile_utils.check_metrics(metrics or [])
        self._metric_fns, self._compiled_loss = [], None

    # -- one batch: the methods a model overrides to learn differently ----------

    def train_step(self, x, y):
        """Forward, backward, one optimizer update; the batch's mean loss and metrics."""
        out = self._run_forward(x, training=True)
        losses = self._backprop_loss(y, out)
        self.apply_gradients()
        return self._logs(losses, y, out)

    def apply_gradients(self):
        """One optimizer update from the gradients of the last backward pass, then the
        layers' weight constraints on the updated weights (as Keras's optimizer ``apply``)."""
        grads, params, spans = self._optimizer_targets()
        if any(spans):
            self.optimizer.apply(grads, params, spans)
            constraints.constrain(self)

    def test_step(self, x, y):
        """The batch's mean loss and metrics, without dropout and without an update."""
        out = self._run_forward(x, training=False)
        return self._logs(self._losses(y, out)[0], y, out)

    def _run_forward(self, x, training):
        """``_forward``, the activity penalties of earlier passes forgotten first."""
        regularizers.forget_activity(self)
        return self._forward(x, training=training)

    def _listed(self, value):
        """A per-output ``value`` as a list (a single output's is not one)."""
        return list(value) if self._several_outputs else [value]

    def _compile_loss(self):
        """The ``CompileLoss`` of ``self.loss`` (made again when ``loss`` is replaced)."""
        if self.loss is None:
            raise InputError("call compile(optimizer=..., loss=...) before training")
        compiled = self._compiled_loss
        if compiled is None or compiled.loss is not self.loss:
            compiled = CompileLoss(self.loss, self.loss_weights, self.output_names)
            self._compiled_loss = compiled
        return compiled

    def _losses(self, y, out):
        """(logs, gradients, from_logits) of the loss on the last forward pass: the
        compiled loss plus the regularizers' penalties in ``logs["loss"]``."""
        listed = self._listed
        logs, grads, from_logits = self._compile_loss()(
            listed(y), listed(out), listed(self.logits), listed(self.activation)
        )
        logs["loss"] += regularizers.penalty(self)
        return logs, grads, from_logits

    def _backprop_loss(self, y, out, need_input_grad=False):
        """The loss logs of the last forward pass; gradients written, dLoss/dx kept
        as ``self.input_gradient`` when ``need_input_grad``."""
        logs, grads, from_logits = self._losses(y, out)
        self.input_gradient = self._backward(
            grads if self._several_outputs else grads[0],
            from_logits if self._several_outputs else from_logits[0],
            need_input_grad,
        )
        regularizers.add_penalty_gradients(self)
        return logs

    def _logs(self, losses, y, out):
        """The batch's losses and metrics: a mean metric's batch mean, a stateful
        metric's result over the batches since its state was last reset."""
        logs = dict(losses)
        if self._metric_fns:
            ys, outs = self._listed(y), self._listed(out)
            logits, activations = self._listed(self.logits), self._listed(self.activation)
            for name, i, fn in self._metric_fns:
                if _stateful(fn):
                    fn.update_state(ys[i], outs[i])
                    logs[name] = fn.result()
                else:
                    total = fn.batch_sum(ys[i], outs[i], logits[i], activations[i].name)
                    logs[name] = total / len(outs[i])
        return logs

    def compute_gradients(self, x, y, training=True, return_input_gradients=False):
        """(loss, gradients[, dLoss/dx]): the loss ``fit`` would see on this batch,
        the gradient of each trainable weight (aligned with ``trainable_weights``,
        like Keras's ``trainable_variables``) and, if asked, of the inputs; no update."""
        x, y = self._prepare_data(x, y)
        out = self._run_forward(x, training=training)
        loss = self._backprop_loss(y, out, need_input_grad=return_input_gradients)["loss"]
        grads = [g.copy() for g in self.trainable_gradients]
        return (loss, grads, self.input_gradient) if return_input_gradients else (loss, grads)

    # -- whole datasets -----------------------------------------------------------

    def _prepare_data(self, x, y, what="", check_values=False):
        x = self._check_x(x, f"{what}x")
        if check_values:
            check_finite(x, f"{what}x")
        return x, self._prepare_y(y, count(x), f"{what}y")

    def _resolve_metrics(self, y):
        if not self.metrics:
            self._metric_fns = []
            return
        names = self.output_names
        ys = (
            None
            if y is None
            else compile_utils.per_output(y, names, "y")
            if len(names) > 1
            else [y]
        )
        self._metric_fns = compile_utils.resolve_metrics(
            self.metrics, ys, self._listed(self.output_shape), names
        )

    def train_on_batch(self, x, y=None):
        """One training step on one batch; returns the batch loss."""
        self._check_compiled()
        self._resolve_metrics(y)
        return self.train_step(*self._prepare_data(x, y))["loss"]

    def _check_compiled(self):
        if self.optimizer is None:
            raise InputError("call compile(optimizer=..., loss=...) before training")

    def fit(
        self,
        x,
        y=None,
        batch_size=32,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        initial_epoch=0,
    ):
        """Train with ``train_step`` on mini-batches; returns a ``History``.

        Like Keras: ``validation_split`` holds out the *last* fraction of the
        samples (before shuffling); each epoch reshuffles the training samples
        (with ``self.rng``) when ``shuffle``; the logged loss and metrics are
        means over the epoch's samples; ``val_*`` entries come from ``test_step``
        after each epoch.
        """
        self._check_compiled()
        check_int(batch_size, "batch_size", min_value=1)
        check_int(epochs, "epochs", min_value=0)
        check_float(validation_split, "validation_split", 0.0, 1.0, include_max=False)
        self._resolve_metrics(y)
        x, y = self._prepare_data(x, y, check_values=True)
        if validation_data is not None:
            if len(validation_data) != 2:
                raise InputError("validation_data must be a pair (x_val, y_val)")
            val = self._prepare_data(*validation_data, what="validation ", check_values=True)
        elif validation_split:
            n = count(x)
            split_at = int(math.floor(n * (1.0 - validation_split)))
            if split_at in (0, n):
                raise InputError(
                    f"validation_split={validation_split} leaves {split_at} of {n} "
                    "samples for training"
                )
            kept, held_out = slice(None, split_at), slice(split_at, None)
            val = rows(x, held_out), rows(y, held_out)
            x, y = rows(x, kept), rows(y, kept)
        else:
            val = None

        steps = math.ceil(count(x) / batch_size)
        history = History()
        callbacks = list(callbacks or [])
        if verbose:
            callbacks.append(ProgbarLogger(verbose, epochs, steps))
        callbacks.append(history)
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise InputError(f"callbacks must be Callback instances, got {callback!r}")
            callback.model = self
        self.stop_training = False
        with blas_threads(self, batch_size):
            for callback in callbacks:
                callback.on_train_begin()
            for epoch in range(initial_epoch, epochs):
                for callback in callbacks:
                    callback.on_epoch_begin(epoch)
                order = self.rng.permutation(count(x)) if shuffle else None
                logs = self._run_epoch(x, y, batch_size, self.train_step, order, callbacks, epoch)
                if val is not None:
                    val_logs = self._run_epoch(*val, batch_size, self.test_step)
                    logs.update({f"val_{k}": v for k, v in val_logs.items()})
                for callback in callbacks:
                    callback.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            if epochs > 0 and self.optimizer.use_ema:  # as Keras: the average becomes the weights
                _, params, spans = self._optimizer_targets()
                self.optimizer.finalize_variable_values(params, spans)
            for callback in callbacks:
                callback.on_train_end()
        return history

    def _run_epoch(self, x, y, batch_size, step_fn, order=None, callbacks=(), epoch=None):
        """Sample-weighted means of ``step_fn``'s logs over one pass through (x, y);
        in training (``epoch`` given), a non-finite loss raises ``diverged``.

        Shuffled batches are gathered one at a time: no copy of the whole set."""
        batch_callbacks = [
            c for c in callbacks if type(c).on_train_batch_end is not Callback.on_train_batch_end
        ]
        stateful = {name for name, _, fn in self._metric_fns if _stateful(fn)}
        for _, _, fn in self._metric_fns:
            if _stateful(fn):
                fn.reset_state()
        sums, seen = {}, 0
        for step, start in enumerate(range(0, count(x), batch_size)):
            batch = (
                slice(start, start + batch_size)
                if order is None
                else order[start : start + batch_size]
            )
            xb = rows(x, batch)
            logs = step_fn(xb, rows(y, batch))
            if epoch is not None:
                self._check_losses(logs, epoch + 1, step + 1)
            size = count(xb)
            seen += size
            for key, value in logs.items():
                sums[key] = sums.get(key, 0.0) + value * size
            if batch_callbacks:
                running = _running(sums, seen, logs, stateful)
                for callback in batch_callbacks:
                    callback.on_train_batch_end(step, running)
        return _running(sums, seen, logs, stateful)

    def _check_losses(self, logs, epoch, batch):
        """Raise ``diverged`` if a loss in ``logs`` ("loss", or a GAN's "d_loss" and
        "g_loss") is NaN or infinite."""
        for name, value in logs.items():
            if name.endswith("loss") and not math.isfinite(value):
                rate = getattr(self.optimizer, "learning_rate", None)
                raise diverged(epoch, batch, value, rate, name)

    def evaluate(self, x, y=None, batch_size=32, verbose=1, return_dict=False):
        """The loss (and metrics) on (x, y), as Keras: a float, or [loss, *metrics],
        or a dict with ``return_dict``."""
        self._check_compiled()
        check_int(batch_size, "batch_size", min_value=1)
        self._resolve_metrics(y)
        with blas_threads(self, batch_size):
            logs = self._run_epoch(*self._prepare_data(x, y), batch_size, self.test_step)
        if verbose:
            steps = math.ceil(count(x) / batch_size)
            print(f"{steps}/{steps} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=32, verbose=0):
        """The outputs for ``x``, computed ``batch_size`` samples at a time (a list of
        arrays for a model with several outputs)."""
        x = self._check_x(x)
        check_int(batch_size, "batch_size", min_value=1)
        n = count(x)
        with blas_threads(self, batch_size):
            batches = [
                self._run_forward(rows(x, slice(start, start + batch_size)), training=False)
                for start in range(0, n, batch_size)
            ]
        if verbose:
            steps = math.ceil(n / batch_size)
            print(f"{steps}/{steps}")
        return concatenate(batches, self.output_shape, self.dtype)
