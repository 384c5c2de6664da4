"""Conv2DTranspose and Conv1DTranspose against Keras's (float64 at rtol 1e-10, float32
at 1e-5): both paddings, strides above, below and equal to the kernel, output_padding,
random geometries against TensorFlow's conv2d_transpose, a training step, and
deepkit's DCGAN generator through from_keras. Weights are copied from Keras."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from deepkit import reference as ref
from deepkit.models.gan import dcgan_discriminator, dcgan_generator
from deepkit.reference.layers import Conv1DTranspose, Conv2DTranspose
from deepkit.reference.layers.convolutional_transpose import transpose_size

from ._parity import assert_close, layer_matches_keras, model_step_matches_keras

# (kernel, strides, padding, output_padding): odd and even kernels, strides below, at
# and above the kernel, "same" crops with the odd pixel after, output_padding given.
CASES_2D = [
    (3, 2, "same", None),
    (4, 2, "same", None),
    (3, 2, "same", 0),
    (4, 2, "same", 1),
    (5, 2, "same", 1),
    (3, 1, "valid", None),
    (2, 3, "valid", None),
    (3, 2, "valid", 1),
    ((3, 2), (2, 3), "same", None),
    ((2, 3), (1, 2), "valid", (0, 1)),
    (1, 2, "same", None),
]
CASES_1D = [
    (3, 2, "same", None),
    (4, 2, "same", 1),
    (3, 1, "valid", None),
    (2, 3, "valid", None),
    (3, 2, "valid", 1),
]


@pytest.mark.parametrize(
    "layer, input_shape, kernel, strides, padding, output_padding",
    [("Conv2DTranspose", (2, 5, 4, 3), *case) for case in CASES_2D]
    + [("Conv1DTranspose", (2, 6, 3), *case) for case in CASES_1D],
)
def test_transposed_convolutions_match_keras_float64(
    layer, input_shape, kernel, strides, padding, output_padding
):
    x = np.random.default_rng(0).normal(size=input_shape)
    layer_matches_keras(
        lambda: getattr(keras.layers, layer)(
            4,
            kernel,
            strides=strides,
            padding=padding,
            output_padding=output_padding,
            activation="tanh",
            bias_initializer="random_normal",
        ),
        x,
        rtol=1e-10,
    )


def test_transposed_convolutions_match_keras_float32():
    rng = np.random.default_rng(1)
    layer_matches_keras(
        lambda: keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same", use_bias=False),
        rng.normal(size=(2, 5, 4, 3)).astype("float32"),
        rtol=1e-5,
    )
    layer_matches_keras(
        lambda: keras.layers.Conv1DTranspose(2, 4, strides=3, activation="relu"),
        rng.normal(size=(2, 6, 3)).astype("float32"),
        rtol=1e-5,
    )


@given(
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    strides=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    padding=st.sampled_from(["valid", "same"]),
    output_padding=st.one_of(st.none(), st.tuples(st.integers(0, 2), st.integers(0, 2))),
)
@settings(max_examples=30, deadline=None)
def test_conv2d_transpose_matches_tensorflow_on_random_geometries(
    size, kernel, strides, padding, output_padding
):
    if output_padding is not None:
        assume(all(p < s for p, s in zip(output_padding, strides)))
        # TensorFlow refuses an output a convolution does not map back to the input.
        out = [
            transpose_size(*a, padding, p)
            for a, p in zip(zip(size, kernel, strides), output_padding)
        ]
        assume(all(-(-o // s) == n for o, s, n in zip(out, strides, size)) or padding == "valid")
    rng = np.random.default_rng(sum(size) * 10 + sum(kernel))
    x, k = rng.normal(size=(2, *size, 3)), rng.normal(size=(*kernel, 2, 3))
    layer = Conv2DTranspose(2, kernel, strides, padding, output_padding, use_bias=False)
    layer.dtype = "float64"
    layer.build((None,) + x.shape[1:])
    layer.set_weights([k])
    y = layer(x)
    dy = rng.normal(size=y.shape)
    x_t, k_t = tf.constant(x), tf.constant(k)
    with tf.GradientTape() as tape:
        tape.watch([x_t, k_t])
        y_t = keras.ops.conv_transpose(x_t, k_t, strides, padding, output_padding)
        objective = tf.reduce_sum(y_t * dy)
    dx_t, dk_t = tape.gradient(objective, [x_t, k_t])
    assert y.shape == tuple(y_t.shape)
    assert_close(y, y_t.numpy(), 1e-10)
    assert_close(layer.backprop(dy), dx_t.numpy(), 1e-10)
    assert_close(layer.grads["kernel"], dk_t.numpy(), 1e-10)


def test_transposed_convolutions_in_a_model_train_like_keras(float64):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(4, 3, 3, 2)), rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Reshape((6, 18)),
            keras.layers.Conv1DTranspose(2, 2, strides=2),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        rtol=1e-10,
        steps=3,
    )


def test_refusals_name_the_setting():
    with pytest.raises(ref.InputError, match="dilation_rate=1 only"):
        Conv2DTranspose(2, 3, dilation_rate=2)
    with pytest.raises(ref.InputError, match="less than its stride"):
        Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ref.InputError, match="1 int"):
        Conv1DTranspose(2, 3, strides=2, output_padding=(1, 1))
    with pytest.raises(ref.InputError, match="padding must be"):
        Conv1DTranspose(2, 3, padding="causal")
    # Even kernel, "same", output_padding 0: 4 steps -> 6, which a stride-2 convolution
    # maps to 3; TensorFlow refuses it as well.
    with pytest.raises(ref.InputError, match="choose another output_padding"):
        ref.Sequential([ref.Input((4, 2)), Conv1DTranspose(2, 4, 2, "same", output_padding=0)])
    with pytest.raises(ref.InputError, match="4-D inputs"):
        ref.Sequential([ref.Input((4, 2)), Conv2DTranspose(2, 3)])


def test_output_shape_and_config_round_trip_through_keras():
    layer = Conv2DTranspose(5, 3, strides=(2, 3), padding="same", output_padding=(1, 0))
    assert layer.compute_output_shape((None, 4, 5, 2)) == (None, 8, 13, 5)
    keras_layer = layer.to_keras()
    assert tuple(keras_layer.compute_output_shape((None, 4, 5, 2))) == (None, 8, 13, 5)
    assert Conv1DTranspose(3, 4, strides=2).compute_output_shape((None, None, 2)) == (
        None,
        None,
        3,
    )


def test_dcgan_generator_forward_and_gradients_match_keras(float64):
    """deepkit's DCGAN generator (Dense, Reshape, two Conv2DTranspose, Conv2D) is hosted by
    from_keras and computes Keras's outputs, input gradient and every weight gradient."""
    keras_model = dcgan_generator(latent_dim=6, num_classes=3, filters=(4, 3), seed=0)
    model = ref.from_keras(keras_model)
    model.compile(optimizer="sgd", loss="mse")
    rng = np.random.default_rng(3)
    z, target = rng.normal(size=(2, 9)), rng.uniform(-1, 1, size=(2, 28, 28, 1))
    z_t = tf.constant(z)
    with tf.GradientTape() as tape:
        tape.watch(z_t)
        images = keras_model(z_t)
        loss = keras.losses.MeanSquaredError()(target, images)
    keras_grads = tape.gradient(loss, [z_t] + keras_model.trainable_weights)
    assert_close(model.predict(z), images.numpy(), 1e-10)
    value, grads, dz = model.compute_gradients(z, target, return_input_gradients=True)
    assert value == pytest.approx(float(loss), rel=1e-12)
    assert_close(dz, keras_grads[0].numpy(), 1e-10)
    for ours, theirs in zip(grads, keras_grads[1:], strict=True):
        assert_close(ours, theirs.numpy(), 1e-10)


def test_dcgan_discriminator_is_hosted(float64):
    keras_model = dcgan_discriminator(num_classes=3, filters=(3, 4), seed=0)
    model = ref.from_keras(keras_model)
    images = np.random.default_rng(4).normal(size=(2, 28, 28, 4))
    assert_close(model.predict(images), keras_model(images).numpy(), 1e-10)
