"""The merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot)
against Keras's: outputs and the gradient of every input, with the loss sum(outputs *
upstream), in float64 (rtol 1e-12) and float32 (rtol 1e-5)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import LAYERS

from ._parity import assert_close

CASES = [
    ("Add", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Add", {}, [(4, 2, 3), (4, 1, 3)]),  # an axis of size 1 broadcasts
    ("Subtract", {}, [(4, 2, 3), (4, 2, 3)]),
    ("Multiply", {}, [(4, 3), (4, 3), (4, 1)]),
    ("Average", {}, [(4, 3), (4, 3), (4, 3)]),
    ("Maximum", {}, [(4, 5), (4, 5), (4, 5)]),
    ("Minimum", {}, [(4, 5), (4, 5)]),
    ("Concatenate", {}, [(4, 3), (4, 2), (4, 1)]),
    ("Concatenate", {"axis": 1}, [(4, 3, 2), (4, 1, 2)]),
    ("Dot", {"axes": 1}, [(4, 3), (4, 3)]),
    ("Dot", {"axes": 1, "normalize": True}, [(4, 3), (4, 3)]),
    ("Dot", {"axes": (1, 2)}, [(4, 3, 5), (4, 6, 3)]),
    ("Dot", {"axes": -1}, [(4, 2, 3), (4, 3)]),
    ("Dot", {"axes": [2, 1], "normalize": True}, [(4, 2, 3), (4, 3, 5)]),
]


def merge_matches_keras(name, config, shapes, dtype, rtol, seed=0):
    """The reference layer's outputs and input gradients against Keras's."""
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=shape).astype(dtype) for shape in shapes]
    if name in ("Maximum", "Minimum"):
        xs[1][:2] = xs[0][:2]  # ties: the earlier input takes the gradient
    with keras_float_dtype(dtype):
        keras_layer = getattr(keras.layers, name)(**config)
        tensors = [tf.constant(x) for x in xs]
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            keras_out = keras_layer(tensors)
            upstream = rng.normal(size=keras_out.shape).astype(dtype)
            loss = tf.reduce_sum(keras_out * upstream)
        keras_grads = tape.gradient(loss, tensors)
    layer = LAYERS[name].from_keras(keras_layer)
    layer.dtype = dtype
    out = layer(xs)
    assert out.dtype == dtype
    assert layer.compute_output_shape([(None,) + s[1:] for s in shapes]) == (None,) + out.shape[1:]
    assert_close(out, keras_out.numpy(), rtol)
    grads = layer.backprop(upstream)
    assert len(grads) == len(xs)
    for grad, keras_grad, x in zip(grads, keras_grads, xs):
        assert grad.shape == x.shape
        assert_close(grad, keras_grad.numpy(), rtol)
    return layer


@pytest.mark.parametrize(("name", "config", "shapes"), CASES)
def test_merge_layer_matches_keras_float64(name, config, shapes):
    merge_matches_keras(name, config, shapes, "float64", 1e-12)


@pytest.mark.parametrize("name", ["Multiply", "Average", "Dot"])
def test_merge_layer_matches_keras_float32(name):
    config, shapes = next((c, s) for n, c, s in CASES if n == name)
    merge_matches_keras(name, config, shapes, "float32", 1e-5)


def test_maximum_gives_each_tied_element_to_the_earliest_input():
    layer = ref.Maximum()
    a, b, c = np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 5.0, 3.0]]), np.array([[0.0, 5.0, 3.0]])
    np.testing.assert_array_equal(layer([a, b, c]), [[1.0, 5.0, 3.0]])
    grads = layer.backprop(np.array([[10.0, 20.0, 30.0]]))
    np.testing.assert_array_equal(np.concatenate(grads), [[10, 0, 30], [0, 20, 0], [0, 0, 0]])


def test_broadcast_input_gets_the_gradient_summed_over_its_broadcast_axis():
    layer = ref.Add()
    layer([np.ones((2, 3, 4)), np.ones((2, 1, 4))])
    grads = layer.backprop(np.ones((2, 3, 4)))
    assert grads[1].shape == (2, 1, 4) and np.all(grads[1] == 3.0)


def test_bad_inputs_are_refused_with_the_layer_named():
    x, y = np.zeros((2, 3)), np.zeros((2, 4))
    with pytest.raises(ref.InputError, match="Subtract 'minus' takes exactly 2 inputs, got 3"):
        ref.Subtract(name="minus")([x, x, x])
    with pytest.raises(ref.InputError, match=r"Add 'sum' must be called on a list of inputs"):
        ref.Add(name="sum")(x)
    with pytest.raises(
        ref.InputError, match=r"incompatible input shapes \[\(None, 3\), \(None, 4\)\]"
    ):
        ref.Multiply()([x, y])
    with pytest.raises(ref.InputError, match="inputs of different ranks"):
        ref.Add()([x, np.zeros((2, 2, 3))])
    with pytest.raises(ref.InputError, match="one shape except along axis -1"):
        ref.Concatenate()([np.zeros((2, 2, 3)), np.zeros((2, 3, 3))])
    with pytest.raises(ref.InputError, match="axis=0 is not a non-batch axis"):
        ref.Concatenate(axis=0)([x, x])
    with pytest.raises(ref.InputError, match="axis 1 of .* and axis 1 of .* differ in size"):
        ref.Dot(axes=1)([x, y])
    with pytest.raises(ref.InputError, match="must name non-batch axes"):
        ref.Dot(axes=0)([x, x])
    with pytest.raises(ref.InputError, match="Dot axes must be an int or a pair"):
        ref.Dot(axes=(1, 2, 3))


@pytest.mark.parametrize("name", sorted({case[0] for case in CASES}))
def test_to_keras_and_back_keeps_the_settings(name):
    config = (
        next(c for n, c, _ in CASES if n == name and c) if name in ("Concatenate", "Dot") else {}
    )
    layer = getattr(ref, name)(**config, name=f"my_{name.lower()}")
    keras_layer = layer.to_keras()
    assert type(keras_layer).__name__ == name and keras_layer.name == layer.name
    again = LAYERS[name].from_keras(keras_layer)
    assert again.get_config() == layer.get_config()
