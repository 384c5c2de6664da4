"""Dropout masks of the gated recurrent layers, as Keras draws them.

keras/src/layers/rnn/lstm.py and gru.py: ``recurrent_dropout > 0`` switches
the cell to ``implementation=1``, which sets ``dropout_mask_count`` to the
number of gates (4 for LSTM, 3 for GRU), and ``DropoutRNNCell`` then draws an
independent mask for each gate, for the inputs and for the state. Without
recurrent dropout (``implementation=2``) one input mask serves every gate.
The tests inject distinct per-gate masks on both sides: a NumPy reference that
reused one mask for every gate (or drew per-gate masks where Keras draws one)
would disagree with Keras."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import GRU, LAYERS, LSTM

from .._parity import assert_close

GATES = {"LSTM": 4, "GRU": 3}


def _keras_layer(cell, **config):
    return getattr(keras.layers, cell)(
        3, bias_initializer="random_normal", return_sequences=True, seed=0, **config
    )


def _run_both(cell, config, input_keep, state_keep, x):
    """Outputs and gradients (inputs, then weights) of Keras's layer and of its
    counterpart, both in training mode with the given keep-masks injected."""
    keras_layer = _keras_layer(cell, **config)
    keras_layer.build(x.shape)
    layer = LAYERS[cell].from_keras(keras_layer)
    layer.dtype = "float64"
    layer.build((None,) + x.shape[1:])
    layer.set_weights(keras_layer.get_weights())
    layer.fixed_dropout_mask, layer.fixed_recurrent_dropout_mask = input_keep, state_keep

    keras_cell = keras_layer.cell

    def scaled(keep, rate):
        if keep is None:
            return None
        masks = [tf.constant(k / (1 - rate)) for k in keep]
        return masks[0] if len(masks) == 1 else masks

    keras_cell.get_dropout_mask = lambda _: scaled(input_keep, keras_cell.dropout)
    keras_cell.get_recurrent_dropout_mask = lambda _: scaled(
        state_keep, keras_cell.recurrent_dropout
    )
    upstream = np.random.default_rng(7).normal(size=(len(x), x.shape[1], 3))
    inputs = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        objective = tf.reduce_sum(keras_layer(inputs, training=True) * upstream)
    keras_grads = tape.gradient(objective, [inputs] + keras_layer.trainable_weights)
    out = layer(x, training=True)
    grads = [layer.backprop(upstream)] + layer.gradients
    return keras_layer, out, grads, keras_layer(inputs, training=True).numpy(), keras_grads


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_recurrent_dropout_draws_one_mask_per_gate_like_keras(cell):
    config = {"dropout": 0.4, "recurrent_dropout": 0.3}
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 2))
    gates = GATES[cell]
    # masks that differ from gate to gate, so that reusing one for all shows
    input_keep = rng.random((gates, 4, 2)) >= 0.4
    state_keep = rng.random((gates, 4, 3)) >= 0.3
    assert not all((input_keep[g] == input_keep[0]).all() for g in range(1, gates))
    with keras_float_dtype("float64"):
        keras_layer, out, grads, keras_out, keras_grads = _run_both(
            cell, config, input_keep, state_keep, x
        )
    assert keras_layer.cell.implementation == 1
    assert keras_layer.cell.dropout_mask_count == gates  # Keras: one mask per gate
    assert_close(out, keras_out, 1e-7)
    for ours, theirs in zip(grads, keras_grads, strict=True):
        assert_close(ours, theirs.numpy(), 1e-7)


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_input_dropout_alone_draws_one_mask_for_every_gate_like_keras(cell):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 5, 2))
    input_keep = rng.random((1, 4, 2)) >= 0.5
    with keras_float_dtype("float64"):
        keras_layer, out, grads, keras_out, keras_grads = _run_both(
            cell, {"dropout": 0.5}, input_keep, None, x
        )
    assert getattr(keras_layer.cell, "dropout_mask_count", None) is None  # Keras: one mask
    assert_close(out, keras_out, 1e-7)
    for ours, theirs in zip(grads, keras_grads, strict=True):
        assert_close(ours, theirs.numpy(), 1e-7)


@pytest.mark.parametrize("make,gates", [(LSTM, 4), (GRU, 3)])
def test_drawn_masks_are_independent_per_gate_and_single_without_recurrent_dropout(make, gates):
    x = np.zeros((64, 3, 8))
    layer = make(5, dropout=0.5, recurrent_dropout=0.5, seed=0)
    layer(x, training=True)
    assert layer.dropout_mask.shape == (gates, 64, 8)
    assert layer.recurrent_dropout_mask.shape == (gates, 64, 5)
    for g in range(1, gates):  # independent draws: about half the entries differ
        differ = (layer.dropout_mask[g] != layer.dropout_mask[0]).mean()
        assert 0.3 < differ < 0.7
    single = make(5, dropout=0.5, seed=0)
    single(x, training=True)
    assert single.dropout_mask.shape == (1, 64, 8) and single.recurrent_dropout_mask is None
