"""Convolutional networks: the ``mnist_cnn`` builder (layers, options, augmentation in
training only) and the NumPy reference of keras-io's convnet against Keras (forward, gradients with an
injected dropout mask, optimizer steps and a fit trajectory; float64 rtol 1e-7, float32 1e-5)."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.models import mnist_cnn
from deepkit.reference.layers import Conv2D, Flatten, MaxPooling2D
from deepkit.validation import InputError


def test_cnn_matches_keras_io_convnet():
    model = mnist_cnn(seed=0)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dropout",
        "Dense",
    ]
    conv1, conv2 = (layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    assert (conv1.filters, conv1.kernel_size, conv2.filters) == (32, (3, 3), 64)
    assert model.get_layer("dropout").rate == 0.5
    assert model.output_shape == (None, 10)
    assert model.count_params() == 34826  # keras-io's "Simple MNIST convnet" summary


def test_cnn_options_and_errors():
    model = mnist_cnn(dropout=0.25, num_classes=5, filters=(8,), seed=0)
    assert model.get_layer("dropout").rate == 0.25 and model.output_shape == (None, 5)
    assert "dropout" not in [layer.name for layer in mnist_cnn(dropout=0.0).layers]
    with pytest.raises(ValueError, match="dropout must be in"):
        mnist_cnn(dropout=1.0)
    with pytest.raises(ValueError, match="shift must be"):
        mnist_cnn(shift=-0.1)


def test_random_shifts_act_in_training_only():
    model = mnist_cnn(shift=0.2, seed=0)
    shift = model.get_layer("shift")
    assert isinstance(shift, keras.layers.RandomTranslation)
    x = np.zeros((4, 28, 28, 1), "float32")
    x[:, 10:18, 10:18] = 1.0
    np.testing.assert_array_equal(shift(x, training=False), x)
    moved = np.asarray(shift(x, training=True))
    assert not np.allclose(moved, x)
    assert np.abs(moved.sum(axis=(1, 2, 3)) - 64).max() < 64  # shifted, not erased


def keras_io_convnet(dropout=0.5, filters=(8, 16)):
    """keras-io's MNIST convnet (smaller filter counts keep the test fast)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(filters[0], (3, 3), activation="relu"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Conv2D(filters[1], (3, 3), activation="relu"),
            keras.layers.MaxPooling2D((2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def digits_batch(n, rng):
    x = rng.random((n, 28, 28, 1))
    y = np.eye(10)[rng.integers(0, 10, n)]
    return x, y


def test_convnet_from_keras_forward_loss_and_gradients_with_injected_dropout_mask(float64):
    rng = np.random.default_rng(4)
    model = keras_io_convnet()
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    reference = ref.from_keras(model)
    assert [type(layer).__name__ for layer in reference.layers] == [
        type(layer).__name__ for layer in model.layers
    ]
    assert reference.dtype == "float64" and reference.count_params() == model.count_params()
    x, y = digits_batch(8, rng)
    np.testing.assert_allclose(
        reference.predict(x), model.predict(x, verbose=0), rtol=1e-7, atol=1e-12
    )

    dropout = reference.layers[5]
    dropout.fixed_mask = rng.random((8, 400)) >= 0.5
    loss, grads = reference.compute_gradients(x, y)
    with tf.GradientTape() as tape:
        out = tf.constant(x)
        for layer in model.layers:
            out = out * (dropout.fixed_mask / 0.5) if layer is model.layers[5] else layer(out)
        keras_loss = tf.reduce_mean(keras.losses.categorical_crossentropy(y, out))
    keras_grads = tape.gradient(keras_loss, model.trainable_weights)
    assert loss == pytest.approx(float(keras_loss), rel=1e-7)
    for grad, keras_grad in zip(grads, keras_grads):
        np.testing.assert_allclose(grad, keras_grad.numpy(), rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize(
    "optimizer",
    [
        lambda: "sgd",
        lambda: "adagrad",
        lambda: "adam",
        lambda: "rmsprop",
        lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    ],
    ids=["sgd", "adagrad", "adam", "rmsprop", "rmsprop-centered-momentum"],
)
def test_convnet_two_optimizer_steps_float64(float64, optimizer):
    rng = np.random.default_rng(5)
    model = keras_io_convnet(dropout=0.0)
    model.compile(optimizer=optimizer(), loss="categorical_crossentropy")
    reference = ref.from_keras(model)
    initial = reference.get_weights()
    for _ in range(2):  # the second step uses the optimizer's slots
        x, y = digits_batch(16, rng)
        reference.train_on_batch(x, y)
        model.train_on_batch(x, y)
    assert type(reference.optimizer).__name__.lower() == type(model.optimizer).__name__.lower()
    for ours, theirs in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-12)
    moved = max(np.abs(a - b).max() for a, b in zip(reference.get_weights(), initial))
    assert moved > 1e-4


def test_convnet_training_trajectory_float32_matches_keras_fit():
    rng = np.random.default_rng(6)
    model = keras_io_convnet(dropout=0.0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy")
    reference = ref.from_keras(model)
    assert reference.dtype == "float32"
    x, y = digits_batch(64, rng)
    x, y = x.astype("float32"), y.astype("float32")
    ours = reference.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    theirs = model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=1e-5)
    for mine, keras_weight in zip(reference.get_weights(), model.get_weights()):
        np.testing.assert_allclose(mine, keras_weight, rtol=1e-5, atol=1e-6)


def test_to_keras_round_trip_keeps_predictions():
    rng = np.random.default_rng(7)
    reference = ref.Sequential(
        [
            ref.Input((10, 9, 2)),
            Conv2D(3, (2, 3), strides=(2, 1), padding="same", activation="relu"),
            MaxPooling2D((2, 2), padding="same"),
            Flatten(),
            ref.Dense(4, activation="softmax"),
        ],
        seed=0,
    )
    reference.compile(optimizer="adam", loss="categorical_crossentropy")
    model = reference.to_keras()
    assert [layer.get_config()["padding"] for layer in model.layers[:2]] == ["same", "same"]
    x = rng.normal(size=(5, 10, 9, 2)).astype("float32")
    np.testing.assert_allclose(
        reference.predict(x), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    again = ref.from_keras(model)
    np.testing.assert_array_equal(again.predict(x), reference.predict(x))


BAD_CNN = [  # (argument of mnist_cnn, message): 11 cases
    (dict(learning_rate=-1e-3), "learning_rate must be a number > 0.0, got -0.001"),
    (dict(learning_rate=0.0), "learning_rate must be a number > 0.0, got 0.0"),
    (dict(dropout=1.5), "dropout must be in [0, 1), got 1.5"),
    (dict(dropout=-0.5), "dropout must be in [0, 1), got -0.5"),
    (dict(shift=1.0), "shift must be in [0, 1), got 1.0"),
    (dict(filters=(32, -64)), "filters must be a non-empty list of positive ints, got (32, -64)"),
    (dict(filters=()), "filters must be a non-empty list of positive ints, got ()"),
    (dict(kernel_size=0), "kernel_size must be an int >= 1, got 0"),
    (dict(num_classes=-10), "num_classes must be an int >= 2, got -10"),
    (dict(input_shape=(28, 28)), "input_shape must be (height, width, channels), got (28, 28)"),
    (dict(seed=2**32), "seed must be an int >= 0 and <= 4294967295, got 4294967296"),
]


@pytest.mark.parametrize("change, message", BAD_CNN, ids=[m for _, m in BAD_CNN])
def test_cnn_refuses_nonsense_before_building(no_building, change, message):
    with pytest.raises(InputError, match=re.escape(message)):
        mnist_cnn(**change)


def test_cnn_takes_numpy_numbers_like_python_ones(tmp_path):
    i = np.int64
    model = mnist_cnn(
        filters=(i(4),), kernel_size=i(3), num_classes=i(5), input_shape=(i(12), i(12), i(1)),
        dropout=np.float32(0.25), learning_rate=np.float32(0.01), seed=i(2**32 - 1),
    )  # fmt: skip
    same = mnist_cnn(
        filters=(4,), kernel_size=3, num_classes=5, input_shape=(12, 12, 1), dropout=0.25,
        learning_rate=0.01, seed=2**32 - 1,
    )  # fmt: skip
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.save(tmp_path / "cnn.keras")  # its config is plain JSON: no NumPy scalars
    assert keras.models.load_model(tmp_path / "cnn.keras").output_shape == (None, 5)


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_mnist_cnn_refuses_a_bad_seed_as_run_does(seed):
    with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
        mnist_cnn(seed=seed)
