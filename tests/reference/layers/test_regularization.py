"""The NumPy reference's Dropout, SpatialDropout1D/2D, GaussianNoise and GaussianDropout
against Keras's: statistics of their own draws, the identity at inference, and in
training with Keras's random numbers injected (a keep-mask recovered from Keras's
output, or the draws Keras's seeded generator makes), alone (float64 at rtol 1e-12,
float32 at 1e-6) and in a model's training step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import LAYERS

from ._parity import assert_close, model_step_matches_keras


def test_dropout_statistics_and_inference():
    layer = ref.Dropout(0.3)
    layer.rng = np.random.default_rng(0)
    x = np.ones((200, 500), dtype="float32")
    y = layer(x, training=True)
    kept = y != 0
    assert kept.mean() == pytest.approx(0.7, abs=0.005)
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    assert y.mean() == pytest.approx(1.0, abs=0.01)  # inverted dropout keeps the mean
    np.testing.assert_array_equal(layer(x, training=False), x)
    np.testing.assert_array_equal(layer.backprop(np.ones_like(x)), np.ones_like(x))


def _keras_dropout_forward_backward(keras_layer, x, upstream):
    """Keras's training-mode output and dLoss/dx for Loss = sum(output * upstream)."""
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        yt = keras_layer(xt, training=True)
        objective = tf.reduce_sum(yt * upstream)
    return yt.numpy(), tape.gradient(objective, xt).numpy()


def test_dropout_with_keras_mask_matches_keras():
    rng = np.random.default_rng(1)
    x = rng.uniform(0.5, 1.5, size=(8, 6)).astype("float32")
    upstream = rng.normal(size=(8, 6)).astype("float32")
    keras_y, keras_grad = _keras_dropout_forward_backward(
        keras.layers.Dropout(0.4, seed=3), x, upstream
    )
    layer = ref.Dropout(0.4)
    layer.fixed_mask = keras_y != 0  # recover Keras's mask, inject it
    y = layer(x, training=True)
    np.testing.assert_allclose(y, keras_y, rtol=1e-6)
    np.testing.assert_allclose(layer.backprop(upstream), keras_grad, rtol=1e-6)
    with pytest.raises(ValueError, match="rate"):
        ref.Dropout(1.5)


def test_dropout_noise_shape_matches_keras():
    """noise_shape (None, 1, 6): one mask per sample and feature, shared along axis 1."""
    rng = np.random.default_rng(2)
    x = rng.uniform(0.5, 1.5, size=(8, 5, 6)).astype("float32")
    upstream = rng.normal(size=x.shape).astype("float32")
    keras_layer = keras.layers.Dropout(0.5, noise_shape=(None, 1, 6), seed=4)
    keras_y, keras_grad = _keras_dropout_forward_backward(keras_layer, x, upstream)
    keras_kept = keras_y != 0
    assert (keras_kept == keras_kept[:, :1]).all() and 0 < keras_kept.mean() < 1
    reference = ref.from_keras(keras.Sequential([keras.Input((5, 6)), keras_layer])).layers[0]
    assert reference.noise_shape == (None, 1, 6)
    reference.fixed_mask = keras_kept[:, :1]
    np.testing.assert_allclose(reference(x, training=True), keras_y, rtol=1e-6)
    np.testing.assert_allclose(reference.backprop(upstream), keras_grad, rtol=1e-6)
    reference.fixed_mask, reference.rng = None, np.random.default_rng(0)  # its own draw: same shape
    kept = reference(np.ones((400, 5, 6), "float32"), training=True) != 0
    assert reference.mask.shape == (400, 1, 6) and (kept == kept[:, :1]).all()
    assert kept.mean() == pytest.approx(0.5, abs=0.02)


NOISE_LAYERS = [
    (lambda: keras.layers.SpatialDropout1D(0.4, seed=3), (6, 5, 4)),
    (lambda: keras.layers.SpatialDropout2D(0.5, seed=4), (5, 3, 2, 4)),
    (lambda: keras.layers.GaussianNoise(0.3, seed=5), (4, 3, 2)),
    (lambda: keras.layers.GaussianDropout(0.4, seed=6), (4, 3, 2)),
]


def _keras_first_draws(keras_layer, shape, dtype):
    """The random numbers ``keras_layer`` (seeded) draws on its first training call, as
    the reference's injected randomness: a keep-mask (``fixed_mask``, one entry per
    sample and channel) or standard normal draws (``fixed_noise``)."""
    seed = keras.random.SeedGenerator(keras_layer.seed)
    if isinstance(keras_layer, keras.layers.Dropout):
        noise_shape = (shape[0],) + (1,) * (len(shape) - 2) + (shape[-1],)
        ones = np.ones(noise_shape, dtype)
        mask = keras.random.dropout(ones, keras_layer.rate, noise_shape, seed=seed)
        return "fixed_mask", keras.ops.convert_to_numpy(mask) != 0
    return "fixed_noise", keras.ops.convert_to_numpy(keras.random.normal(shape, seed=seed))


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-6)])
@pytest.mark.parametrize("make, shape", NOISE_LAYERS)
def test_noise_layer_in_training_with_keras_draws_matches_keras(make, shape, dtype, rtol):
    rng = np.random.default_rng(4)
    x = rng.uniform(0.5, 1.5, size=shape).astype(dtype)
    upstream = rng.normal(size=shape).astype(dtype)
    with keras_float_dtype(dtype):
        keras_layer = make()
        attribute, draws = _keras_first_draws(keras_layer, shape, dtype)
        keras_y, keras_grad = _keras_dropout_forward_backward(keras_layer, x, upstream)
    layer = LAYERS[type(keras_layer).__name__].from_keras(keras_layer)
    setattr(layer, attribute, draws)
    y = layer(x, training=True)
    assert y.dtype == x.dtype
    assert_close(y, keras_y, rtol)
    assert_close(layer.backprop(upstream), keras_grad, rtol)
    if attribute == "fixed_mask":  # whole channels dropped, and some kept
        assert (keras_y == 0).reshape(len(x), -1, shape[-1]).all(axis=1).any()
        assert 0 < draws.mean() < 1


