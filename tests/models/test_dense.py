"""Dense networks: the ``mlp``, ``churn_ann`` and ``mnist_mlp`` builders (layers, initializers,
compile settings, seeds, .keras round trip) and the churn net's parity with its NumPy reference."""

import re

import keras
import numpy as np
import pytest

from deepkit import parity
from deepkit.models import churn_ann, mlp, mnist_cnn, mnist_mlp
from deepkit.validation import InputError


def test_churn_ann_is_the_tutorial_network():
    model = churn_ann(seed=0)
    assert isinstance(model, keras.Sequential)
    dense = model.layers
    assert [layer.units for layer in dense] == [6, 6, 1]
    assert [layer.get_config()["activation"] for layer in dense] == ["relu", "relu", "sigmoid"]
    for layer in dense:
        init = layer.kernel_initializer
        assert isinstance(init, keras.initializers.RandomUniform)
        assert (init.minval, init.maxval) == (-0.05, 0.05)
        assert isinstance(layer.bias_initializer, keras.initializers.Zeros)
    assert model.input_shape == (None, 11)
    assert isinstance(model.optimizer, keras.optimizers.Adam)
    assert model.loss == "binary_crossentropy"
    assert model.get_compile_config()["metrics"] == ["accuracy"]
    assert model.count_params() == 11 * 6 + 6 + 6 * 6 + 6 + 6 + 1


def test_mlp_builds_what_it_is_told():
    model = mlp(
        784,
        [32, 10],
        ["relu", "softmax"],
        dropout=0.25,
        optimizer="sgd",
        learning_rate=0.05,
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        seed=1,
    )
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Dense", "Dropout", "Dense"]
    assert model.layers[1].rate == 0.25
    assert model.layers[2].get_config()["activation"] == "softmax"
    assert isinstance(model.optimizer, keras.optimizers.SGD)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.05)
    same = mlp(784, [32, 10], ["relu", "softmax"], seed=1)
    np.testing.assert_array_equal(same.get_weights()[0], model.get_weights()[0])
    assert not same.compiled  # no loss: left uncompiled
    with pytest.raises(ValueError, match="activations has 3 entries"):
        mlp(4, [3, 1], ["relu", "relu", "sigmoid"])
    with pytest.raises(ValueError, match="units"):
        mlp(4, [3, 0])


def test_builders_save_and_load_with_keras(tmp_path):
    model = churn_ann(seed=3)
    x = np.random.default_rng(0).normal(size=(5, 11)).astype("float32")
    model.save(tmp_path / "ann.keras")
    again = keras.models.load_model(tmp_path / "ann.keras")
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))


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


def test_churn_readme_example_passes_despite_near_zero_bias_gradient():
    """The README example (seeds 2): the output bias gradient is ~1e-5, off by ~5e-9
    in float32, a 6e-4 relative difference that is rounding on the gradients' scale."""
    from deepkit.models import churn_ann

    x = np.random.default_rng(2).normal(size=(32, 11)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    report = parity.compare(churn_ann(seed=2), x, y)
    bias = [r for r in report.rows if r.quantity == "gradient"][-1]
    assert bias.weight == "bias" and 0 < bias.max_abs < 1e-7
    assert report.rtol == 1e-5 and report.passed, str(report)
    assert str(report).splitlines()[0].endswith("(float32, rtol 1e-05): pass")


# Nonsense hyperparameters are refused before any layer is built; NumPy ints are ints.

BAD_MLP = [  # (change to mlp(4, [3, 1], loss="mse"), message): 14 cases
    (dict(learning_rate=-0.1), "learning_rate must be a number > 0.0, got -0.1"),
    (dict(learning_rate=0), "learning_rate must be a number > 0.0, got 0"),
    (dict(learning_rate=float("inf")), "learning_rate must be a number > 0.0, got inf"),
    (dict(learning_rate=float("nan")), "learning_rate must be a number > 0.0, got nan"),
    (dict(learning_rate=0.1, loss=None), "learning_rate needs loss= as well"),
    (dict(learning_rate=0.1, optimizer=keras.optimizers.SGD()), "optimizer given by name"),
    (dict(units=[3, -2, 1]), "units must be a non-empty list of positive ints, got [3, -2, 1]"),
    (dict(units=[]), "units must be a non-empty list of positive ints, got []"),
    (dict(input_dim=-4), "input_dim must be a positive int, got -4"),
    (dict(dropout=1.0), "dropout must be in [0, 1), got 1.0"),
    (dict(dropout=-0.2), "dropout must be in [0, 1), got -0.2"),
    (dict(seed=2**32), "seed must be an int >= 0 and <= 4294967295, got 4294967296"),
    (dict(seed=-1), "seed must be an int >= 0 and <= 4294967295, got -1"),
    (dict(steps_per_execution=0), "steps_per_execution must be an int >= 1, got 0"),
]


@pytest.mark.parametrize("change, message", BAD_MLP, ids=[m for _, m in BAD_MLP])
def test_mlp_refuses_nonsense_before_building(no_building, change, message):
    arguments = dict(input_dim=4, units=[3, 1], loss="mse") | change
    with pytest.raises(InputError, match=re.escape(message)):
        mlp(arguments.pop("input_dim"), arguments.pop("units"), **arguments)


def test_mnist_mlp_refuses_nonsense_before_building(no_building):
    cases = {  # 3 cases
        "num_classes must be an int >= 2, got 1": dict(num_classes=1),
        "seed must be an int >= 0 and <= 4294967295, got 4294967296": dict(seed=2**32),
        "jit_compile must be True, False or 'auto', got 'yes'": dict(jit_compile="yes"),
    }
    for message, arguments in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            mnist_mlp(**arguments)
    with pytest.raises(InputError, match="seed must be an int >= 0 and <= 4294967295"):
        churn_ann(seed=2**32)


def test_numpy_numbers_are_accepted_like_python_ones(tmp_path):
    i = np.int64
    model = mlp(
        i(4), [i(3), i(1)], ["relu", "sigmoid"], dropout=np.float32(0.25),
        learning_rate=np.float64(0.01), loss="mse", steps_per_execution=i(2), seed=i(2**32 - 1),
    )  # fmt: skip
    same = mlp(
        4, [3, 1], ["relu", "sigmoid"], dropout=0.25, learning_rate=0.01, loss="mse",
        steps_per_execution=2, seed=2**32 - 1,
    )  # fmt: skip
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    model.save(tmp_path / "mlp.keras")  # its config is plain JSON: no NumPy scalars
    assert keras.models.load_model(tmp_path / "mlp.keras").count_params() == 4 * 3 + 3 + 3 + 1
    assert mnist_mlp(num_classes=i(5)).output_shape == (None, 5)
    assert churn_ann(seed=i(3)).count_params() == 121


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_mnist_mlp_refuses_a_bad_seed_as_run_does(seed):
    with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
        mnist_mlp(seed=seed)
