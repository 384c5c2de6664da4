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
        reference = ref.from_keras(model)
        for _ in range(steps):
            keras_loss = float(model.train_on_batch(x, y))
            reference_loss = reference.train_on_batch(x, y)
            np.testing.assert_allclose(reference_loss, keras_loss, rtol=rtol)
    for ours, theirs in zip(reference.get_weights(), model.get_weights(), strict=True):
        # A bias feeding a normalization has a zero gradient up to rounding: it is
        # judged on the scale of the weights (order one), not on its own.
        assert_close(ours, theirs, rtol, floor=1.0)
    with keras_float_dtype(dtype):  # Keras's predict casts its inputs to the floatx
        assert_close(reference.predict(x), model.predict(x, verbose=0), rtol)
    return model, reference


def standalone_layer(layer, keras_layer, input_shape, dtype="float64"):
    """Build a standalone reference layer with ``keras_layer``'s weights; it propagates to its inputs."""
    layer.dtype = dtype
    layer.build((None,) + input_shape)
    layer.set_weights(keras_layer.get_weights())
    return layer


def keras_forward_and_grads(keras_layer, x, dy):
    """Keras outputs and the gradients of sum(outputs * dy) w.r.t. the inputs and every weight."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = keras_layer(x)
        objective = tf.reduce_sum(y * dy)
    grads = tape.gradient(objective, [x] + keras_layer.trainable_weights)
    return y.numpy(), [g.numpy() for g in grads]


def numerical_gradient(f, array, eps=1e-6):
    """Central differences of the scalar f() w.r.t. every entry of ``array`` (changed in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = f()
        array[index] = saved - eps
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def backward_matches_finite_differences(layer, input_shape=(2, 5, 4, 2)):
    """The hand-written backward pass of ``layer`` (float64) against central differences:
    dLoss/d(inputs) and every weight's gradient, for Loss = sum(outputs * dy)."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=input_shape)
    layer.dtype, layer.rng = "float64", rng
    layer.build((None,) + x.shape[1:])
    dy = rng.normal(size=layer(x).shape)

    def objective():
        return float(np.sum(layer(x) * dy))

    objective()
    dx = layer.backprop(dy)
    weight_grads = {name: layer.grads[name].copy() for name in layer.weight_names}
    np.testing.assert_allclose(dx, numerical_gradient(objective, x), rtol=1e-6, atol=1e-8)
    for name, grad in weight_grads.items():
        np.testing.assert_allclose(
            grad, numerical_gradient(objective, getattr(layer, name)), rtol=1e-6, atol=1e-8
        )
