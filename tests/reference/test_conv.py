"""Parity of the convolutional twins (Conv2D, MaxPooling2D, Flatten) with Keras.

Weights are copied, never re-drawn from a shared seed. Tight checks run in
float64 (rtol 1e-7), practical ones in float32 (rtol 1e-5); the hand-written
backward passes are also checked by central finite differences.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deepkit import reference as ref
from deepkit.reference.layers import Conv2D, Flatten, MaxPooling2D
from deepkit.reference.layers.convolutional import conv_padding

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


POOL_CASES = [
    ((8, 8), (2, 2), None, "valid"),
    ((7, 9), (2, 2), None, "same"),
    ((7, 7), (3, 3), (2, 2), "valid"),
    ((6, 7), (3, 2), (2, 1), "same"),
    ((5, 8), (2, 3), (1, 2), "valid"),
]


def twin_layer(layer, keras_layer, input_shape, dtype="float64"):
    """Build a standalone twin layer with ``keras_layer``'s weights; it propagates to its inputs."""
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
    layer = twin_layer(
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


@pytest.mark.parametrize("size, pool, strides, padding", POOL_CASES)
def test_max_pooling2d_forward_and_gradient_float64(float64, size, pool, strides, padding):
    rng = np.random.default_rng(2)
    keras_layer = keras.layers.MaxPooling2D(pool, strides=strides, padding=padding)
    x = rng.normal(size=(2, *size, 3))
    layer = MaxPooling2D(pool, strides=strides, padding=padding)
    layer.build((None,) + x.shape[1:])
    y = layer(x)
    dy = rng.normal(size=y.shape)
    keras_y, (keras_dx,) = keras_forward_and_grads(keras_layer, x, dy)
    assert y.shape == layer.compute_output_shape(x.shape) == keras_y.shape
    np.testing.assert_allclose(y, keras_y, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(layer.backprop(dy), keras_dx, rtol=1e-7, atol=1e-12)


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


@pytest.mark.parametrize(
    "pool, strides, padding",
    [((2, 2), None, "valid"), ((3, 3), (2, 2), "same"), ((2, 2), (1, 1), "valid")],
)
def test_max_pooling2d_ties_route_the_gradient_like_tensorflow(pool, strides, padding):
    rng = np.random.default_rng(8)
    x = rng.integers(0, 3, size=(2, 7, 7, 3)).astype("float64")  # many equal maxima
    layer = MaxPooling2D(pool, strides=strides, padding=padding)
    layer.dtype = "float64"
    y = layer(x)
    dy = rng.normal(size=y.shape)
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        objective = tf.reduce_sum(
            tf.nn.max_pool2d(x_t, pool, strides or pool, padding.upper()) * dy
        )
    np.testing.assert_allclose(
        layer.backprop(dy), tape.gradient(objective, x_t).numpy(), rtol=1e-12, atol=1e-12
    )


def test_flatten_matches_keras_order_and_backward(float64):
    x = np.arange(2 * 3 * 4 * 5, dtype="float64").reshape(2, 3, 4, 5)
    layer = Flatten()
    y = layer(x)
    np.testing.assert_array_equal(y, keras.layers.Flatten()(x).numpy())
    np.testing.assert_array_equal(layer.backprop(y * 2), x * 2)


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


@pytest.mark.parametrize(
    "layer",
    [
        Conv2D(2, (2, 3), strides=(2, 1), padding="same", activation="sigmoid"),
        MaxPooling2D((2, 2), strides=(1, 2), padding="same"),
    ],
)
def test_backward_passes_match_finite_differences(layer):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 5, 4, 2))
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


def test_unsupported_arguments_and_bad_shapes_are_named():
    with pytest.raises(ValueError, match="dilation_rate"):
        Conv2D(2, 3, dilation_rate=2)
    with pytest.raises(ValueError, match="channels_last"):
        MaxPooling2D(data_format="channels_first")
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
