"""Training on several devices or machines with TensorFlow's own ``tf.distribute``.

deepkit adds no engine of its own: a strategy is one of TensorFlow's, the model
is built and compiled inside ``strategy.scope()``, and Keras's ``fit`` runs the
replicas and averages their gradients::

    strategy = get_strategy("mirrored")          # the devices of this machine
    with strategy.scope():
        model = deepkit.models.mnist_mlp()
    model.fit(epoch_dataset(strategy, x, y, global_batch=256, seed=0, order=order),
              epochs=5, callbacks=[order])

Batch semantics: ``global_batch`` is the batch one optimizer step sees; each of
the ``strategy.num_replicas_in_sync`` replicas computes ``global_batch /
replicas`` samples of it, and the summed gradient equals (up to float rounding)
the gradient of the whole global batch on one device. So the learning rate that
suits a batch size on one device suits the same *global* batch on several; scale
both together if you scale the batch with the replicas. Every global batch is
full (the last partial one of each epoch is dropped) so that replicas see equal
shares.

Strategies by name: "default" (one device, no distribution), "mirrored"
(``MirroredStrategy``: every GPU of this machine, or without GPUs every
logical CPU device, see ``split_cpu``; one per process), "multiworker"
(``MultiWorkerMirroredStrategy``: processes or machines described by the
``TF_CONFIG`` environment variable; see the README's "Running on several
machines").
"""

import functools
import math

from deepkit.validation import InputError, check_int, check_seed

STRATEGIES = ("default", "mirrored", "multiworker")


def get_strategy(strategy="default"):
    """A ``tf.distribute.Strategy`` from a name in ``STRATEGIES``, or itself."""
    import tensorflow as tf

    if isinstance(strategy, tf.distribute.Strategy):
        return strategy
    if strategy == "default":
        return tf.distribute.get_strategy()
    if strategy == "mirrored":
        # Every GPU; without GPUs, every logical CPU device (see split_cpu).
        devices = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
        return _mirrored(tuple(device.name for device in devices))
    if strategy == "multiworker":
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise InputError(
        f"strategy must be one of {', '.join(STRATEGIES)} or a tf.distribute.Strategy, "
        f"got {strategy!r}"
    )


@functools.cache
def _mirrored(devices):
    """The process's one ``MirroredStrategy`` over ``devices``.

    A second one would number its all-reduces from the same start as the first, and
    TensorFlow matches an all-reduce to the first one's by that number: a second model of
    other shapes then fails at its first step ("Shape mismatch in the collective
    instance", tensorflow/tensorflow#62790).
    """
    import tensorflow as tf

    return tf.distribute.MirroredStrategy(list(devices))


def split_cpu(replicas):
    """Make the CPU appear as ``replicas`` logical devices (for ``MirroredStrategy`` on a
    machine without GPUs); must run before TensorFlow first uses a device. Returns
    the device names."""
    import tensorflow as tf

    check_int(replicas, "replicas", min_value=1)
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * replicas
        )
    except RuntimeError as error:
        raise InputError(
            "the CPU can only be split into logical devices before TensorFlow starts "
            f"using it ({error})"
        ) from None
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def epoch_rows(positions, seed, epoch, n):
    """The rows that positions ``positions`` of epoch ``epoch`` read, out of ``n`` rows.

    Epoch e's order is the permutation ``index_shuffle(i, key=(seed, e), max_index=n - 1)``
    of 0..n-1: stateless, so an epoch is reproduced from (seed, e) alone, and each
    epoch has its own order. ``deepkit.epoch_loop`` and ``epoch_dataset`` both
    order their rows with it.

    Args:
        positions: int64 positions in the epoch (a tensor; any subset of 0..n-1).
        seed: the run's seed (an int or an int64 tensor).
        epoch: the epoch's number from 0 (an int or an int64 tensor or variable).
        n: the number of rows.

    Returns:
        An int64 tensor of the rows at ``positions``.
    """
    import tensorflow as tf

    key = tf.stack([tf.cast(seed, tf.int64), tf.cast(epoch, tf.int64)])
    return tf.random.experimental.index_shuffle(positions, key, n - 1)


