"""Embedding against Keras's: lookup, the table's gradient with repeated indices
(tf.GradientTape), and SGD steps of a small text model through ``from_keras``."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import LAYERS

from ._parity import assert_close, model_step_matches_keras


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-7), ("float32", 1e-5)])
def test_embedding_lookup_and_table_gradient_match_keras(dtype, rtol):
    ids = np.array([[1, 4, 1, 0], [3, 3, 3, 2]])  # repeated indices add up
    with keras_float_dtype(dtype):
        keras_layer = keras.layers.Embedding(6, 3)
        keras_layer.build(ids.shape)
        layer = LAYERS["Embedding"].from_keras(keras_layer)
        layer.dtype = dtype
        layer.build((None, 4))
        layer.set_weights(keras_layer.get_weights())
        upstream = np.random.default_rng(0).normal(size=(2, 4, 3)).astype(dtype)
        with tf.GradientTape() as tape:
            out = keras_layer(ids)
            objective = tf.reduce_sum(out * upstream)
        keras_grad = tf.convert_to_tensor(tape.gradient(objective, keras_layer.embeddings))
    ours = layer(ids.astype(dtype))
    assert_close(ours, out.numpy(), rtol)
    assert layer.backprop(upstream) is None  # indices have no gradient
    assert_close(layer.grads["embeddings"], keras_grad.numpy(), rtol)


def test_embedding_text_model_steps_match_keras():
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 7, size=(6, 5)).astype("float64"), rng.normal(size=(6, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Embedding(7, 4),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        steps=2,
    )


def test_embedding_refuses_masking_and_out_of_range_indices():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Embedding(5, 2, mask_zero=True)])
    with pytest.raises(ref.InputError, match=r"\(Embedding\): Embedding mask_zero=True is not"):
        ref.from_keras(model)
    layer = ref.layers.Embedding(5, 2)
    with pytest.raises(ref.InputError, match=r"index out of range \[0, 5\): min 0, max 5"):
        layer(np.array([[0, 5]]))
