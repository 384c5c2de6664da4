"""The NumPy reference's RandomFlip, RandomTranslation, RandomRotation and RandomZoom
against Keras's: the identity at inference (alone and in a model), and in training with
the per-image values Keras draws injected (``fixed_parameters``): outputs equal to
Keras's ``transform_images`` in float64 and float32 over the fill modes and
interpolations, input gradients equal to tf.GradientTape's where TensorFlow's
registered gradient is the derivative (flips, translations with fill_mode="constant"),
the transpose of the resampling everywhere, and a model's training step."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference.layers import LAYERS, affine

from ._parity import assert_close, model_step_matches_keras

MAKERS = {
    "RandomFlip": lambda **kw: keras.layers.RandomFlip(**kw),
    "RandomTranslation": lambda **kw: keras.layers.RandomTranslation(0.3, 0.4, **kw),
    "RandomRotation": lambda **kw: keras.layers.RandomRotation(0.3, **kw),
    "RandomZoom": lambda **kw: keras.layers.RandomZoom(0.4, **kw),
}


def keras_draws(keras_layer, shape, dtype, seed):
    """Keras's transformation of a batch of ``shape`` from a fresh SeedGenerator(seed),
    and the reference's ``fixed_parameters`` holding the same draws. (Keras's
    RandomRotation cannot draw under a float64 floatx: it always draws in float32.)"""
    rotation = isinstance(keras_layer, keras.layers.RandomRotation)
    with keras_float_dtype("float32" if rotation else dtype):
        t = keras_layer.get_random_transformation(
            np.zeros(shape, dtype), training=True, seed=keras.random.SeedGenerator(seed)
        )
    if "flips" in t:
        parameters = np.reshape(t["flips"], -1)
    elif "translations" in t:
        parameters = t["translations"]
    elif "angle" in t:
        parameters = t["angle"]
    else:
        parameters = np.concatenate([t["width_zoom"], t["height_zoom"]], axis=1)
    return t, np.asarray(parameters)


def keras_transform(keras_layer, x, transformation, upstream):
    """Keras's transform_images(x) and d sum(outputs * upstream) / dx (tf.GradientTape)."""
    inputs = tf.constant(x)
    with keras_float_dtype(x.dtype.name), tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = keras_layer.transform_images(inputs, transformation, training=True)
        objective = tf.reduce_sum(outputs * upstream)
    return outputs.numpy(), tape.gradient(objective, inputs).numpy()


def reference_of(keras_layer, parameters):
    layer = LAYERS[type(keras_layer).__name__].from_keras(keras_layer)
    layer.fixed_parameters = parameters
    return layer


@pytest.mark.parametrize("name", list(MAKERS))
def test_identity_at_inference(name):
    x = np.random.default_rng(0).normal(size=(2, 4, 5, 3))
    with keras_float_dtype("float64"):
        keras_layer = MAKERS[name]()
        np.testing.assert_array_equal(keras_layer(x, training=False), x)
    layer = LAYERS[name].from_keras(keras_layer)
    assert layer(x) is x and layer.backprop(x) is x
    assert layer.compute_output_shape((None, 4, 5, 3)) == (None, 4, 5, 3)


def test_predict_in_a_model_is_keras_predict():
    x = np.random.default_rng(1).normal(size=(3, 6, 5, 2))
    with keras_float_dtype("float64"):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [keras.Input((6, 5, 2)), *(make() for make in MAKERS.values())]
            + [keras.layers.Conv2D(2, 3), keras.layers.Flatten(), keras.layers.Dense(1)]
        )
        expected = model.predict(x, verbose=0)
    reference = ref.from_keras(model)
    assert [type(layer).__name__ for layer in reference.layers[:4]] == list(MAKERS)
    assert_close(reference.predict(x), expected, 1e-12)


