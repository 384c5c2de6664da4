"""Tutorial T1 reproduced on the NumPy reference: small real runs on the MNIST subset, real numbers."""

from pathlib import Path

import numpy as np
import pytest

from deepkit.recipes import t1

MNIST_SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


def test_t1_binarize_and_tutorial_split():
    images = np.zeros((100, 28, 28), np.uint8)
    images[:, 0, :3] = [0, 1, 255]
    x = t1.binarize(images)
    assert x.shape == (100, 784) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0, :3], [0, 1, 1])
    train, validation, test = t1.tutorial_split(images, np.arange(100), 100, seed=0)
    assert [len(part[0]) for part in (train, validation, test)] == [70, 15, 15]
    indices = np.concatenate([train[1], validation[1], test[1]])
    assert sorted(indices) == list(range(100))  # disjoint, nothing lost
    with pytest.raises(ValueError, match="n_samples"):
        t1.tutorial_split(images, np.arange(100), 5000, seed=0)


def test_t1_network_keeps_tutorial_init_and_has_no_relu_on_the_output():
    model = t1.t1_network(seed=0)
    hidden, output = model.layers
    assert hidden.activation.name == "relu" and output.activation.name == "softmax"
    assert hidden.kernel.std() == pytest.approx(0.1, rel=0.05)
    assert not hidden.bias.any() and not output.bias.any()
    assert model.optimizer.learning_rate == 0.05


def test_t1_one_epoch_on_the_mnist_subset_beats_chance():
    result = t1.run(epochs=1, n_samples=2000, path=MNIST_SUBSET, seed=0)
    assert (result.n_train, result.n_validation, result.n_test) == (1400, 300, 300)
    assert result.test_accuracy[0] > 0.6  # chance is 0.1
    assert result.validation_accuracy[0] > 0.6
    assert "97%" in result.report()


def test_t1_full_split_uses_the_given_train_and_test_sets(monkeypatch):
    (x_train, y_train), (x_test, y_test) = (
        (np.zeros((30, 28, 28), np.uint8), np.arange(30) % 10),
        (np.ones((12, 28, 28), np.uint8), np.arange(12) % 10),
    )
    monkeypatch.setattr(
        "deepkit.datasets.load_mnist", lambda path=None: ((x_train, y_train), (x_test, y_test))
    )
    train, validation, test = t1.load("full", 5000, None, seed=0)
    assert validation is None and len(train[0]) == 30 and len(test[0]) == 12
    with pytest.raises(ValueError, match="split"):
        t1.load("half", 5000, None, seed=0)


@pytest.mark.parametrize("n_samples", [5, 100.0])
def test_t1_bad_n_samples_fails_before_mnist_is_loaded(monkeypatch, n_samples):
    def never_load(path=None):
        raise AssertionError("MNIST was loaded before n_samples was checked")

    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=f"n_samples must be an int >= 20, got {n_samples!r}"):
        t1.run(n_samples=n_samples)


def test_numpy_integers_are_accepted_like_ints():
    train, validation, test = t1.tutorial_split(
        np.zeros((40, 28, 28), "uint8"), np.zeros(40, "uint8"), np.int64(20), seed=0
    )
    assert len(train[0]) + len(validation[0]) + len(test[0]) == 20


def test_t1_xavier_init_scales_each_layer_by_its_fans_as_t1s_snippet():
    tutorial, xavier = (t1.t1_network(seed=0, init=init) for init in ("tutorial", "xavier"))
    assert [layer.kernel.std() for layer in tutorial.layers] == pytest.approx([0.1, 0.1], rel=0.05)
    # T1: randn(y, x) * sqrt(2 / (x + y)); 784-32: 0.0495, 32-10: 0.218
    expected = [np.sqrt(2 / (784 + 32)), np.sqrt(2 / (32 + 10))]
    assert [layer.kernel.std() for layer in xavier.layers] == pytest.approx(expected, rel=0.05)
    assert all(abs(layer.kernel.mean()) < 0.1 * layer.kernel.std() for layer in xavier.layers)
    assert not any(layer.bias.any() for layer in xavier.layers)


def test_t1_runs_with_the_xavier_init_and_says_so():
    result = t1.run(epochs=1, n_samples=200, path=MNIST_SUBSET, seed=0, init="xavier")
    assert (
        result.init == "xavier"
        and "Xavier, Normal(0, sqrt(2 / (fan_in + fan_out)))" in result.report()
    )
    assert result.model.layers[1].kernel.std() > 0.15  # the 32-10 layer's 0.218, trained once


def test_t1_unknown_init_fails_before_mnist_is_loaded(monkeypatch):
    def never_load(path=None):
        raise AssertionError("MNIST was loaded before init was checked")

    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match="init must be one of tutorial, xavier, got 'glorot'"):
        t1.run(init="glorot")


def test_reproduce_records_both_inits_at_the_same_budget():
    from deepkit.reproduce import lessons

    figures = lessons.t1_xavier(quick=True, path=str(MNIST_SUBSET))
    by_init = {
        init: [f for f in figures if (init == "xavier") == ("--init xavier" in f["command"])]
        for init in t1.INITS
    }
    for init, std in (("tutorial", [0.1, 0.1]), ("xavier", [0.0495, 0.218])):
        names = [f["figure"] for f in by_init[init]]
        assert names == [
            "initial weight std, 784-32 / 32-10",
            "test accuracy after 1 epochs",
            "test accuracy after 2 epochs",
            "validation accuracy after 2 epochs",
        ]
        assert by_init[init][0]["value"] == pytest.approx(std, rel=0.1)
        assert all(0.3 < f["value"] <= 1 for f in by_init[init][1:])  # chance is 0.1
        assert all("--epochs 2" in f["command"] for f in by_init[init])
