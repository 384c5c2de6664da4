"""The NumPy reference's Dropout layer against Keras's: statistics, inference, an injected mask, noise_shape."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref


def test_dropout_statistics_and_inference():
    layer = ref.Dropout(0.3)
    layer.rng = np.random.default_rng(0)
    x = np.ones((200, 500), dtype="float32")
    y = layer(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.005)
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert y.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the mean
    np.testing.assert_array_equal(layer(x, training=False), x)
    np.testing.assert_array_equal(layer.backprop(np.ones_like(x)), np.ones_like(x))


def _keras_dropout_forward_backward(keras_layer, x, upstream):
    """Keras's training-mode output and dLoss/dx for Loss = sum(output * upstream)."""
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yt = keras_layer(xt, training=True)
        objective = tf.reduce_sum(yt * upstream)
    return yt.numpy(), tape.gradient(objective, xt).numpy()


def test_dropout_with_keras_mask_matches_keras():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.5, size=(8, 6)).astype("float32")
    upstream = rng.normal(size=(8, 6)).astype("float32")
    keras_y, keras_grad = _keras_dropout_forward_backward(
        keras.layers.Dropout(0.4, seed=3), x, upstream
    )
    layer = ref.Dropout(0.4)
    layer.fixed_mask = keras_y != 0  # recover Keras's mask, inject it
    y = layer(x, training=True)
    np.testing.assert_allclose(y, keras_y, rtol=1e-6)
    np.testing.assert_allclose(layer.backprop(upstream), keras_grad, rtol=1e-6)
    with pytest.raises(ValueError, match="rate"):
        ref.Dropout(1.5)


def test_dropout_noise_shape_matches_keras():
    """noise_shape (None, 1, 6): one mask per sample and feature, shared along axis 1."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0.5, 1.5, size=(8, 5, 6)).astype("float32")
    upstream = rng.normal(size=x.shape).astype("float32")
    keras_layer = keras.layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=4)
    keras_y, keras_grad = _keras_dropout_forward_backward(keras_layer, x, upstream)
    keras_kept = keras_y != 0
    assert (keras_kept == keras_kept[:, :1]).all() and 0 < keras_kept.mean() < 1
    reference = ref.from_keras(keras.Sequential([keras.Input((5, 6)), keras_layer])).layers[0]
    assert reference.noise_shape == (None, 1, 6)
    reference.fixed_mask = keras_kept[:, :1]
    np.testing.assert_allclose(reference(x, training=True), keras_y, rtol=1e-6)
    np.testing.assert_allclose(reference.backprop(upstream), keras_grad, rtol=1e-6)
    reference.fixed_mask, reference.rng = None, np.random.default_rng(0)  # its own draw: same shape
    kept = reference(np.ones((400, 5, 6), "float32"), training=True) != 0
    assert reference.mask.shape == (400, 1, 6) and (kept == kept[:, :1]).all()
    assert kept.mean() == pytest.approx(0.5, abs=0.02)