FLIPS_TRANSLATIONS_ZOOMS = [
    lambda: keras.layers.RandomFlip("horizontal", seed=1),
    lambda: keras.layers.RandomFlip("vertical", seed=2),
    lambda: keras.layers.RandomFlip(seed=3),
    lambda: keras.layers.RandomTranslation(0.5, 0.6, seed=4),
    lambda: keras.layers.RandomTranslation((-0.9, 0.2), 1.0, fill_mode="wrap", seed=5),
    lambda: keras.layers.RandomTranslation(0.8, (0.3, -0.7), fill_mode="nearest", seed=6),
    lambda: keras.layers.RandomTranslation(
        0.7, 0.7, fill_mode="constant", fill_value=0.5, interpolation="nearest", seed=7
    ),
    lambda: keras.layers.RandomTranslation(0.9, 0.9, interpolation="nearest", seed=8),
    lambda: keras.layers.RandomZoom(0.6, seed=9),
    lambda: keras.layers.RandomZoom((-0.5, 0.9), (0.2, 0.8), fill_mode="wrap", seed=10),
    lambda: keras.layers.RandomZoom(0.7, 0.5, fill_mode="constant", fill_value=-1.0, seed=11),
    lambda: keras.layers.RandomZoom(0.8, fill_mode="nearest", interpolation="nearest", seed=12),
]


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-6)])
@pytest.mark.parametrize("make", FLIPS_TRANSLATIONS_ZOOMS)
def test_training_with_keras_draws_matches_keras(make, dtype, rtol):
    """As TensorFlow's kernel, the resampling computes in float32: float64 outputs
    agree to the last bit too."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 5, 7, 2)).astype(dtype)
    with keras_float_dtype(dtype):
        keras_layer = make()
    transformation, parameters = keras_draws(keras_layer, x.shape, dtype, keras_layer.seed)
    expected, _ = keras_transform(keras_layer, x, transformation, np.ones_like(x))
    layer = reference_of(keras_layer, parameters)
    y = layer(x, training=True)
    assert y.dtype == x.dtype
    assert_close(y, expected, rtol)
    np.testing.assert_array_equal(layer.parameters, parameters)


ROTATIONS = [
    lambda: keras.layers.RandomRotation(0.5, seed=1),
    lambda: keras.layers.RandomRotation((-0.3, 0.2), fill_mode="wrap", seed=2),
    lambda: keras.layers.RandomRotation(0.4, fill_mode="nearest", interpolation="nearest", seed=3),
    lambda: keras.layers.RandomRotation(1.0, fill_mode="constant", fill_value=2.0, seed=4),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("make", ROTATIONS)
def test_rotation_with_keras_angles_matches_keras(make, dtype):
    """Resampled by Keras's own matrix, the outputs agree to the last bit; from the
    angles, the float32 cosines and sines of NumPy and TensorFlow may differ by one
    unit in the last place, and the outputs by as much."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 5, 7, 2)).astype(dtype)
    with keras_float_dtype(dtype):
        keras_layer = make()
    transformation, angles = keras_draws(keras_layer, x.shape, dtype, keras_layer.seed)
    expected, _ = keras_transform(keras_layer, x, transformation, np.ones_like(x))
    layer = reference_of(keras_layer, angles)
    matrices = np.asarray(transformation["rotation_matrix"])[:, :6]
    assert_close(layer._matrices(angles, 5, 7), matrices, 1e-6)
    exact, _ = affine.transform(x, matrices, layer.interpolation, layer.fill_mode, layer.fill_value)
    assert_close(exact, expected, 1e-12 if dtype == "float64" else 1e-6)
    assert_close(layer(x, training=True), expected, 1e-5)


@pytest.mark.parametrize("fill_mode", affine.FILL_MODES)
@pytest.mark.parametrize("interpolation", affine.INTERPOLATIONS)
def test_half_pixel_points_round_and_fill_as_tensorflow(fill_mode, interpolation):
    """Shifts by halves put sample points on pixel borders and outside the image:
    nearest rounds halves away from zero, the fill modes fold them back as TensorFlow."""
    x = np.random.default_rng(4).normal(size=(6, 4, 5, 1))
    with keras_float_dtype("float64"):
        keras_layer = keras.layers.RandomTranslation(
            1.0, 1.0, fill_mode=fill_mode, interpolation=interpolation, fill_value=0.25
        )
    shifts = np.array([[0.5, -0.5], [-1.5, 2.5], [4.5, -3.5], [-7.5, 9.0], [13.5, -8.5], [0, 0]])
    transformation = {"translations": tf.constant(shifts, tf.float32)}
    expected, _ = keras_transform(keras_layer, x, transformation, np.ones_like(x))
    assert_close(reference_of(keras_layer, shifts)(x, training=True), expected, 1e-12)


