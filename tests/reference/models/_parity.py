"""Checks of a NumPy reference model against its Keras original: data for a compiled
Keras model, Keras's loss and gradients as ``fit`` sees them, and closeness on the
scale of each array."""

import numpy as np
import tensorflow as tf


def batch(model, dtype, n=8, seed=0, integers=None, steps=None):
    """(x, y) for a compiled ``model`` (lists for several inputs or outputs): normal
    inputs, or distinct integers below ``integers[name]`` for the inputs so named; targets
    that suit each output's loss; ``steps`` for inputs of unknown length."""
    rng = np.random.default_rng(seed)
    xs = []
    for x in model.inputs:
        shape = (n,) + tuple(steps if d is None else d for d in x.shape[1:])
        bound = (integers or {}).get(x._keras_history.operation.name)
        # Distinct indices: Keras updates embeddings from sparse gradients, which for a
        # repeated index differ from the dense sum (that is the optimizers' concern).
        indices = None if bound is None else rng.permutation(bound)[: np.prod(shape)]
        xs.append(rng.normal(size=shape) if bound is None else indices.reshape(shape))
    xs = [x.astype(dtype) for x in xs]
    ys, loss = [], model.loss
    names = list(loss.values()) if isinstance(loss, dict) else loss
    names = names if isinstance(names, (list, tuple)) else [names] * len(model.outputs)
    for y, loss in zip(model.outputs, [getattr(name, "name", name) for name in names]):
        if loss == "sparse_categorical_crossentropy":
            ys.append(rng.integers(0, y.shape[-1], n))
        elif loss == "categorical_crossentropy":
            ys.append(np.eye(y.shape[-1], dtype=dtype)[rng.integers(0, y.shape[-1], n)])
        elif loss == "binary_crossentropy":
            ys.append((rng.random((n,) + tuple(y.shape[1:])) > 0.5).astype(dtype))
        else:
            ys.append(rng.normal(size=(n,) + tuple(y.shape[1:])).astype(dtype))
    single = not isinstance(model._inputs_struct, list), not isinstance(model._outputs_struct, list)
    return xs[0] if single[0] else xs, ys[0] if single[1] else ys


def keras_gradients(model, traced=True):
    """The loss and gradients as Keras's ``fit`` sees them, inside a tf.function, where a
    final sigmoid or softmax hands its logits to a cross-entropy (``traced=False`` runs
    eagerly, sparing the tracing time, for models whose losses take logits anyway)."""

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=False))
        return loss, tape.gradient(loss, model.trainable_variables)

    step = tf.function(step) if traced else step

    def run(x, y):
        loss, grads = step(
            tf.nest.map_structure(tf.constant, x), tf.nest.map_structure(tf.constant, y)
        )
        return float(loss), grads

    return run


def assert_close(ours, theirs, rtol):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        b = np.asarray(b)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(np.abs(b).max(), 1e-12))


def listed(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]
