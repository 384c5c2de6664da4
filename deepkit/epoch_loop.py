"""An epoch as one graph call: deepkit's fast path for small models on data in memory.

For a net as small as the churn classifier (11-6-6-1, batches of 10), Keras's
``fit`` spends most of each step outside the arithmetic: it pulls every batch
from a ``tf.data`` iterator and, with ``steps_per_execution``, wraps each step in
an optional value, a ``tf.cond`` and a nested function call. Here Keras's
``fit`` sees one step per epoch: its dataset holds all of ``(x, y)`` once, and
``model.train_function`` is an ``EpochLoop``, which shuffles the rows by (seed,
epoch) alone (``index_shuffle``, as ``deepkit.distribute``) and runs Keras's own
``model.train_step`` on each batch in one ``tf.while_loop``.

Everything else is Keras's ``fit``: callbacks, validation, early stopping,
history. The loop stops at the first batch whose loss is not finite and keeps
its position in ``train_function.batches_run``, which
``deepkit.divergence.RaiseOnNaN`` names.

Exactness: without XLA it is the same ``train_step`` on the same batches, so the
weights and logs equal, bit for bit, those of Keras with ``compile()`` defaults
fed ``batches(...)`` (tested). ``jit_compile=True`` compiles the loop with XLA,
which removes TensorFlow's per-operation dispatch (the most of a step's time
here) but fuses operations and evaluates exp and log its own way, so results
differ in the last bits of float32, a difference that grows over the steps the
way any rounding does in training (measured by ``deepkit bench churn``).

    order = deepkit.distribute.epoch_order(seed)
    model.train_function = EpochLoop(model, batch_size=10, order=order)
    model.fit(epochs_dataset(x, y), epochs=50, callbacks=[order])
"""

from deepkit.validation import InputError, check_int, check_seed


def _epoch_rows(n, seed, epoch):
    """Row indices of one epoch: ``deepkit.distribute.epoch_rows`` of 0..n-1, the
    permutation keyed by (seed, epoch)."""
    import tensorflow as tf

    from deepkit.distribute import epoch_rows

    return epoch_rows(tf.range(n, dtype=tf.int64), seed, epoch, n)


def _check(x, y):
    if len(x) != len(y):
        raise InputError(f"x has {len(x)} rows but y has {len(y)}")
    if len(x) == 0:
        raise InputError("no training rows")


def epochs_dataset(x, y):
    """The dataset ``fit`` takes with an ``EpochLoop``: one element, all of ``(x, y)``."""
    import tensorflow as tf

    _check(x, y)
    return tf.data.Dataset.from_tensors((tf.constant(x), tf.constant(y)))


def batches(x, y, batch_size, seed, epochs):
    """The batches an ``EpochLoop`` trains on over ``epochs`` epochs, one element each:
    what Keras's ``fit`` with ``compile()`` defaults takes (with ``steps_per_epoch =
    ceil(n / batch_size)``) to train on exactly the same batches.

    Args:
        x: the training inputs.
        y: the training targets, as many rows as ``x``.
        batch_size: an int >= 1.
        seed: the order's seed, an int in [0, 2**32 - 1].
        epochs: how many epochs of batches, an int >= 1.

    Returns:
        A ``tf.data.Dataset`` of ``(x, y)`` batches.

    Raises:
        InputError: for a bad argument, or no rows, or x and y of different lengths.
    """
    import tensorflow as tf

    check_int(batch_size, "batch_size", min_value=1)
    seed = check_seed(seed)
    epochs = check_int(epochs, "epochs", min_value=1)
    _check(x, y)
    x, y = tf.constant(x), tf.constant(y)

    def epoch(e):
        rows = _epoch_rows(len(x), seed, e)
        pairs = tf.data.Dataset.from_tensor_slices((tf.gather(x, rows), tf.gather(y, rows)))
        return pairs.batch(batch_size)

    return tf.data.Dataset.range(epochs).flat_map(epoch)


class EpochLoop:
    """``model.train_function`` for ``epochs_dataset``: one graph call trains one epoch
    with ``model.train_step``, batch after batch, and returns the step's logs. The
    epoch's order is read from ``order`` (``deepkit.distribute.epoch_order``) when the
    epoch runs, so it is a function of (seed, epoch) alone. ``jit_compile=True``
    compiles the epoch's loop with XLA (faster; see the module docstring for what it
    changes)."""

    def __init__(self, model, batch_size, order, jit_compile=False):
        import tensorflow as tf

        self.batch_size = check_int(batch_size, "batch_size", min_value=1)
        self.order = order
        self.batches_run = 0
        self._model = model
        self._step = model.train_step
        self._shuffled = tf.function(self._shuffle)
        self._loop = tf.function(self._train, jit_compile=jit_compile)

    def _shuffle(self, x, y):
        """(x, y) in the epoch's order, cut into full batches ``[steps, batch, ...]`` and the
        rows left over."""
        import tensorflow as tf

        n, b = x.shape[0], self.batch_size
        rows = _epoch_rows(n, self.order.seed, self.order.epoch)
        x, y = tf.gather(x, rows), tf.gather(y, rows)
        full = n // b * b
        return (
            tf.reshape(x[:full], [n // b, b, *x.shape[1:]]),
            tf.reshape(y[:full], [n // b, b, *y.shape[1:]]),
            x[full:],
            y[full:],
        )

    def _train(self, x_full, y_full, x_rest, y_rest):
        """Train on every full batch, then on the rest; stop at a loss that is not finite."""
        import tensorflow as tf

        steps = x_full.shape[0]
        logs = self._model.get_metrics_result()  # reset by fit: no step yet
        done = tf.constant(0)

        def going(i, logs):
            return tf.logical_and(i < steps, tf.math.is_finite(logs["loss"]))

        def step(i, logs):
            return i + 1, self._step((x_full[i], y_full[i]))

        if steps:
            done, logs = tf.while_loop(going, step, (done, logs))
        if x_rest.shape[0]:
            done, logs = tf.cond(
                tf.math.is_finite(logs["loss"]),
                lambda: (done + 1, self._step((x_rest, y_rest))),
                lambda: (done, logs),
            )
        return done, logs

    def __call__(self, iterator):
        x, y = next(iterator)
        if not self._model.optimizer.built:
            # Keras's own build from one batch's shapes (what its fit does under a
            # distribution strategy): the optimizer's and metrics' variables exist
            # before the loop is traced, so the step is traced once, in the loop.
            self._model._symbolic_build(data_batch=(x[:1], y[:1]))
        done, logs = self._loop(*self._shuffled(x, y))
        self.batches_run = int(done)
        return logs
