"""mnist_mlp and mnist_cnn: layer configurations, compile settings, augmentation only in training."""

import keras
import numpy as np
import pytest

from deepkit.models import mnist_cnn, mnist_mlp


def dense_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def test_t1_mlp_is_784_32_10_with_normal_weights_and_sgd():
    model = mnist_mlp("t1", seed=0)
    assert model.input_shape == (None, 784)
    assert [(layer.units, layer.activation.__name__) for layer in dense_layers(model)] == [
        (32, "relu"),
        (10, "softmax"),
    ]
    assert model.count_params() == 784 * 32 + 32 + 32 * 10 + 10
    kernel = dense_layers(model)[0].kernel.numpy()
    assert abs(kernel.std() - 0.1) < 0.005 and abs(kernel.mean()) < 0.005  # N(0, 0.1), as T1
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert np.isclose(float(model.optimizer.learning_rate), 0.05)
    assert model.loss == "sparse_categorical_crossentropy"


def test_default_mlp_is_wider_with_dropout_and_adam():
    model = mnist_mlp(seed=0)
    assert [layer.units for layer in dense_layers(model)] == [512, 256, 10]
    assert [layer.rate for layer in model.layers if isinstance(layer, keras.layers.Dropout)] == [
        0.2,
        0.2,
    ]
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    with pytest.raises(ValueError, match="unknown MLP config 'big'"):
        mnist_mlp("big")


def test_same_seed_same_initial_weights():
    for build in (lambda: mnist_mlp(seed=3), lambda: mnist_cnn(seed=3)):
        for a, b in zip(build().get_weights(), build().get_weights()):
            np.testing.assert_array_equal(a, b)


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
