"""DepthwiseConv2D and SeparableConv2D against Keras's (float64 at rtol 1e-10, float32 at
1e-5): depth multipliers 1 to 3, both paddings, strides, a training step, and the
hand-written backward pass against central finite differences. Weights are copied
from Keras."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref
from deepkit.reference.layers import DepthwiseConv2D, SeparableConv2D

from ._parity import (
    backward_matches_finite_differences,
    layer_matches_keras,
    model_step_matches_keras,
)

# (kernel, strides, padding, depth_multiplier); TensorFlow's depthwise convolution
# takes equal strides along both axes only.
CASES = [
    (3, 1, "valid", 1),
    (3, 2, "same", 2),
    ((2, 3), 2, "same", 3),
    (4, 3, "valid", 1),
    (2, 2, "same", 1),
]


@pytest.mark.parametrize(
    "make_layer",
    [
        lambda **kwargs: keras.layers.DepthwiseConv2D(activation="tanh", **kwargs),
        lambda **kwargs: keras.layers.SeparableConv2D(4, activation="relu", **kwargs),
    ],
    ids=["DepthwiseConv2D", "SeparableConv2D"],
)
@pytest.mark.parametrize("kernel, strides, padding, depth_multiplier", CASES)
def test_depthwise_layers_match_keras_float64(
    make_layer, kernel, strides, padding, depth_multiplier
):
    x = np.random.default_rng(0).normal(size=(2, 7, 6, 3))
    layer_matches_keras(
        lambda: make_layer(
            kernel_size=kernel,
            strides=strides,
            padding=padding,
            depth_multiplier=depth_multiplier,
            bias_initializer="random_normal",
        ),
        x,
        rtol=1e-10,
    )


def test_depthwise_layers_match_keras_float32():
    x = np.random.default_rng(1).normal(size=(2, 6, 5, 3)).astype("float32")
    layer_matches_keras(
        lambda: keras.layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2), x, rtol=1e-5
    )
    layer_matches_keras(
        lambda: keras.layers.SeparableConv2D(2, 3, strides=2, use_bias=False), x, rtol=1e-5
    )


def test_depthwise_layers_in_a_model_train_like_keras(float64):
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(4, 6, 6, 2)), rng.normal(size=(4, 1))
    model_step_matches_keras(
        lambda: [
            keras.layers.DepthwiseConv2D(3, depth_multiplier=2, activation="relu"),
            keras.layers.SeparableConv2D(3, 2, strides=2, padding="same"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(1),
        ],
        x,
        y,
        rtol=1e-10,
        steps=3,
    )


def test_backward_passes_match_finite_differences():
    backward_matches_finite_differences(
        DepthwiseConv2D((2, 3), strides=2, padding="same", depth_multiplier=2)
    )
    backward_matches_finite_differences(SeparableConv2D(3, 2, depth_multiplier=2))


def test_weights_shapes_and_refusals():
    layer = SeparableConv2D(5, 3, depth_multiplier=2)
    layer.build((None, 8, 8, 3))
    assert layer.weight_names == ["depthwise_kernel", "pointwise_kernel", "bias"]
    assert [w.shape for w in layer.weights] == [(3, 3, 3, 2), (1, 1, 6, 5), (5,)]
    depthwise = DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2)
    depthwise.build((None, 7, 7, 3))
    assert depthwise.weight_names == ["kernel", "bias"]
    assert depthwise.compute_output_shape((None, 7, 7, 3)) == (None, 4, 4, 6)
    with pytest.raises(ref.InputError, match="dilation_rate=1 only"):
        DepthwiseConv2D(3, dilation_rate=2)
    with pytest.raises(ref.InputError, match="depth_multiplier must be a positive int"):
        DepthwiseConv2D(3, depth_multiplier=0)
    with pytest.raises(ref.InputError, match="filters must be a positive int"):
        SeparableConv2D(0, 3)
    with pytest.raises(ref.InputError, match="larger than its input"):
        ref.Sequential([ref.Input((2, 2, 1)), DepthwiseConv2D(3)])
    with pytest.raises(ref.InputError, match="3 input channels"):
        depthwise(np.zeros((1, 7, 7, 2), "float32"))
