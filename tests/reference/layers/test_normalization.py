"""BatchNormalization and LayerNormalization against Keras's: training (batch
statistics, moving statistics updated), inference, a frozen layer, gradients,
and SGD steps through ``from_keras`` (float64 at rtol 1e-7, float32 at 1e-5)."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref

from ._parity import assert_close, layer_matches_keras, model_step_matches_keras


def _x(shape=(6, 4), dtype="float64", seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * 3 + 1).astype(dtype)


def _bn(**kwargs):
    def make():
        return keras.layers.BatchNormalization(
            beta_initializer="random_normal",
            gamma_initializer="random_uniform",
            moving_mean_initializer="random_normal",
            moving_variance_initializer="ones",
            **kwargs,
        )

    return make


@pytest.mark.parametrize("shape", [(6, 4), (3, 2, 3, 4)])
@pytest.mark.parametrize(
    "kwargs", [{}, {"momentum": 0.9, "epsilon": 0.1}, {"center": False}, {"scale": False}]
)
def test_batch_normalization_training_matches_keras_and_updates_moving_statistics(shape, kwargs):
    keras_layer, layer = layer_matches_keras(_bn(**kwargs), _x(shape), training=True)
    assert layer.weight_names[-2:] == ["moving_mean", "moving_variance"]
    for ours, theirs in zip(layer.get_weights(), keras_layer.get_weights(), strict=True):
        assert_close(ours, theirs, 1e-7)  # the moving statistics moved the same way


@pytest.mark.parametrize("training", [False, True])
def test_batch_normalization_inference_and_frozen_match_keras(training):
    """At inference, and always when frozen, the moving statistics normalize and stay put."""

    def frozen():
        layer = _bn()()
        layer.trainable = not training  # frozen when called with training=True
        return layer

    keras_layer, layer = layer_matches_keras(frozen, _x((5, 3, 4)), training=training)
    assert layer.trainable_weights == [] if training else len(layer.trainable_weights) == 2
    for ours, theirs in zip(layer.get_weights(), keras_layer.get_weights(), strict=True):
        assert_close(ours, theirs, 1e-7)


def test_batch_normalization_float32_matches_keras():
    keras_layer, layer = layer_matches_keras(_bn(), _x(dtype="float32"), training=True, rtol=1e-5)
    assert_close(layer.moving_variance, keras_layer.moving_variance.numpy(), 1e-5)


def test_batch_normalization_model_steps_match_keras_including_moving_statistics():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(8, 3)) * 2, rng.normal(size=(8, 1))
    model, reference = model_step_matches_keras(
        lambda: [keras.layers.Dense(4), _bn(momentum=0.8)(), keras.layers.Dense(1)], x, y, steps=3
    )
    assert len(reference.trainable_weights) == len(model.trainable_weights) == 6
    assert len(reference.weights) == len(model.weights) == 8
    # the optimizer's spans cover gamma and beta but not the moving statistics
    _, _, spans = reference._optimizer_targets()
    assert sum(end - start for start, end in spans[0]) == sum(
        w.size for w in reference.trainable_weights
    )


def test_frozen_batch_normalization_in_a_model_stays_in_inference_like_keras():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))

    def layers():
        bn = _bn()()
        bn.trainable = False
        return [keras.layers.Dense(4), bn, keras.layers.Dense(1)]

    model, reference = model_step_matches_keras(layers, x, y, steps=2)
    bn = reference.layers[1]
    assert bn.trainable_weights == [] and len(reference.trainable_weights) == 4


def test_batch_normalization_float32_model_step_matches_keras():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(8, 3)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    model_step_matches_keras(
        lambda: [keras.layers.Dense(4), _bn()(), keras.layers.Dense(1)], x, y, rtol=1e-5
    )


@pytest.mark.parametrize("shape", [(5, 6), (2, 3, 6)])
@pytest.mark.parametrize("kwargs", [{}, {"epsilon": 0.5, "center": False}, {"scale": False}])
def test_layer_normalization_matches_keras(shape, kwargs):
    def make():
        return keras.layers.LayerNormalization(
            beta_initializer="random_normal", gamma_initializer="random_uniform", **kwargs
        )

    for training in (False, True):
        layer_matches_keras(make, _x(shape), training=training)
    layer_matches_keras(make, _x(shape, "float32"), rtol=1e-5)


def test_layer_normalization_model_step_matches_keras():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 1))
    model_step_matches_keras(
        lambda: [keras.layers.Dense(5), keras.layers.LayerNormalization(), keras.layers.Dense(1)],
        x,
        y,
        steps=2,
    )


def test_unsupported_normalization_settings_are_refused():
    with pytest.raises(ref.InputError, match="axis=1 is not implemented"):
        ref.layers.BatchNormalization(axis=1).build((None, 3, 4))
    with pytest.raises(ref.InputError, match="renorm=True are not implemented"):
        ref.layers.BatchNormalization(renorm=True)
    model = keras.Sequential([keras.Input((3, 4)), keras.layers.BatchNormalization(axis=1)])
    with pytest.raises(ref.InputError, match=r"layer 'batch_normalization.*axis=1 is not"):
        ref.from_keras(model)