GRADIENT_CASES = [
    lambda: keras.layers.RandomFlip("horizontal", seed=1),
    lambda: keras.layers.RandomFlip("vertical", seed=2),
    lambda: keras.layers.RandomFlip(seed=3),
    lambda: keras.layers.RandomTranslation(0.6, 0.7, fill_mode="constant", seed=4),
    lambda: keras.layers.RandomTranslation(
        (-0.2, 0.8), 0.5, fill_mode="constant", interpolation="nearest", seed=5
    ),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("make", GRADIENT_CASES)
def test_input_gradient_matches_keras(make, dtype):
    """TensorFlow differentiates its resampling by resampling the gradient with the
    inverse matrix (in float32): the derivative itself for these cases."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(6, 5, 7, 2)).astype(dtype)
    upstream = rng.normal(size=x.shape).astype(dtype)
    with keras_float_dtype(dtype):
        keras_layer = make()
    transformation, parameters = keras_draws(keras_layer, x.shape, dtype, keras_layer.seed)
    _, expected = keras_transform(keras_layer, x, transformation, upstream)
    layer = reference_of(keras_layer, parameters)
    layer(x, training=True)
    dx = layer.backprop(upstream)
    assert dx.dtype == x.dtype
    assert_close(dx, expected, 1e-6)


TRANSPOSE_CASES = [
    (ref.RandomTranslation, (0.9, 0.9), [[1.3, -2.6], [-3.5, 0.25]]),
    (ref.RandomRotation, (0.5,), [37.0, -151.0]),
    (ref.RandomZoom, (0.9, 0.9), [[0.45, 1.7], [1.9, 0.6]]),
]


@pytest.mark.parametrize("fill_mode", affine.FILL_MODES)
@pytest.mark.parametrize("interpolation", affine.INTERPOLATIONS)
@pytest.mark.parametrize("cls, args, parameters", TRANSPOSE_CASES)
def test_backward_is_the_transpose_of_the_resampling(
    cls, args, parameters, fill_mode, interpolation
):
    """For fixed parameters the outputs are linear in the inputs (y = J x): the
    Jacobian's columns are the outputs of one-hot images, and backward(g) = J^T g."""
    n, shape = 2, (4, 5, 2)
    size = int(np.prod(shape))
    layer = cls(*args, fill_mode=fill_mode, interpolation=interpolation, fill_value=0.0)
    layer.fixed_parameters = np.repeat(np.asarray(parameters), size, axis=0)
    one_hot = np.tile(np.eye(size).reshape(size, *shape), (n, 1, 1, 1))
    columns = layer(one_hot, training=True).reshape(n, size, size)  # (image, column, row)
    upstream = np.random.default_rng(6).normal(size=(n, *shape))
    layer.fixed_parameters = np.asarray(parameters)
    layer(np.zeros((n, *shape)), training=True)
    expected = np.einsum("nji,ni->nj", columns, upstream.reshape(n, size))
    assert_close(layer.backprop(upstream).reshape(n, size), expected, 1e-6)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_model_step_with_keras_draws_matches_keras(monkeypatch, dtype):
    """One training step, each augmentation layer given the draws Keras's seeded
    generator makes in train_on_batch; the flip and translation follow a Conv2D, so
    their input gradients train it."""
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(4, 6, 5, 2)).astype(dtype), rng.normal(size=(4, 1)).astype(dtype)

    def make_layers():
        return [
            keras.layers.RandomZoom(0.3, 0.2, seed=1, name="zoom"),
            keras.layers.Conv2D(3, 3, padding="same"),
            keras.layers.RandomFlip(seed=2, name="flip"),
            keras.layers.RandomTranslation(0.4, 0.4, fill_mode="constant", seed=3, name="shift"),
            keras.layers.Flatten(),
            keras.layers.Dense(1),
        ]

    shapes = {"zoom": x.shape, "flip": (4, 6, 5, 3), "shift": (4, 6, 5, 3)}
    with keras_float_dtype(dtype):
        draws = {
            layer.name: keras_draws(layer, shapes[layer.name], dtype, layer.seed)[1]
            for layer in make_layers()
            if layer.name in shapes
        }
    original = ref.from_keras

    def from_keras_with_keras_draws(model):
        reference = original(model)
        for layer in reference.layers:
            if layer.name in draws:
                layer.fixed_parameters = draws[layer.name]
        return reference

    monkeypatch.setattr(ref, "from_keras", from_keras_with_keras_draws)
    model_step_matches_keras(make_layers, x, y, rtol=1e-5)