@pytest.mark.parametrize("make, shape", NOISE_LAYERS)
def test_noise_layer_is_the_identity_at_inference(make, shape):
    layer = LAYERS[type(make()).__name__].from_keras(make())
    x = np.random.default_rng(0).normal(size=shape)
    assert layer(x) is x
    assert layer.backprop(x) is x
    assert layer.compute_output_shape((None,) + shape[1:]) == (None,) + shape[1:]


def test_noise_layers_own_draws():
    x = np.ones((400, 3, 50))
    spatial = ref.SpatialDropout1D(0.3)
    spatial.rng = np.random.default_rng(0)
    y = spatial(x, training=True)
    assert spatial.mask.shape == (400, 1, 50) and (y == y[:, :1]).all()
    assert (y != 0).mean() == pytest.approx(0.7, abs=0.01)
    np.testing.assert_allclose(y[y != 0], 1 / 0.7)
    noise = ref.GaussianNoise(0.2, seed=1)
    z = noise(x, training=True) - x
    assert z.mean() == pytest.approx(0, abs=0.005) and z.std() == pytest.approx(0.2, rel=0.01)
    dropout = ref.GaussianDropout(0.2, seed=1)
    factor = dropout(x, training=True)
    assert factor.mean() == pytest.approx(1, abs=0.005)
    assert factor.var() == pytest.approx(0.2 / 0.8, rel=0.02)
    np.testing.assert_array_equal(dropout.backprop(x), factor)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_noise_layers_in_a_model_step_like_keras(monkeypatch, dtype):
    """One training step of a model with each noise layer, the reference given Keras's
    first draws (which train_on_batch makes from each layer's seeded generator)."""
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 5, 3)).astype(dtype), rng.normal(size=(4, 1)).astype(dtype)

    def make_layers():
        return [
            keras.layers.Dense(4),
            keras.layers.SpatialDropout1D(0.5, seed=1, name="spatial"),
            keras.layers.GaussianDropout(0.3, seed=2, name="multiplicative"),
            keras.layers.Dense(2),
            keras.layers.GaussianNoise(0.5, seed=3, name="additive"),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]

    shapes = {"spatial": (4, 5, 4), "multiplicative": (4, 5, 4), "additive": (4, 5, 2)}
    with keras_float_dtype(dtype):
        draws = {
            layer.name: _keras_first_draws(layer, shapes[layer.name], dtype)
            for layer in make_layers()
            if layer.name in shapes
        }
    original = ref.from_keras

    def from_keras_with_keras_draws(model):
        reference = original(model)
        for layer in reference.layers:
            if layer.name in draws:
                setattr(layer, *draws[layer.name])
        return reference

    monkeypatch.setattr(ref, "from_keras", from_keras_with_keras_draws)
    model_step_matches_keras(make_layers, x, y, rtol=1e-6 if dtype == "float32" else 1e-7)


def test_noise_layers_settings_and_refusals():
    spatial = LAYERS["SpatialDropout2D"].from_keras(keras.layers.SpatialDropout2D(0.2, seed=9))
    assert spatial.get_config() == {
        "rate": 0.2,
        "seed": 9,
        "name": spatial.name,
        "data_format": "channels_last",
    }
    assert type(spatial.to_keras()) is keras.layers.SpatialDropout2D
    noise = LAYERS["GaussianNoise"].from_keras(keras.layers.GaussianNoise(0.1, seed=2))
    assert (noise.stddev, noise.seed) == (0.1, 2)
    assert noise.to_keras().get_config()["stddev"] == 0.1
    assert ref.GaussianDropout(0.25).to_keras().get_config()["rate"] == 0.25
    with pytest.raises(ref.InputError, match="channels_last"):
        ref.SpatialDropout2D(0.1, data_format="channels_first")
    with pytest.raises(ref.InputError, match="SpatialDropout1D rate"):
        ref.SpatialDropout1D(1.5)
    with pytest.raises(ref.InputError, match="3-D inputs"):
        ref.SpatialDropout1D(0.1)(np.ones((2, 3)), training=True)
    with pytest.raises(ref.InputError, match="stddev"):
        ref.GaussianNoise(2.0)
    with pytest.raises(ref.InputError, match=r"rate must be in \[0, 1\)"):
        ref.GaussianDropout(1.0)
