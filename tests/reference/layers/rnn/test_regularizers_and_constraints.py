"""Regularizers and constraints on SimpleRNN, LSTM and GRU (both GRU variants), alone and
inside Bidirectional (each direction's copy its own), against Keras's: from_keras'd models
trained step by step, the loss with its penalties and every weight after each step equal
to Keras's; the MaxNorm bounds are tight enough that the updates cross them."""

import keras
import numpy as np
import pytest

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference import constraints, regularizers
from deepkit.reference.layers import LSTM, Bidirectional, SimpleRNN

from .._parity import assert_close

MAX_NORM = 0.4


def penalized(layer_class, units, **options):
    """A Keras recurrent layer with an L2 kernel regularizer, an L1 recurrent regularizer, a
    MaxNorm recurrent constraint, an L1 bias regularizer and a NonNeg bias constraint."""
    return layer_class(
        units,
        kernel_regularizer=keras.regularizers.L2(0.05),
        recurrent_regularizer=keras.regularizers.L1(0.02),
        bias_regularizer=keras.regularizers.L1(0.03),
        recurrent_constraint=keras.constraints.MaxNorm(MAX_NORM),
        bias_constraint=keras.constraints.NonNeg(),
        bias_initializer="random_normal",
        **options,
    )


def keras_model(dtype):
    """Input (5, 3) -> Dense -> SimpleRNN -> Bidirectional(LSTM) -> GRU -> Bidirectional(GRU
    with reset_after=False) -> Dense, each recurrent layer penalized and constrained, with
    activity regularizers on a layer and on a wrapper; Adam."""
    layers = keras.layers
    with keras_float_dtype(dtype):
        keras.utils.set_random_seed(0)
        model = keras.Sequential(
            [
                keras.Input((5, 3)),
                layers.Dense(3, activation="tanh"),
                penalized(layers.SimpleRNN, 4, return_sequences=True, activity_regularizer="l2"),
                layers.Bidirectional(penalized(layers.LSTM, 2, return_sequences=True)),
                penalized(layers.GRU, 3, return_sequences=True),
                layers.Bidirectional(
                    penalized(layers.GRU, 3, reset_after=False),
                    activity_regularizer=keras.regularizers.L1(0.01),
                ),
                layers.Dense(2),
            ]
        )
        model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", run_eagerly=True)
    return model


def recurrent_kernels(model):
    return [
        layer.recurrent_kernel
        for layer in regularizers.every_layer(model.layers)
        if hasattr(layer, "recurrent_kernel")
    ]


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-6)])
def test_penalized_and_constrained_models_train_like_keras(dtype, rtol):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 5, 3)).astype(dtype)
    y = (rng.normal(size=(6, 2)) * 3).astype(dtype)
    keras_net = keras_model(dtype)
    model = ref.from_keras(keras_net)
    kernels = recurrent_kernels(model)
    assert len(kernels) == 6  # each layer's and each direction's of the wrappers
    assert all(np.linalg.norm(k, axis=0).max() > MAX_NORM for k in kernels)
    assert regularizers.penalty(model) > 0
    for _ in range(3):
        with keras_float_dtype(dtype):
            keras_loss = float(keras_net.train_on_batch(x, y))
        assert model.train_on_batch(x, y) == pytest.approx(keras_loss, rel=rtol)
        for ours, theirs in zip(model.get_weights(), keras_net.get_weights(), strict=True):
            assert_close(ours, theirs, rtol, floor=1.0)
        for kernel in recurrent_kernels(model):  # Keras's constraint held them
            assert np.linalg.norm(kernel, axis=0).max() <= MAX_NORM * (1 + 1e-6)


def test_the_recurrent_arguments_name_the_recurrent_kernel():
    assert regularizers.WEIGHTS["recurrent_regularizer"] == "recurrent_kernel"
    assert constraints.WEIGHTS["recurrent_constraint"] == "recurrent_kernel"


def test_bidirectional_gives_its_backward_copy_the_regularizers_and_constraints():
    wrapper = Bidirectional(
        LSTM(3, recurrent_regularizer="l1", kernel_constraint="non_neg", bias_regularizer="l2")
    )
    model = ref.Sequential([ref.Input((4, 2)), wrapper], seed=0, dtype="float64")
    for layer in wrapper.sublayers:
        assert set(layer._regularizers) == {"recurrent_kernel", "bias"}
        assert set(layer._constraints) == {"kernel"}
    forward, backward = wrapper.sublayers
    assert backward.weight_penalty() > 0
    assert regularizers.penalty(model) == pytest.approx(
        forward.weight_penalty() + backward.weight_penalty(), rel=1e-12
    )


def test_penalties_match_keras_after_a_round_trip_through_keras():
    with keras_float_dtype("float64"):
        model = ref.Sequential(
            [
                ref.Input((4, 2)),
                Bidirectional(
                    SimpleRNN(
                        3,
                        return_sequences=True,
                        recurrent_regularizer=regularizers.L1(0.1),
                        recurrent_constraint=constraints.UnitNorm(),
                    ),
                    activity_regularizer="l1",
                ),
                ref.GRU(2, reset_after=False, kernel_regularizer="l2", activity_regularizer="l2"),
            ],
            seed=0,
            dtype="float64",
        )
        keras_net = model.to_keras()
        wrapper, gru = keras_net.layers
        for layer in (wrapper.forward_layer, wrapper.backward_layer):
            assert layer.recurrent_regularizer.get_config() == pytest.approx({"l1": 0.1})
            assert isinstance(layer.recurrent_constraint, keras.constraints.UnitNorm)
        assert wrapper.activity_regularizer is not None
        assert gru.kernel_regularizer.get_config() == {"l2": 0.01}
        x = np.random.default_rng(2).normal(size=(3, 4, 2))
        keras_net(x)
    model(x)
    assert len(keras_net.losses) == 5  # three weights' penalties and two activities'
    assert float(sum(keras_net.losses)) == pytest.approx(regularizers.penalty(model), rel=1e-12)
    again = ref.from_keras(keras_net)
    assert again.layers[0].activity_regularizer.get_config() == {"l1": pytest.approx(0.01)}
