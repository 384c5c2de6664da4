"""The NumPy reference's activations and their derivatives against Keras's (float64 and float32)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.reference import activations


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-6)])
@pytest.mark.parametrize("name", list(activations.ACTIVATIONS))
def test_activation_and_derivative_match_keras(name, dtype, rtol):
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(6, 5)) * 3).astype(dtype)
    upstream = rng.normal(size=(6, 5)).astype(dtype)
    act = activations.get(name)
    y = act.forward(x)
    dx = act.backward(x, y, upstream)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yt = keras.activations.get(name)(xt)
        objective = tf.reduce_sum(yt * upstream)
    assert y.dtype == x.dtype and dx.dtype == x.dtype
    keras_dx = tape.gradient(objective, xt).numpy()
    # Normwise in float32: near saturation 1 - y^2 amplifies the last-bit
    # differences between NumPy's and TensorFlow's tanh/exp.
    np.testing.assert_allclose(y, yt.numpy(), rtol=rtol, atol=rtol * np.abs(y).max())
    np.testing.assert_allclose(dx, keras_dx, rtol=rtol, atol=rtol * np.abs(keras_dx).max())


def test_unknown_activation_is_named():
    with pytest.raises(ValueError, match="swishy"):
        ref.Dense(3, activation="swishy")
