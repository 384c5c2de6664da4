"""TimeDistributed against Keras's: forward, dLoss/dx and the inner weights' gradients
(summed over every timestep) for Dense, Conv2D, Flatten and LSTM inner layers (float64
at rtol 1e-12, float32 at 1e-6), Dropout with Keras's mask injected, two training steps
of models through ``from_keras``, the Keras round trip and the refusals."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype

from ._parity import assert_close, layer_matches_keras, model_step_matches_keras

INNER_LAYERS = [
    (lambda: keras.layers.Dense(3), (2, 3, 5)),
    (lambda: keras.layers.Dense(4, activation="tanh", use_bias=False), (3, 2, 4)),
    (lambda: keras.layers.Dense(2, bias_initializer="random_normal"), (2, 3, 4, 5)),
    (lambda: keras.layers.Conv2D(2, 2, activation="relu"), (2, 3, 5, 4, 2)),
    (lambda: keras.layers.Conv2D(3, (3, 2), strides=2, padding="same"), (2, 2, 5, 4, 1)),
    (lambda: keras.layers.Flatten(), (2, 3, 2, 4)),
    (lambda: keras.layers.LSTM(3, bias_initializer="random_normal"), (2, 3, 4, 2)),
]


@pytest.mark.parametrize(("make_inner", "shape"), INNER_LAYERS)
def test_time_distributed_matches_keras(make_inner, shape):
    x = np.random.default_rng(0).normal(size=shape)
    _, layer = layer_matches_keras(
        lambda: keras.layers.TimeDistributed(make_inner()), x, rtol=1e-12
    )
    assert layer.weight_names == [f"{layer.layer.name}/{n}" for n in layer.layer.weight_names]
    layer_matches_keras(
        lambda: keras.layers.TimeDistributed(make_inner()), x.astype("float32"), rtol=1e-6
    )


def test_time_distributed_dropout_with_keras_masks_matches_keras():
    """Keras draws one mask per timestep; its masks, folded like the inputs, injected."""
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.5, size=(4, 3, 5))
    upstream = rng.normal(size=x.shape)
    with keras_float_dtype("float64"):
        keras_layer = keras.layers.TimeDistributed(keras.layers.Dropout(0.4, seed=2))
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            keras_y = keras_layer(xt, training=True)
            objective = tf.reduce_sum(keras_y * upstream)
    keras_dx = tape.gradient(objective, xt).numpy()
    keras_y = keras_y.numpy()
    layer = ref.TimeDistributed.from_keras(keras_layer)
    layer.layer.fixed_mask = (keras_y != 0).reshape(12, 5)
    assert 0 < layer.layer.fixed_mask.mean() < 1
    assert_close(layer(x, training=True), keras_y, 1e-12)
    assert_close(layer.backprop(upstream), keras_dx, 1e-12)
    np.testing.assert_array_equal(layer(x, training=False), x)


@pytest.mark.parametrize(("dtype", "rtol"), [("float64", 1e-10), ("float32", 1e-5)])
def test_time_distributed_after_lstm_in_a_model_step_like_keras(dtype, rtol):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(4, 5, 3)).astype(dtype), rng.normal(size=(4, 5, 2)).astype(dtype)
    model, reference = model_step_matches_keras(
        lambda: [
            keras.layers.LSTM(4, return_sequences=True),
            keras.layers.TimeDistributed(
                keras.layers.Dense(2, activation="tanh", kernel_regularizer="l2"),
                activity_regularizer="l1",
            ),
        ],
        x,
        y,
        rtol=rtol,
        steps=2,
    )
    assert len(model.losses) == 2  # the inner kernel's penalty and the wrapper's activity one


def test_time_distributed_conv2d_in_a_model_step_like_keras():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(3, 4, 5, 5, 2)), rng.normal(size=(3, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.TimeDistributed(keras.layers.Conv2D(2, 3, activation="relu")),
            keras.layers.TimeDistributed(keras.layers.Flatten()),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        rtol=1e-10,
        steps=2,
    )


def test_time_distributed_round_trips_through_keras():
    x = np.random.default_rng(4).normal(size=(2, 3, 4)).astype("float32")
    keras_model = keras.Sequential(
        [
            keras.Input((3, 4)),
            keras.layers.TimeDistributed(
                keras.layers.Dense(2, activation="relu", bias_initializer="random_normal"),
                name="per_step",
                activity_regularizer="l2",
            ),
        ]
    )
    reference = ref.from_keras(keras_model)
    again = reference.to_keras()
    wrapper = again.layers[0]
    assert isinstance(wrapper, keras.layers.TimeDistributed) and wrapper.name == "per_step"
    assert isinstance(wrapper.layer, keras.layers.Dense) and wrapper.layer.units == 2
    assert wrapper.activity_regularizer.get_config() == {"l2": 0.01}
    for ours, theirs in zip(again.get_weights(), keras_model.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_allclose(again.predict(x, verbose=0), keras_model.predict(x, verbose=0))
    layer = reference.layers[0]
    copy = ref.TimeDistributed.from_config(layer.get_config())
    assert copy.get_config() == layer.get_config()


def test_trainable_reaches_the_inner_layer_as_in_keras():
    keras_layer = keras.layers.TimeDistributed(keras.layers.Dense(2), trainable=False)
    layer = ref.TimeDistributed(ref.Dense(2), trainable=False)
    layer.build((None, 3, 4))
    assert layer.layer.trainable == keras_layer.layer.trainable is True
    assert layer.trainable_weights == [] and not layer.weight_is_trainable(layer.weight_names[0])
    keras_layer.trainable = layer.trainable = True
    keras_layer.layer.trainable = layer.layer.trainable = False
    assert layer.trainable_weights == keras_layer.trainable_weights == []
    assert not layer.weight_is_trainable(layer.weight_names[0])
    keras_layer.trainable = layer.trainable = False
    keras_layer.trainable = layer.trainable = True
    assert layer.layer.trainable == keras_layer.layer.trainable is True
    assert len(layer.trainable_weights) == 2


class Scale(keras.layers.Layer):
    """A Keras layer the NumPy reference has no counterpart for."""

    def call(self, inputs):
        return 2 * inputs


def test_inner_layers_the_reference_cannot_host_are_refused_by_name():
    model = keras.Sequential(
        [keras.Input((3, 4)), keras.layers.TimeDistributed(Scale(name="doubling"), name="td")]
    )
    with pytest.raises(ref.InputError, match=r"'td' \(TimeDistributed\): wraps Scale 'doubling'"):
        ref.from_keras(model)
    keras_layer = keras.layers.TimeDistributed(keras.layers.Dense(2, lora_rank=2, name="low"))
    with pytest.raises(ref.InputError, match=r"wraps Dense 'low': uses lora_alpha, lora_rank"):
        ref.TimeDistributed.from_keras(keras_layer)
    with pytest.raises(ref.InputError, match="cannot wrap BatchNormalization 'bn'"):
        ref.TimeDistributed(ref.BatchNormalization(name="bn"))
    with pytest.raises(ref.InputError, match="cannot wrap Add 'add_it'"):
        ref.TimeDistributed(ref.Add(name="add_it"))
    with pytest.raises(ref.InputError, match="Keras ignores it inside TimeDistributed"):
        ref.TimeDistributed(ref.Dense(2, activity_regularizer="l2"))
    with pytest.raises(ref.InputError, match="must wrap a NumPy reference layer, got Dense"):
        ref.TimeDistributed(keras.layers.Dense(2))
    with pytest.raises(ref.InputError, match=r"at least 3 axes .* got shape \(None, 4\)"):
        ref.TimeDistributed(ref.Dense(2)).build((None, 4))
