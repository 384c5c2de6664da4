"""The tutorial reproductions T1, T2, T3 on the NumPy twin: small real runs, real numbers."""

import math
from pathlib import Path

import numpy as np
import pytest

from deepkit.cli import main as cli
from deepkit.recipes import t1, t2, t3

MNIST_SUBSET = Path(__file__).parent / "data" / "mnist_subset.npz"


# -- T3 -------------------------------------------------------------------------------


def test_t3_toy_networks_and_graph_match_the_tutorial_and_keras():
    result = t3.run()
    computed = [(twin, keras_value) for _, _, twin, keras_value in result.rows]
    # written out here, independently of the constants t3.run compares against
    relu = -3.0  # hidden relu([-1*3 + 2*3, -1*1 + 2*5]) = [3, 9]; output 2*3 - 9
    tanh = 2 * math.tanh(3) - math.tanh(9)
    deep = 364.0  # hidden [26, 0] -> [0, 52] -> 2*0 + 7*52
    graph = [-12.0, -3.0, -3.0, 4.0]  # g = (1 + 3)(-3), dg/dx = dg/dy = z, dg/dz = x + y
    for twin, keras_value in computed:
        assert keras_value == pytest.approx(twin, rel=1e-6)
    assert [twin for twin, _ in computed] == pytest.approx([relu, tanh, deep] + graph, abs=1e-12)
    assert [keras_value for _, keras_value in computed] == pytest.approx(
        [relu, tanh, deep] + graph, abs=1e-6
    )
    assert computed[1][0] == pytest.approx(0.99010, abs=1e-5)
    assert result.max_error < 1e-6
    assert "364" in result.report()


def test_t3_kernel_puts_each_nodes_weights_in_a_column():
    np.testing.assert_array_equal(t3.kernel([[3, 3], [1, 5]]), [[3, 1], [3, 5]])


# -- T2 -------------------------------------------------------------------------------


def test_t2_initialization_range_is_sqrt6_done_right():
    assert t2.epsilon(64, 25) == pytest.approx(math.sqrt(6 / 89))
    model = t2.t2_network(learning_rate=0.1, seed=3)
    hidden, output = model.layers
    assert np.abs(hidden.kernel).max() <= t2.epsilon(64, 25)
    assert np.abs(hidden.kernel).max() > 0.9 * t2.epsilon(64, 25)
    assert np.abs(output.kernel).max() <= t2.epsilon(25, 10)
    assert hidden.bias.std() > 0.5  # biases ~ Normal(0, 1), as T2


def test_t2_cost_is_the_tutorials_sum_over_classes():
    model = t2.t2_network(learning_rate=0.1, seed=0)
    rng = np.random.default_rng(0)
    x, targets = rng.random((7, 64)), np.eye(10)[rng.integers(0, 10, 7)]
    a = model.predict(x)
    cost = np.sum(-targets * np.log(a) - (1 - targets) * np.log(1 - a)) / len(x)
    assert t2.NUM_CLASSES * model.evaluate(x, targets, verbose=0) == pytest.approx(cost, rel=1e-9)


def test_t2_tutorial_count_rewards_saying_yes_to_every_class():
    targets = np.eye(10)[[0, 1, 2]]
    assert t2.tutorial_count(np.full((3, 10), 0.9), targets) == 1.0  # no classification at all
    assert t2.tutorial_count(np.full((3, 10), 0.1), targets) == 0.0


def test_t2_short_run_learns_and_faithful_settings_barely_move():
    result = t2.run(learning_rate=1.0, epochs=150, seed=0)
    faithful, sensible = result.runs
    assert (result.n_train, result.n_test) == (1437, 360)
    assert faithful.cost_before == sensible.cost_before  # same initial weights
    assert faithful.test_accuracy < 0.3
    assert sensible.cost_after < 0.5 * sensible.cost_before
    assert sensible.test_accuracy > 0.6  # chance is 0.1
    assert "held-out acc" in result.report()


# -- T1 -------------------------------------------------------------------------------


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


# -- CLI ------------------------------------------------------------------------------


def test_cli_runs_t3_and_rejects_bad_t1_options(capsys):
    assert cli(["run", "t3"]) == 0
    assert "dg/dz" in capsys.readouterr().out
    assert cli(["run", "t1", "--epochs", "0", "--path", str(MNIST_SUBSET)]) == 2
    assert "epochs must be an int >= 1" in capsys.readouterr().err


# -- deepkit bench reference ------------------------------------------------------------


def test_reference_benchmark_trains_the_same_models_on_both_engines():
    from deepkit.benchmarks import reference

    result = reference.benchmark(
        churn_epochs=1, mnist_epochs=1, path=MNIST_SUBSET, seed=0, blas_threads=1
    )
    defaults, tuned, twin = result.churn
    assert defaults.steps == tuned.steps == twin.steps == 800  # 8,000 rows, batch 10
    assert tuned.loss == pytest.approx(defaults.loss, rel=1e-4)  # same arithmetic, faster path
    assert twin.loss == pytest.approx(defaults.loss, rel=0.05)  # same start, own shuffling
    keras_mnist, twin_mnist = result.mnist
    assert keras_mnist.steps == twin_mnist.steps == 24  # 3,000 images, batch 128
    assert twin_mnist.loss == pytest.approx(keras_mnist.loss, rel=0.1)
    # The speed-ups are Keras seconds over twin seconds (a twin 2x faster prints 2.0x).
    report = result.report()
    assert f"churn:  {defaults.seconds / twin.seconds:.1f}x faster" in report
    assert f"MNIST MLP:       {keras_mnist.seconds / twin_mnist.seconds:.2f}x" in report
    assert f"products: {100 * result.blas_seconds / twin_mnist.seconds:.0f}%" in report