def epoch_order(seed):
    """A Keras callback holding the epoch number that ``epoch_dataset`` reads, so the
    order of epoch ``e`` is a function of (seed, e) alone: a run resumed at epoch
    ``e`` sees exactly the batches an uninterrupted run sees.

    Raises:
        InputError: for a seed that is not an int in [0, 2**32 - 1].
    """
    seed = check_seed(seed)
    import keras
    import tensorflow as tf

    class EpochOrder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seed = seed
            self.epoch = tf.Variable(0, dtype=tf.int64, trainable=False)

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch.assign(epoch)

    return EpochOrder()


def epoch_dataset(strategy, x, y, global_batch, order=None):
    """(x, y) as a distributed dataset of global batches, each replica fed its share;
    shuffled per epoch by ``order`` (from ``epoch_order``), or in order.

    On one replica the last, smaller batch of an epoch is kept, as Keras keeps it; across
    several, every global batch is full (the rows left over are dropped) so that the
    replicas see equal shares.

    Epoch e's permutation is ``epoch_rows``, ``index_shuffle(i, key=(seed, e))``:
    stateless, so it needs no saved random state to be reproduced after a restart."""
    import tensorflow as tf

    check_int(global_batch, "global_batch", min_value=1)
    replicas = strategy.num_replicas_in_sync
    if global_batch % replicas:
        raise InputError(
            f"the global batch ({global_batch}) must split evenly over the {replicas} replicas"
        )
    n = len(x)
    keep_rest = replicas == 1
    steps = -(-n // global_batch) if keep_rest else n // global_batch
    if steps == 0:
        raise InputError(f"{n} samples do not fill one global batch of {global_batch}")
    x, y = tf.constant(x), tf.constant(y)

    def dataset_fn(context):
        per_replica = context.get_per_replica_batch_size(global_batch)
        share = global_batch // context.num_input_pipelines
        start = context.input_pipeline_id * share

        def batch_indices(step):
            end = tf.minimum((step + 1) * global_batch, n)
            positions = tf.range(step * global_batch, end, dtype=tf.int64)
            if order is not None:
                positions = epoch_rows(positions, order.seed, order.epoch, n)
            return positions[start : start + share]

        indices = tf.data.Dataset.range(steps).map(batch_indices)
        pairs = indices.map(lambda idx: (tf.gather(x, idx), tf.gather(y, idx)))
        batches = pairs.unbatch().batch(per_replica)
        if share == per_replica:
            # A known length: Keras counts every epoch's steps in advance. (With
            # several replicas per pipeline TensorFlow would report the pipeline's
            # per-replica batches as steps; the length is then learnt in epoch 1.)
            batches = batches.apply(tf.data.experimental.assert_cardinality(steps))
        # Nothing here for tf.data's autotuning to tune, and its model thread can sleep
        # through its iterator's cancellation, for up to 60 s, when the iterator is freed
        # (it reads IsCancelled() before TensorFlow marks the cancellation done).
        options = tf.data.Options()
        options.autotune.enabled = False
        return batches.with_options(options)

    return strategy.distribute_datasets_from_function(dataset_fn)


def is_multiworker(strategy):
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def fit_multiworker(model, dataset, steps, epochs, order=None, verbose=0):
    """Keras's train step run by ``strategy.run`` for ``MultiWorkerMirroredStrategy``,
    whose ``Model.fit`` fails in Keras 3 (fit's symbolic build reduces a
    per-replica batch). TensorFlow still does the distributed
    work: the optimizer, called in replica context, all-reduces the gradients
    (each replica's loss is scaled by 1 / replicas, as inside ``fit``). Returns a
    history dict of the mean loss per epoch; an epoch whose mean loss is not finite
    stops training with deepkit's "training diverged" error."""
    import tensorflow as tf

    from deepkit.divergence import learning_rate
    from deepkit.reference.trainer import diverged

    strategy = model.distribute_strategy

    @tf.function
    def train_step(iterator):
        def step(x, y):
            with tf.GradientTape() as tape:
                loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            model.optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        return strategy.reduce("SUM", strategy.run(step, args=next(iterator)), axis=None)

    history = {"loss": []}
    for epoch in range(epochs):
        if order is not None:
            order.epoch.assign(epoch)
        iterator = iter(dataset)
        total = sum(float(train_step(iterator)) for _ in range(steps))
        history["loss"].append(total / steps)
        if not math.isfinite(history["loss"][-1]):
            raise diverged(epoch + 1, None, history["loss"][-1], learning_rate(model))
        if verbose:
            print(f"Epoch {epoch + 1}/{epochs} - loss: {history['loss'][-1]:.4f}")
    return history
