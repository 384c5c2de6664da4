"""``Sequential``: a stack of twin layers trained by hand-written backprop
(mirrors keras/src/models/sequential.py and keras/src/trainers/trainer.py).

Determinism: ``Sequential(..., seed=s)`` owns one ``numpy.random.Generator``
seeded with ``s``; it initializes every weight, draws every dropout mask and
shuffles every epoch, so the same seed gives the same run bit for bit.

Speed: at ``build`` every trainable weight (and its gradient) becomes a view
into one flat buffer, so a training step is a forward pass, one backward pass
writing gradients in place, and one optimizer update over the whole buffer.
"""

import math

import numpy as np

from deepkit.reference import losses, optimizers
from deepkit.reference import metrics as metrics_module
from deepkit.reference.callbacks import Callback, History, ProgbarLogger
from deepkit.reference.layers import LAYERS, InputLayer, Layer

FLOAT_DTYPES = ("float32", "float64")


class Sequential:
    """A linear stack of layers: ``Sequential([Input((11,)), Dense(6), ...], seed=0)``.

    ``dtype`` ("float32", Keras's default, or "float64") is the dtype of every
    weight and of the inputs, which are cast to it once per call.
    """

    def __init__(self, layers=None, name="sequential", seed=None, dtype="float32"):
        dtype = np.dtype(dtype).name
        if dtype not in FLOAT_DTYPES:
            raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        self.name, self.seed, self.dtype = name, seed, dtype
        self.rng = np.random.default_rng(seed)
        self._layers = []
        self._input_shape = None
        self.built = False
        self.optimizer = self.loss = None
        self.metrics = []
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # -- structure -------------------------------------------------------------

    @property
    def layers(self):
        return list(self._layers)

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        return self._layers[-1].output_shape if self.built else None

    def add(self, layer):
        if self.built:
            raise ValueError("cannot add a layer to a built model")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_shape is not None:
                raise ValueError("Input must be the first entry of a Sequential model")
            self._input_shape = (None,) + layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential takes deepkit.reference layers, got {layer!r}")
        if not self._layers and self._input_shape is None and layer.input_shape_arg:
            self._input_shape = (None,) + layer.input_shape_arg
        self._layers.append(layer)

    def build(self, input_shape=None):
        """Build every layer for ``input_shape`` (batch axis first) and pack the weights."""
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError(
                "the model has no input shape: start it with Input(shape), or "
                "call build(input_shape) or the model on data"
            )
        if not self._layers:
            raise ValueError("the model has no layers")
        shape = self._input_shape = (None,) + tuple(input_shape[1:])
        for layer in self._layers:
            if layer.dtype not in (None, self.dtype):
                raise ValueError(
                    f"layer {layer.name!r} has dtype {layer.dtype}, the model {self.dtype}"
                )
            layer.dtype, layer.rng = self.dtype, self.rng
            layer.input_shape = shape
            if not layer.built:
                layer.build(shape)
                layer.built = True
            shape = layer.output_shape = tuple(layer.compute_output_shape(shape))
        self._layers[0].propagate = False
        self._pack_weights()
        self.built = True

    def _pack_weights(self):
        trainable = [layer for layer in self._layers if layer.trainable]
        total = sum(w.size for layer in trainable for w in layer.weights)
        self._params = np.empty(total, dtype=self.dtype)
        self._grads = np.zeros(total, dtype=self.dtype)
        offset = 0
        for layer in trainable:
            weights, grads = [], []
            for w in layer.weights:
                end = offset + w.size
                weights.append(self._params[offset:end].reshape(w.shape))
                grads.append(self._grads[offset:end].reshape(w.shape))
                offset = end
            layer.bind(weights, grads)

    # -- weights ---------------------------------------------------------------

    @property
    def weights(self):
        return [w for layer in self._layers for w in layer.weights]

    @property
    def trainable_weights(self):
        """The weights the optimizer updates (those of layers with ``trainable``)."""
        return [w for layer in self._layers if layer.trainable for w in layer.weights]

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        weights = list(weights)
        expected = sum(len(layer.weights) for layer in self._layers)
        if len(weights) != expected:
            raise ValueError(
                f"model {self.name!r} expects {expected} weight arrays, got {len(weights)}"
            )
        start = 0
        for layer in self._layers:
            count = len(layer.weights)
            layer.set_weights(weights[start : start + count])
            start += count

    def count_params(self):
        return sum(layer.count_params() for layer in self._layers)

    # -- forward and backward --------------------------------------------------

    def _check_x(self, x, what="x"):
        x = np.asarray(x, dtype=self.dtype)
        if not self.built:
            if x.ndim < 2:
                raise ValueError(f"{what} must have a batch axis, got shape {x.shape}")
            self.build(self._input_shape or (None,) + x.shape[1:])
        expected = self._input_shape
        if x.ndim != len(expected) or any(
            e is not None and e != s for e, s in zip(expected[1:], x.shape[1:])
        ):
            raise ValueError(
                f"{what} has shape {x.shape}, the model expects {expected} (batch axis first)"
            )
        return x

    def __call__(self, x, training=False):
        """The outputs for ``x`` in one pass (no batching)."""
        out = self._check_x(x)
        for layer in self._layers:
            out = layer(out, training)
        return out

    def predict(self, x, batch_size=32, verbose=0):
        """The outputs for ``x``, computed ``batch_size`` samples at a time."""
        x = self._check_x(x)
        self._check_batch_size(batch_size)
        outputs = []
        for start in range(0, len(x), batch_size):
            out = x[start : start + batch_size]
            for layer in self._layers:
                out = layer(out, False)
            outputs.append(out)
        if verbose:
            steps = math.ceil(len(x) / batch_size)
            print(f"{steps}/{steps}")
        if not outputs:
            return np.empty((0,) + self.output_shape[1:], self.dtype)
        return np.concatenate(outputs)

    def _loss_path(self):
        """(loss function, from_logits): Keras computes a cross-entropy from the
        logits of a final sigmoid/softmax (its ``_keras_logits``); so does the twin."""
        last = self._layers[-1].activation.name
        if self.loss.uses_logits_of(last):
            return self.loss.with_logits(), True
        return self.loss, False

    def _forward_backward(self, x, y, loss_fn, from_logits, training=True):
        out = x
        for layer in self._layers:
            out = layer(out, training)
        last = self._layers[-1]
        loss, grad = loss_fn.value_and_grad(y, last.logits if from_logits else out)
        grad = last.backprop(grad, from_logits=from_logits)
        for layer in self._layers[-2::-1]:
            grad = layer.backprop(grad)
        return loss, out

    def compute_gradients(self, x, y, training=True):
        """(loss, gradients): the loss ``fit`` would see on this batch and the
        gradient of each trainable weight (aligned with ``trainable_weights``,
        like Keras's ``trainable_variables``); no update."""
        self._check_compiled()
        x = self._check_x(x)
        y = self._prepare_y(y, len(x))
        loss, _ = self._forward_backward(x, y, *self._loss_path(), training=training)
        return loss, [
            g.copy() for layer in self._layers if layer.trainable for g in layer.gradients
        ]

    def train_on_batch(self, x, y):
        """One optimizer step on one batch; returns the batch loss."""
        self._check_compiled()
        x = self._check_x(x)
        y = self._prepare_y(y, len(x))
        loss, _ = self._forward_backward(x, y, *self._loss_path())
        self._apply_gradients()
        return loss

    def _apply_gradients(self):
        if self._params.size:
            self.optimizer.apply([self._grads], [self._params])

    # -- training ----------------------------------------------------------------

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Set the optimizer (name or instance; Keras's default "rmsprop"), the loss
        and metrics (e.g. ["accuracy"])."""
        self.optimizer = optimizers.get(optimizer)
        if loss is None:
            raise ValueError("compile needs a loss, e.g. loss='binary_crossentropy'")
        self.loss = losses.get(loss)
        self.metrics = list(metrics or [])
        for name in self.metrics:
            if name not in ("accuracy", "acc") and name not in metrics_module.METRICS:
                raise ValueError(f"unknown metric {name!r}")

    @staticmethod
    def _check_finite(values, what):
        """``values``, after checking they hold no NaN or infinity."""
        if not np.isfinite(values).all():
            raise ValueError(
                f"{what} contains NaN or infinite values (first at row "
                f"{int(np.argwhere(~np.isfinite(values))[0][0])})"
            )
        return values

    def _check_compiled(self):
        if self.loss is None:
            raise ValueError("call compile(optimizer=..., loss=...) before training")

    def _prepare_y(self, y, n, what="y"):
        y = np.asarray(y)
        if len(y) != n:
            raise ValueError(f"{what} has {len(y)} samples, x has {n}")
        if y.dtype.kind not in "biuf":
            raise ValueError(f"{what} must be numeric, got dtype {y.dtype}")
        if y.dtype.kind == "f":
            self._check_finite(y, what)
        pred = np.broadcast_to(np.zeros((), self.dtype), (n,) + self.output_shape[1:])
        return self.loss.prepare(y, pred)[0]

    def _resolve_metrics(self, y_shape):
        return [metrics_module.get(name, y_shape, self.output_shape) for name in self.metrics]

    @staticmethod
    def _check_batch_size(batch_size):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")

    def fit(
        self,
        x,
        y,
        batch_size=32,
        epochs=1,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        initial_epoch=0,
    ):
        """Train with mini-batch gradient descent; returns a :class:`History`.

        Like Keras: ``validation_split`` holds out the *last* fraction of the
        samples (before shuffling); each epoch reshuffles the training samples
        when ``shuffle``; the logged loss and metrics are means over the epoch's
        samples; ``val_*`` entries are computed after each epoch.
        """
        self._check_compiled()
        self._check_batch_size(batch_size)
        if not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"epochs must be a non-negative int, got {epochs!r}")
        x = self._check_finite(self._check_x(x), "x")
        raw_y_shape = np.shape(y)
        y = self._prepare_y(y, len(x))
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
        if validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("validation_data must be a pair (x_val, y_val)")
            x_val = self._check_finite(
                self._check_x(validation_data[0], "validation x"), "validation x"
            )
            y_val = self._prepare_y(validation_data[1], len(x_val), "validation y")
        elif validation_split:
            split_at = int(math.floor(len(x) * (1.0 - validation_split)))
            if split_at in (0, len(x)):
                raise ValueError(
                    f"validation_split={validation_split} leaves "
                    f"{split_at} of {len(x)} samples for training"
                )
            x, x_val, y, y_val = x[:split_at], x[split_at:], y[:split_at], y[split_at:]
        else:
            x_val = None

        loss_fn, from_logits = self._loss_path()
        metric_fns = self._resolve_metrics(raw_y_shape)
        n = len(x)
        steps = math.ceil(n / batch_size)
        history = History()
        callbacks = list(callbacks or [])
        if verbose:
            callbacks.append(ProgbarLogger(verbose, epochs, steps))
        callbacks.append(history)
        for callback in callbacks:
            if not isinstance(callback, Callback):
                raise TypeError(f"callbacks must be Callback instances, got {callback!r}")
            callback.model = self
        batch_callbacks = [
            c for c in callbacks if type(c).on_train_batch_end is not Callback.on_train_batch_end
        ]

        self.stop_training = False
        for callback in callbacks:
            callback.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            for callback in callbacks:
                callback.on_epoch_begin(epoch)
            # Shuffled batches are gathered one at a time: no copy of the whole
            # training set per epoch.
            order = self.rng.permutation(n) if shuffle else None
            loss_sum = 0.0
            metric_sums = [0.0] * len(metric_fns)
            for step in range(steps):
                start = step * batch_size
                batch = (
                    slice(start, start + batch_size)
                    if order is None
                    else order[start : start + batch_size]
                )
                xb, yb = x[batch], y[batch]
                loss, out = self._forward_backward(xb, yb, loss_fn, from_logits)
                self._apply_gradients()
                loss_sum += loss * len(xb)
                for i, (_, fn) in enumerate(metric_fns):
                    metric_sums[i] += fn(yb, out)
                if batch_callbacks:
                    seen = min(start + batch_size, n)
                    logs = self._logs(loss_sum / seen, metric_fns, [s / seen for s in metric_sums])
                    for callback in batch_callbacks:
                        callback.on_train_batch_end(step, logs)
            logs = self._logs(loss_sum / n, metric_fns, [s / n for s in metric_sums])
            if x_val is not None:
                val = self._evaluate(x_val, y_val, batch_size, loss_fn, from_logits, metric_fns)
                logs.update({f"val_{k}": v for k, v in val.items()})
            for callback in callbacks:
                callback.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for callback in callbacks:
            callback.on_train_end()
        return history

    @staticmethod
    def _logs(loss, metric_fns, metric_values):
        logs = {"loss": float(loss)}
        logs.update({name: float(value) for (name, _), value in zip(metric_fns, metric_values)})
        return logs

    def _evaluate(self, x, y, batch_size, loss_fn, from_logits, metric_fns):
        loss_sum = 0.0
        metric_sums = [0.0] * len(metric_fns)
        for start in range(0, len(x), batch_size):
            out = x[start : start + batch_size]
            for layer in self._layers:
                out = layer(out, False)
            yb = y[start : start + batch_size]
            loss, _ = loss_fn.value_and_grad(yb, self._layers[-1].logits if from_logits else out)
            loss_sum += loss * len(yb)
            for i, (_, fn) in enumerate(metric_fns):
                metric_sums[i] += fn(yb, out)
        n = len(x)
        return self._logs(loss_sum / n, metric_fns, [s / n for s in metric_sums])

    def evaluate(self, x, y, batch_size=32, verbose=1, return_dict=False):
        """The loss (and metrics) on (x, y), as Keras: a float, or [loss, *metrics],
        or a dict with ``return_dict``."""
        self._check_compiled()
        self._check_batch_size(batch_size)
        x = self._check_x(x)
        raw_y_shape = np.shape(y)
        y = self._prepare_y(y, len(x))
        metric_fns = self._resolve_metrics(raw_y_shape)
        logs = self._evaluate(x, y, batch_size, *self._loss_path(), metric_fns)
        if verbose:
            steps = math.ceil(len(x) / batch_size)
            print(f"{steps}/{steps} - " + " - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # -- description and the Keras bridge ----------------------------------------

    def summary(self, print_fn=print):
        """A Keras-style table of layers, output shapes and parameter counts."""
        from deepkit.report import format_grid

        if not self.built:
            self.build()
        rows = [
            [
                f"{layer.name} ({type(layer).__name__})",
                str(layer.output_shape),
                f"{layer.count_params():,}",
            ]
            for layer in self._layers
        ]
        table = format_grid(
            ["Layer (type)", "Output Shape", "Param #"], rows, title=f'Model: "{self.name}"'
        )
        trainable = sum(l.count_params() for l in self._layers if l.trainable)
        total = self.count_params()
        print_fn(
            f"{table}\n Total params: {total:,}\n Trainable params: {trainable:,}\n"
            f" Non-trainable params: {total - trainable:,}"
        )

    def to_keras(self):
        """An equivalent Keras model: same layers, weights, dtype, and compile settings."""
        import keras

        if not self.built:
            self.build()
        model = keras.Sequential(
            [keras.Input(self._input_shape[1:], dtype=self.dtype)]
            + [layer.to_keras() for layer in self._layers],
            name=self.name,
        )
        for layer, keras_layer in zip(self._layers, model.layers):
            keras_layer.set_weights(layer.get_weights())
        if self.loss is not None:
            model.compile(
                optimizer=self.optimizer.to_keras(),
                loss=self.loss.to_keras(),
                metrics=list(self.metrics) or None,
            )
        return model


def from_keras(keras_model, seed=None):
    """The twin of a Keras ``Sequential`` model: same layers, weights and dtype, and
    (when compiled) the same optimizer hyperparameters (fresh state), loss and metrics."""
    import keras

    if not isinstance(keras_model, keras.Sequential):
        raise TypeError(
            f"from_keras takes a keras.Sequential model, got {type(keras_model).__name__}"
        )
    twins, dtypes = [], set()
    for keras_layer in keras_model.layers:
        cls = LAYERS.get(type(keras_layer).__name__)
        if cls is None:
            raise ValueError(
                f"no NumPy twin for Keras layer {keras_layer.name!r} "
                f"({type(keras_layer).__name__}); supported: {', '.join(sorted(LAYERS))}"
            )
        twins.append(cls.from_keras(keras_layer))
        dtypes.update(w.dtype for w in keras_layer.weights)
    if len(dtypes) > 1:
        raise ValueError(f"Keras model mixes weight dtypes {sorted(dtypes)}")
    dtype = dtypes.pop() if dtypes else "float32"
    model = Sequential(twins, name=keras_model.name, seed=seed, dtype=dtype)
    model.build(keras_model.input_shape)
    for twin, keras_layer in zip(twins, keras_model.layers):
        twin.set_weights(keras_layer.get_weights())
    if getattr(keras_model, "optimizer", None) is not None and getattr(keras_model, "loss", None):
        metrics = keras_model.get_compile_config().get("metrics") or []
        model.compile(
            optimizer=optimizers.from_keras(keras_model.optimizer),
            loss=losses.from_keras(keras_model.loss),
            metrics=metrics,
        )
    return model
