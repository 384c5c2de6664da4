"""``from_keras`` on functional models as keras-io writes them, sizes reduced for speed:
forward, loss, gradients and one optimizer step against Keras in float64 (rtol 1e-9),
and ``to_keras`` back.

Sources: the Keras functional API guide, https://keras.io/guides/functional_api/
(keras-io, Apache License 2.0): "Models with multiple inputs and outputs" and "A toy
ResNet model" (the corpus's ticket classifier and toy ResNet, ``deepkit.benchmarks.corpus``),
and "All models are callable, just like layers" (the encoder and the ensemble).
"""

import keras
import pytest
import tensorflow as tf
from keras import layers

from deepkit import reference as ref
from deepkit.benchmarks.corpus import CORPUS

from ._parity import assert_close, batch, keras_gradients, listed

RTOL = 1e-9


def corpus_model(name):
    """``make()`` for a model of the corpus (``deepkit.benchmarks.corpus``): the model
    and the vocabulary size of each of its word-index inputs, by input name."""
    entry = CORPUS[name]

    def make():
        model = entry.build()
        names = [x._keras_history.operation.name for x in model.inputs]
        return model, {names[i]: bound for i, bound in entry.integers.items()} or None

    make.__name__ = name
    return make


def encoder():
    """The autoencoder's encoder (guide: 28x28 images, 16 and 32 filters)."""
    encoder_input = keras.Input(shape=(14, 14, 1), name="original_img")
    x = layers.Conv2D(4, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(6, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(6, 3, activation="relu", padding="same")(x)
    x = layers.Conv2D(4, 3, activation="relu", padding="same")(x)
    encoder_output = layers.GlobalMaxPooling2D()(x)
    model = keras.Model(encoder_input, encoder_output, name="encoder")
    model.compile(optimizer="adam", loss="mse")  # the guide shows no compile here
    return model, None


def ensemble():
    """Three models averaged: nested functional models and ``average`` (guide: 128 inputs)."""

    def get_model():
        inputs = keras.Input(shape=(8,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1, model2, model3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(8,))
    y1, y2, y3 = model1(inputs), model2(inputs), model3(inputs)
    outputs = layers.average([y1, y2, y3])
    ensemble_model = keras.Model(inputs=inputs, outputs=outputs)
    ensemble_model.compile(optimizer="sgd", loss="mse")  # the guide shows no compile here
    return ensemble_model, None


MODELS = [corpus_model("ticket_classifier"), corpus_model("toy_resnet"), encoder, ensemble]


@pytest.mark.parametrize("make", MODELS, ids=[make.__name__ for make in MODELS])
def test_keras_io_functional_model_is_hosted_and_equal(make, float64):
    keras.utils.set_random_seed(4)
    model, integers = make()
    x, y = batch(model, "float64", n=6, integers=integers, steps=5)
    reference = ref.from_keras(model)
    assert reference.count_params() == model.count_params()
    assert_close(listed(reference(x)), listed(model(x)), RTOL)

    keras_loss, keras_grads = keras_gradients(model, traced=False)(x, y)  # no sigmoid, softmax
    loss, grads = reference.compute_gradients(x, y, training=False)
    assert_close([loss], [keras_loss], RTOL)
    assert_close(grads, [tf.convert_to_tensor(g).numpy() for g in keras_grads], RTOL)
    model.optimizer.apply_gradients(zip(keras_grads, model.trainable_variables))
    reference.apply_gradients()
    assert_close(reference.get_weights(), model.get_weights(), RTOL)

    back = reference.to_keras()
    assert [type(layer).__name__ for layer in back.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    assert_close(listed(back(x)), listed(reference(x)), RTOL)
