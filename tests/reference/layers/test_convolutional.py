"""Conv2D against Keras's and TensorFlow's (float64 at rtol 1e-7, float32 at
1e-5), every padding, odd and even kernels and strides, and random geometries; the
hand-written backward pass also against central finite differences. Weights are
copied, never re-drawn from a shared seed."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deepkit import reference as ref
from deepkit.reference.layers import Conv2D
from deepkit.reference.layers.convolutional import conv_padding

from ._parity import (
    backward_matches_finite_differences,
    keras_forward_and_grads,
    standalone_layer,
)

# (input hw, kernel, strides, padding): odd and even kernels and strides, both paddings,
# including "same" cases where TensorFlow pads one more pixel after than before.
CONV_CASES = [
    ((7, 8), (3, 3), (1, 1), "valid"),
    ((7, 8), (3, 3), (1, 1), "same"),
    ((7, 8), (2, 4), (2, 3), "same"),
    ((6, 6), (4, 2), (2, 2), "same"),
    ((9, 5), (3, 2), (3, 1), "valid"),
    ((5, 5), (1, 1), (2, 2), "same"),
]


@pytest.mark.parametrize("size, kernel, strides, padding", CONV_CASES)
def test_conv_padding_matches_tensorflow_output_size(size, kernel, strides, padding):
    x = tf.zeros((1, *size, 1))
    y = tf.nn.conv2d(
        x, tf.zeros((*kernel, 1, 1)), strides=[1, *strides, 1], padding=padding.upper()
    )
    ours = [conv_padding(n, k, s, padding)[0] for n, k, s in zip(size, kernel, strides)]
    assert ours == list(y.shape[1:3])


@pytest.mark.parametrize("size, kernel, strides, padding", CONV_CASES)
def test_conv2d_forward_and_gradients_float64(float64, size, kernel, strides, padding):
    rng = np.random.default_rng(1)
    keras_layer = keras.layers.Conv2D(
        4,
        kernel,
        strides=strides,
        padding=padding,
        activation="tanh",
        bias_initializer="random_normal",
    )
    x = rng.normal(size=(3, *size, 2))
    keras_layer.build(x.shape)
    layer = standalone_layer(
        Conv2D(4, kernel, strides=strides, padding=padding, activation="tanh"),
        keras_layer,
        x.shape[1:],
    )
    y = layer(x)
    dy = rng.normal(size=y.shape)
    keras_y, (keras_dx, keras_dkernel, keras_dbias) = keras_forward_and_grads(keras_layer, x, dy)
    dx = layer.backprop(dy)
    np.testing.assert_allclose(y, keras_y, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(dx, keras_dx, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], keras_dkernel, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], keras_dbias, rtol=1e-7, atol=1e-12)


@given(
    height=st.integers(1, 8),
    width=st.integers(1, 8),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.sampled_from(["valid", "same"]),
    channels=st.integers(1, 3),
    filters=st.integers(1, 3),
)
@settings(max_examples=30, deadline=None)
def test_conv2d_matches_tensorflow_on_random_geometries(
    height, width, kernel, strides, padding, channels, filters
):
    if padding == "valid":
        assume(kernel[0] <= height and kernel[1] <= width)
    rng = np.random.default_rng(height * 100 + width)
    x, k = (
        rng.normal(size=(2, height, width, channels)),
        rng.normal(size=(*kernel, channels, filters)),
    )
    layer = Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)
    layer.dtype = "float64"
    layer.build((None,) + x.shape[1:])
    layer.set_weights([k])
    y = layer(x)
    dy = rng.normal(size=y.shape)
    x_t, k_t = tf.constant(x), tf.constant(k)
    with tf.GradientTape() as tape:
        tape.watch([x_t, k_t])
        y_t = tf.nn.conv2d(x_t, k_t, strides=[1, *strides, 1], padding=padding.upper())
        objective = tf.reduce_sum(y_t * dy)
    dx_t, dk_t = tape.gradient(objective, [x_t, k_t])
    np.testing.assert_allclose(y, y_t.numpy(), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(layer.backprop(dy), dx_t.numpy(), rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(layer.grads["kernel"], dk_t.numpy(), rtol=1e-7, atol=1e-12)


def test_conv2d_backward_pass_matches_finite_differences():
    backward_matches_finite_differences(
        Conv2D(2, (2, 3), strides=(2, 1), padding="same", activation="sigmoid")
    )


def test_conv2d_unsupported_arguments_and_bad_shapes_are_named():
    with pytest.raises(ValueError, match="dilation_rate"):
        Conv2D(2, 3, dilation_rate=2)
    with pytest.raises(ValueError, match="padding"):
        Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="4-D"):
        ref.Sequential([ref.Input((28, 28)), Conv2D(2, 3)]).build()
    layer = Conv2D(2, 3)
    layer.build((None, 5, 5, 3))
    with pytest.raises(ValueError, match="3 input channels"):
        layer(np.zeros((1, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match="larger than its input"):
        ref.Sequential([ref.Input((2, 2, 1)), Conv2D(2, 3)]).build()
