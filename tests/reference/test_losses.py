"""The twin's losses on arrays against Keras's: values and gradients (tf.GradientTape)."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.parity import keras_float_dtype
from deepkit.reference import losses


def _keras_loss_and_grad(keras_loss, y_true, y_pred):
    p = tf.constant(y_pred)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = keras_loss(y_true, p * 1)  # `* 1`: a plain tensor, no cached logits
    return value.numpy(), tape.gradient(value, p).numpy()


LOSS_ARRAYS = [
    ("BinaryCrossentropy", {}, [[1.0], [0.0], [1.0], [0.0]], [[0.9], [0.2], [0.0], [1.0]]),
    ("BinaryCrossentropy", {"from_logits": True}, [[1.0], [0.0]], [[2.0], [-40.0]]),
    ("CategoricalCrossentropy", {}, [[0, 1, 0], [1, 0, 0]], [[0.1, 0.9, 0.0], [0.0, 0.4, 0.6]]),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        [[0, 1, 0], [1, 0, 0]],
        [[0.1, 3.0, -2.0], [-30.0, 0.4, 0.6]],
    ),
    ("SparseCategoricalCrossentropy", {}, [1, 2], [[0.1, 0.9, 0.0], [0.2, 0.2, 0.6]]),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        [[1], [0]],
        [[0.1, 0.9, 5.0], [0.2, -0.2, 0.6]],
    ),
    ("MeanSquaredError", {}, [[1.0, 0.0], [0.5, 2.0]], [[0.7, 0.1], [0.5, -1.0]]),
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("name,kwargs,y_true,y_pred", LOSS_ARRAYS)
def test_loss_on_arrays_matches_keras(name, kwargs, y_true, y_pred, dtype, rtol):
    y_pred = np.asarray(y_pred, dtype=dtype)
    ours = getattr(losses, name)(**kwargs)
    value, grad = ours.value_and_grad(*ours.prepare(y_true, y_pred))
    with keras_float_dtype(dtype):
        keras_value, keras_grad = _keras_loss_and_grad(
            getattr(keras.losses, name)(**kwargs), np.asarray(y_true), y_pred
        )
    assert value == pytest.approx(float(keras_value), rel=rtol)
    assert ours(y_true, y_pred) == pytest.approx(value, rel=1e-12)
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(grad, keras_grad, rtol=rtol, atol=rtol * 1e-3)


def test_loss_shape_errors_are_named():
    with pytest.raises(ValueError, match="shape"):
        losses.BinaryCrossentropy()(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="out of range"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(ValueError, match="unknown loss"):
        losses.get("hinge_ish")


@pytest.mark.parametrize(
    "keras_loss,unsupported",
    [
        (keras.losses.BinaryCrossentropy(reduction="sum"), "reduction='sum'"),
        (keras.losses.BinaryCrossentropy(label_smoothing=0.1), "label_smoothing=0.1"),
        (keras.losses.CategoricalCrossentropy(axis=0), "axis=0"),
        (keras.losses.SparseCategoricalCrossentropy(ignore_class=0), "ignore_class=0"),
        (keras.losses.MeanSquaredError(reduction=None), "reduction=None"),
    ],
)
def test_loss_from_keras_refuses_options_it_would_drop(keras_loss, unsupported):
    with pytest.raises(ValueError, match=f"uses {re.escape(unsupported)}, which the NumPy twin"):
        losses.from_keras(keras_loss)


def test_loss_from_keras_keeps_from_logits_and_accepts_defaults():
    twin = losses.from_keras(keras.losses.BinaryCrossentropy(from_logits=True, name="bce"))
    assert type(twin) is losses.BinaryCrossentropy and twin.from_logits
    y_true, y_pred = np.array([[1.0], [0.0]]), np.array([[0.3], [-2.0]])
    keras_value = keras.losses.BinaryCrossentropy(from_logits=True)(y_true, y_pred)
    assert twin(y_true, y_pred) == pytest.approx(float(keras_value), rel=1e-6)
    explicit = keras.losses.SparseCategoricalCrossentropy(
        reduction="sum_over_batch_size", ignore_class=None
    )
    assert type(losses.from_keras(explicit)) is losses.SparseCategoricalCrossentropy