def test_own_draws_follow_keras_distributions():
    x = np.ones((4000, 3, 4, 1))
    flip = ref.RandomFlip(seed=0)
    flip(x, training=True)
    assert flip.parameters.mean() == pytest.approx(0.5, abs=0.03)
    shift = ref.RandomTranslation((-0.2, 0.5), 0.25, seed=1)
    shift(x, training=True)
    dx, dy = shift.parameters.T
    assert (
        dy.min() >= -0.2 * 3 and dy.max() <= 0.5 * 3 and dy.mean() == pytest.approx(0.45, abs=0.03)
    )
    assert dx.min() >= -1 and dx.max() <= 1 and dx.mean() == pytest.approx(0, abs=0.03)
    rotation = ref.RandomRotation(0.1, seed=2)
    rotation(x, training=True)
    assert np.abs(rotation.parameters).max() <= 36
    assert rotation.parameters.std() == pytest.approx(72 / 12**0.5, rel=0.05)
    zoom = ref.RandomZoom(0.3, seed=3)
    zoom(x, training=True)
    assert (zoom.parameters[:, 0] == zoom.parameters[:, 1]).all()
    assert zoom.parameters.min() >= 0.7 and zoom.parameters.max() <= 1.3
    again = ref.RandomZoom(0.3, seed=3)
    again(x, training=True)
    np.testing.assert_array_equal(again.parameters, zoom.parameters)


def test_configs_round_trip_through_keras():
    for name, make in MAKERS.items():
        keras_layer = make(seed=5, data_format="channels_last")
        layer = LAYERS[name].from_keras(keras_layer)
        again = layer.to_keras().get_config()
        assert {k: again[k] for k in again if k != "name"} == {
            k: v for k, v in keras_layer.get_config().items() if k != "name"
        }


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: ref.RandomFlip(data_format="channels_first"), "channels_last"),
        (lambda: ref.RandomTranslation(0.1, 0.1, data_format="channels_first"), "channels_last"),
        (lambda: ref.RandomRotation(0.1, data_format="channels_first"), "channels_last"),
        (lambda: ref.RandomZoom(0.1, data_format="channels_first"), "channels_last"),
        (lambda: ref.RandomFlip("diagonal"), "RandomFlip mode"),
        (lambda: ref.RandomTranslation(0.1, 1.5), "width_factor"),
        (lambda: ref.RandomTranslation((0.1, 0.2, 0.3), 0.1), "height_factor"),
        (lambda: ref.RandomRotation(1.5), "RandomRotation factor"),
        (lambda: ref.RandomRotation((2.0, 3.0)), "RandomRotation factor"),
        (lambda: ref.RandomZoom(-1.0), "RandomZoom height_factor"),
        (lambda: ref.RandomZoom(0.1, "wide"), "RandomZoom width_factor"),
        (lambda: ref.RandomZoom(0.1, fill_mode="mirror"), "fill_mode"),
        (lambda: ref.RandomRotation(0.1, interpolation="bicubic"), "interpolation"),
    ],
)
def test_bad_arguments_are_refused(make, message):
    with pytest.raises(ref.InputError, match=message):
        make()


def test_unsupported_inputs_and_settings_are_refused():
    with pytest.raises(ref.InputError, match="4-D inputs"):
        ref.RandomFlip()(np.ones((4, 5, 3)), training=True)
    zoom = ref.RandomZoom(0.2)
    zoom.fixed_parameters = np.ones((3, 2))
    with pytest.raises(ref.InputError, match="3 rows for a batch of 2"):
        zoom(np.ones((2, 4, 4, 1)), training=True)
    boxes = keras.layers.RandomFlip(bounding_box_format="xyxy")
    with pytest.raises(ref.InputError, match="bounding_box_format"):
        LAYERS["RandomFlip"].from_keras(boxes)
