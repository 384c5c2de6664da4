"""GRU(reset_after=False), Keras's "v1" GRU (the reset gate applied to h_{t-1} before the
candidate's recurrent product, one bias of shape (3 * units,)), against Keras's: forward,
dLoss/dx and every weight gradient (tf.GradientTape) in float64 (rtol 1e-12) and float32
(1e-6), with Keras's dropout masks injected, inside Bidirectional, by central
differences, and a from_keras'd model trained step by step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import GRU, LAYERS, Bidirectional
from deepkit.validation import InputError

from .._parity import (
    assert_close,
    backward_matches_finite_differences,
    layer_matches_keras,
    model_step_matches_keras,
)

OPTIONS = [
    {},
    {"return_sequences": True},
    {"go_backwards": True, "return_sequences": True},
    {"activation": "relu", "recurrent_activation": "tanh"},
    {"use_bias": False},
]


def keras_gru(units=4, **options):
    """A Keras v1 GRU with a random bias (so that the bias gradient is not trivial)."""
    if options.get("use_bias", True):
        options.setdefault("bias_initializer", "random_normal")
    return keras.layers.GRU(units, reset_after=False, **options)


@pytest.mark.parametrize(
    "options, dtype, rtol",
    [(options, "float64", 1e-12) for options in OPTIONS]
    + [(options, "float32", 1e-6) for options in OPTIONS[1:3]],
    ids=str,
)
def test_forward_and_gradients_match_keras(options, dtype, rtol):
    x = np.random.default_rng(0).normal(size=(3, 5, 2)).astype(dtype)
    keras_layer, layer = layer_matches_keras(lambda: keras_gru(**options), x, rtol=rtol)
    assert layer.reset_after is False
    assert [w.shape for w in layer.weights] == [tuple(w.shape) for w in keras_layer.weights]
    if layer.use_bias:
        assert layer.bias.shape == (12,)


def _run_with_masks(config, input_keep, state_keep, x):
    """Keras's GRU and its reference in training with the same keep-masks injected: the
    outputs and the gradients of sum(outputs * upstream), inputs first."""
    keras_layer = keras_gru(3, return_sequences=True, **config)
    keras_layer.build(x.shape)
    layer = LAYERS["GRU"].from_keras(keras_layer)
    layer.dtype = x.dtype.name
    layer.build((None,) + x.shape[1:])
    layer.set_weights(keras_layer.get_weights())
    layer.fixed_dropout_mask, layer.fixed_recurrent_dropout_mask = input_keep, state_keep
    cell = keras_layer.cell

    def scaled(keep, rate):
        if keep is None:
            return None
        masks = [tf.constant(k / (1 - rate)) for k in keep]
        return masks[0] if len(masks) == 1 else masks

    cell.get_dropout_mask = lambda _: scaled(input_keep, cell.dropout)
    cell.get_recurrent_dropout_mask = lambda _: scaled(state_keep, cell.recurrent_dropout)
    upstream = np.random.default_rng(7).normal(size=(len(x), x.shape[1], 3))
    inputs = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        keras_out = keras_layer(inputs, training=True)
        objective = tf.reduce_sum(keras_out * upstream)
    keras_grads = tape.gradient(objective, [inputs] + keras_layer.trainable_weights)
    out = layer(x, training=True)
    grads = [layer.backprop(upstream)] + layer.gradients
    return out, grads, keras_out.numpy(), [g.numpy() for g in keras_grads]


@pytest.mark.parametrize(
    "config",
    [{"dropout": 0.4}, {"recurrent_dropout": 0.3}, {"dropout": 0.4, "recurrent_dropout": 0.3}],
    ids=str,
)
def test_dropout_with_injected_masks_matches_keras(config):
    """With recurrent dropout Keras draws one mask per gate (z, r, h), on both sides; the
    candidate's mask multiplies h_{t-1} inside the reset state r * h_{t-1}."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 5, 2))
    gates = 3 if config.get("recurrent_dropout") else 1
    input_keep = rng.random((gates, 4, 2)) >= config["dropout"] if "dropout" in config else None
    state_keep = rng.random((3, 4, 3)) >= config.get("recurrent_dropout", 1) if gates == 3 else None
    with keras_float_dtype("float64"):
        out, grads, keras_out, keras_grads = _run_with_masks(config, input_keep, state_keep, x)
    assert_close(out, keras_out, 1e-12)
    for ours, theirs in zip(grads, keras_grads, strict=True):
        assert_close(ours, theirs, 1e-12)


@pytest.mark.parametrize("merge_mode", ["concat", "mul"])
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-6)])
def test_bidirectional_matches_keras(merge_mode, dtype, rtol):
    x = np.random.default_rng(2).normal(size=(3, 4, 2)).astype(dtype)
    _, layer = layer_matches_keras(
        lambda: keras.layers.Bidirectional(
            keras_gru(3, return_sequences=True), merge_mode=merge_mode
        ),
        x,
        rtol=rtol,
    )
    assert not layer.forward_layer.reset_after and not layer.backward_layer.reset_after


def test_bidirectional_copies_reset_after_to_its_backward_layer():
    wrapper = Bidirectional(GRU(3, reset_after=False))
    wrapper.build((None, 4, 2))
    assert wrapper.backward_layer.reset_after is False
    assert wrapper.backward_layer.bias.shape == (9,)


@pytest.mark.parametrize("options", [{}, {"go_backwards": True, "use_bias": False}], ids=str)
def test_bptt_matches_finite_differences(options):
    backward_matches_finite_differences(
        GRU(
            3, reset_after=False, return_sequences=True, bias_initializer="random_normal", **options
        ),
        input_shape=(2, 4, 3),
    )


def test_from_keras_model_trains_like_keras():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(6, 5, 3)), rng.normal(size=(6, 2))
    model_step_matches_keras(
        lambda: [
            keras.layers.Dense(3, activation="tanh"),
            keras_gru(4, return_sequences=True, go_backwards=True),
            keras.layers.Bidirectional(keras_gru(3), merge_mode="sum"),
            keras.layers.Dense(2),
        ],
        x,
        y,
        rtol=1e-12,
        steps=3,
    )


def test_to_keras_round_trip_keeps_the_variant_and_the_predictions():
    rng = np.random.default_rng(4)
    model = ref.Sequential(
        [ref.Input((5, 2)), GRU(4, reset_after=False, bias_initializer="random_normal")],
        seed=0,
        dtype="float64",
    )
    keras_model = model.to_keras()
    keras_layer = keras_model.layers[0]
    assert keras_layer.reset_after is False and tuple(keras_layer.cell.bias.shape) == (12,)
    x = rng.normal(size=(3, 5, 2))
    assert_close(keras_model(x).numpy(), model.predict(x), 1e-12)


@pytest.mark.parametrize("value", [None, "false", 0])
def test_reset_after_must_be_a_bool(value):
    with pytest.raises(InputError, match=r"GRU reset_after must be True or False, got "):
        GRU(3, reset_after=value)
