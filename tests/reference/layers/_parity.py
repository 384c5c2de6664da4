"""Checks of one NumPy reference layer against its Keras namesake: forward outputs,
dLoss/d(inputs) and every trainable weight's gradient (tf.GradientTape, with the
loss sum(outputs * upstream)), and one SGD step of a small model through
``from_keras``."""

import keras
import numpy as np
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import LAYERS


def assert_close(ours, theirs, rtol, floor=1e-12):
    """allclose with atol = rtol * max(|theirs|, floor): elements near zero are judged
    on the array's scale (or on ``floor``, for arrays that are all near zero)."""
    theirs = np.asarray(theirs)
    scale = max(float(np.abs(theirs).max()) if theirs.size else 0.0, floor)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * scale)


def layer_matches_keras(make_keras_layer, x, training=False, rtol=1e-7, seed=0):
    """Forward, input gradient and weight gradients of one layer, in x's dtype.

    Returns:
        (keras_layer, layer) after the pass, for further checks.
    """
    dtype = x.dtype.name
    with keras_float_dtype(dtype):
        keras.utils.set_random_seed(seed)
        keras_layer = make_keras_layer()
        keras_layer.build(x.shape)
        layer = LAYERS[type(keras_layer).__name__].from_keras(keras_layer)
        layer.dtype = dtype
        layer.build((None,) + x.shape[1:])
        layer.set_weights(keras_layer.get_weights())
        inputs = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            keras_out = keras_layer(inputs, training=training)
            upstream = tf.constant(
                np.random.default_rng(seed + 100).normal(size=keras_out.shape).astype(dtype)
            )
            loss = tf.reduce_sum(keras_out * upstream)
        keras_grads = tape.gradient(loss, [inputs] + list(keras_layer.trainable_weights))
    out = layer(x, training=training)
    assert out.dtype == x.dtype
    assert_close(out, keras_out.numpy(), rtol)
    assert tuple(layer.compute_output_shape((None,) + x.shape[1:]))[1:] == out.shape[1:]
    dx = layer.backprop(upstream.numpy())
    assert_close(dx, keras_grads[0].numpy(), rtol)
    assert len(layer.trainable_gradients) == len(keras_grads) - 1
    for ours, theirs in zip(layer.trainable_gradients, keras_grads[1:]):
        assert_close(ours, theirs.numpy(), rtol)
    return keras_layer, layer


def model_step_matches_keras(make_layers, x, y, rtol=1e-7, steps=1, loss="mse"):
    """``steps`` SGD steps (train_on_batch) of Keras's model and of its counterpart
    from ``from_keras``: the losses and all weights (non-trainable ones too) agree."""
    dtype = x.dtype.name
    with keras_float_dtype(dtype):
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input(x.shape[1:]), *make_layers()])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
        twin = ref.from_keras(model)
        for _ in range(steps):
            keras_loss = float(model.train_on_batch(x, y))
            twin_loss = twin.train_on_batch(x, y)
            np.testing.assert_allclose(twin_loss, keras_loss, rtol=rtol)
    for ours, theirs in zip(twin.get_weights(), model.get_weights(), strict=True):
        # A bias feeding a normalization has a zero gradient up to rounding: it is
        # judged on the scale of the weights (order one), not on its own.
        assert_close(ours, theirs, rtol, floor=1.0)
    assert_close(twin.predict(x), model.predict(x, verbose=0), rtol)
    return model, twin
