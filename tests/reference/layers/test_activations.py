"""ReLU, LeakyReLU, PReLU, ELU and Softmax layers against Keras's (float64 at rtol
1e-7, float32 at 1e-5; PReLU at 1e-12 and 1e-6, alpha's gradient included), the
kinks included."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref

from ._parity import (
    backward_matches_finite_differences,
    layer_matches_keras,
    model_step_matches_keras,
)


def _inputs(dtype="float64"):
    x = np.random.default_rng(0).normal(size=(4, 7)) * 4
    x[0, :6] = [0.0, 6.0, 1.5, -1.5, 2.0, 0.5]  # on the kinks of the settings below
    return x.astype(dtype)


LAYERS = [
    lambda: keras.layers.ReLU(),
    lambda: keras.layers.ReLU(max_value=6.0),
    lambda: keras.layers.ReLU(max_value=2.0),
    lambda: keras.layers.ReLU(negative_slope=0.1),
    lambda: keras.layers.ReLU(threshold=1.5),
    lambda: keras.layers.ReLU(max_value=6.0, threshold=0.5),
    lambda: keras.layers.ReLU(max_value=2.0, negative_slope=0.2, threshold=1.5),
    lambda: keras.layers.ReLU(negative_slope=0.3, threshold=1.0),
    lambda: keras.layers.LeakyReLU(),
    lambda: keras.layers.LeakyReLU(negative_slope=0.05),
    lambda: keras.layers.LeakyReLU(negative_slope=1.5),  # steeper below 0: max(x, 1.5 x) is wrong
    lambda: keras.layers.ELU(),
    lambda: keras.layers.ELU(alpha=0.5),
    lambda: keras.layers.Softmax(),
]


@pytest.mark.parametrize("make", LAYERS)
def test_activation_layer_matches_keras_float64(make):
    layer_matches_keras(make, _inputs())


def test_softmax_layer_over_another_axis_matches_keras():
    x = np.random.default_rng(1).normal(size=(2, 3, 4))
    layer_matches_keras(lambda: keras.layers.Softmax(axis=1), x)
    layer_matches_keras(lambda: keras.layers.Softmax(axis=[1]), x)


@pytest.mark.parametrize("make", LAYERS[::3])
def test_activation_layer_matches_keras_float32(make):
    layer_matches_keras(make, _inputs("float32"), rtol=1e-5)


def test_keras_defaults_and_settings_are_kept():
    assert ref.layers.LeakyReLU().negative_slope == 0.3  # the layer's default, not 0.2
    elu = ref.layers.LAYERS["ELU"].from_keras(keras.layers.ELU(alpha=0.5))
    assert elu.alpha == 0.5
    relu = ref.layers.LAYERS["ReLU"].from_keras(keras.layers.ReLU(6.0, 0.1, 0.5))
    assert (relu.max_value, relu.negative_slope, relu.threshold) == (6.0, 0.1, 0.5)
    assert type(ref.layers.Softmax(axis=1).to_keras()) is keras.layers.Softmax
    with pytest.raises(ref.InputError, match="negative_slope must be a number >= 0"):
        ref.layers.ReLU(negative_slope=-1.0)


def test_final_softmax_layer_feeds_its_logits_to_the_loss_like_keras():
    """A saturated Softmax layer: Keras computes the cross-entropy from its logits in fit."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 3)) * 30
    y = np.eye(3)[rng.integers(0, 3, 6)]
    model_step_matches_keras(
        lambda: [
            keras.layers.Dense(4, kernel_initializer="ones"),
            keras.layers.LeakyReLU(),
            keras.layers.Dense(3, kernel_initializer="random_normal"),
            keras.layers.Softmax(),
        ],
        x,
        y,
        loss="categorical_crossentropy",
        steps=2,
    )


def test_relu_and_elu_layers_in_a_model_step_like_keras():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Dense(5),
            keras.layers.ReLU(max_value=1.0, negative_slope=0.1),
            keras.layers.Dense(4),
            keras.layers.ELU(alpha=0.7),
            keras.layers.Dense(1),
        ],
        x,
        y,
        steps=2,
    )


PRELU_CASES = [
    (None, (3, 4, 5)),
    (1, (3, 4, 5)),
    ([2], (3, 4, 5)),
    ([1, 2], (2, 3, 4, 2)),
    ((1, 3), (2, 3, 4, 2)),
]


def _prelu_inputs(shape, dtype="float64"):
    x = np.random.default_rng(5).normal(size=shape)
    x.flat[::7] = 0.0  # the kink: gradient 0 there, as the two relus give
    return x.astype(dtype)


@pytest.mark.parametrize("shared_axes, shape", PRELU_CASES)
def test_prelu_matches_keras_float64(shared_axes, shape):
    keras_layer, layer = layer_matches_keras(
        lambda: keras.layers.PReLU("random_normal", shared_axes=shared_axes),
        _prelu_inputs(shape),
        rtol=1e-12,
    )
    assert layer.weight_names == ["alpha"] == [w.name for w in keras_layer.weights]
    assert layer.alpha.shape == tuple(keras_layer.alpha.shape)


@pytest.mark.parametrize("shared_axes, shape", PRELU_CASES[::2])
def test_prelu_matches_keras_float32(shared_axes, shape):
    layer_matches_keras(
        lambda: keras.layers.PReLU("random_normal", shared_axes=shared_axes),
        _prelu_inputs(shape, "float32"),
        rtol=1e-6,
    )


def test_prelu_backward_pass_matches_finite_differences():
    layer = ref.layers.PReLU(alpha_initializer="random_normal", shared_axes=[2])
    backward_matches_finite_differences(layer, input_shape=(3, 4, 2))


def test_prelu_in_a_model_step_like_keras():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(5, 4, 3)), rng.normal(size=(5, 4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.Dense(4),
            keras.layers.PReLU(keras.initializers.Constant(0.25), shared_axes=1),
            keras.layers.Dense(3),
            keras.layers.PReLU("random_uniform", alpha_regularizer=keras.regularizers.L2(0.1)),
            keras.layers.Dense(1),
        ],
        x,
        y,
        steps=2,
    )


def test_prelu_settings_and_refusals():
    layer = ref.layers.LAYERS["PReLU"].from_keras(keras.layers.PReLU(shared_axes=2))
    assert layer.shared_axes == [2] and layer.name.startswith("p_re_lu")
    back = layer.to_keras().get_config()
    assert back["shared_axes"] == [2] and back["alpha_initializer"]["class_name"] == "Zeros"
    constrained = ref.layers.LAYERS["PReLU"].from_keras(
        keras.layers.PReLU(alpha_constraint="non_neg")
    )
    assert constrained.to_keras().get_config()["alpha_constraint"]["class_name"] == "NonNeg"
    with pytest.raises(ref.InputError, match="shared_axes"):
        ref.layers.PReLU(shared_axes=[-1])
    with pytest.raises(ref.InputError, match="shared axis 3"):
        ref.layers.PReLU(shared_axes=3).build((None, 4, 5))
