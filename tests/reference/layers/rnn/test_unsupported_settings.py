"""Keras recurrent settings the NumPy reference does not implement are refused by name (an
InputError) unless they have Keras's default, by the constructors and by from_keras;
their defaults, and what does not change the numbers, are accepted."""

import keras
import numpy as np
import pytest

from deepkit.reference.layers import GRU, LAYERS, LSTM, Bidirectional, SimpleRNN
from deepkit.validation import InputError

from .._parity import layer_matches_keras

DEFAULTS = {
    "return_state": False,
    "stateful": False,
    "unroll": False,
    "zero_output_for_mask": False,
}
GATED_DEFAULTS = {**DEFAULTS, "use_cudnn": "auto", "implementation": 2}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: LSTM(3, return_state=True), "return_state=True"),
        (lambda: GRU(3, stateful=True), "stateful=True"),
        (lambda: SimpleRNN(3, unroll=True), "unroll=True"),
        (lambda: SimpleRNN(3, zero_output_for_mask=True), "zero_output_for_mask=True"),
        (
            lambda: GRU(3, use_cudnn=True),
            r"use_cudnn=True .*only use_cudnn='auto' or use_cudnn=False",
        ),
        (lambda: GRU(3, implementation=1), "implementation=1"),
        (lambda: SimpleRNN(3, use_cudnn="auto"), "use_cudnn"),  # Keras's SimpleRNN has none
        (lambda: LSTM(3, time_major=True), "time_major"),  # nor has any Keras 3 layer
        (lambda: Bidirectional(LSTM(3), merge_mode=None), "merge_mode=None"),
    ],
)
def test_constructors_refuse_settings_they_do_not_implement(make, message):
    with pytest.raises(InputError, match=message):
        make()


def test_constructors_accept_the_keras_defaults():
    SimpleRNN(3, **DEFAULTS)
    LSTM(3, **GATED_DEFAULTS)
    GRU(3, **GATED_DEFAULTS)
    LSTM(3, use_cudnn=False)  # the loop Keras runs without cuDNN is the reference's


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: keras.layers.LSTM(3, return_state=True), "return_state=True"),
        (lambda: keras.layers.GRU(3, stateful=True), "stateful=True"),
        (lambda: keras.layers.SimpleRNN(3, unroll=True), "unroll=True"),
        (lambda: keras.layers.GRU(3, use_cudnn=True), "use_cudnn=True"),
        (
            lambda: keras.layers.Bidirectional(keras.layers.LSTM(3, use_cudnn=True)),
            "use_cudnn=True",
        ),
        (lambda: keras.layers.LSTM(3, dropout=0.2, implementation=1), "implementation=1"),
        (lambda: keras.layers.GRU(3, dropout=0.2, implementation=1), "implementation=1"),
        (
            lambda: keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode=None),
            "merge_mode=None",
        ),
    ],
)
def test_from_keras_refuses_settings_it_does_not_implement(make, message):
    keras_layer = make()
    with pytest.raises(InputError, match=message):
        LAYERS[type(keras_layer).__name__].from_keras(keras_layer)


class Custom(keras.regularizers.Regularizer):
    def __call__(self, x):
        return keras.ops.sum(x)

    def get_config(self):
        return {}


def test_from_keras_refuses_a_custom_regularizer_by_name():
    keras_layer = keras.layers.LSTM(3, recurrent_regularizer=Custom())
    with pytest.raises(InputError, match="regularizer 'Custom' is not implemented"):
        LAYERS["LSTM"].from_keras(keras_layer)


@pytest.mark.parametrize(
    "make",
    [
        # Keras's Bidirectional sets zero_output_for_mask on its layers: without a mask it
        # never acts
        lambda: keras.layers.Bidirectional(keras.layers.LSTM(3, return_sequences=True)),
        lambda: keras.layers.SimpleRNN(3, zero_output_for_mask=True),
        # without input dropout, one input mask per gate changes nothing
        lambda: keras.layers.LSTM(3, implementation=1),
        lambda: keras.layers.GRU(3, implementation=1, dropout=0.2, recurrent_dropout=0.1),
        lambda: keras.layers.GRU(3, use_cudnn="auto", reset_after=False),
        # the kernel choice: without cuDNN "auto" runs the loop that False asks for
        lambda: keras.layers.LSTM(3, use_cudnn=False),
        lambda: keras.layers.Bidirectional(keras.layers.GRU(3, use_cudnn=False)),
    ],
)
def test_from_keras_accepts_what_does_not_change_the_numbers(make):
    keras_layer = make()
    layer = LAYERS[type(keras_layer).__name__].from_keras(keras_layer)
    assert type(layer).__name__ == type(keras_layer).__name__


@pytest.mark.parametrize("cell", [keras.layers.LSTM, keras.layers.GRU])
def test_use_cudnn_false_computes_what_the_reference_computes(cell):
    x = np.random.default_rng(0).normal(size=(4, 5, 3))
    layer_matches_keras(lambda: cell(6, use_cudnn=False, return_sequences=True), x)
