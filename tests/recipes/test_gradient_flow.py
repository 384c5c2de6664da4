"""T3's lesson, measured: per-layer gradient norms of deep nets (the gradient-flow recipe).

The lesson's ordering on a small net, Keras's norms against the NumPy reference's in
float64, the recipe end to end on the MNIST subset, and bad settings refused before
MNIST loads."""

from pathlib import Path

import numpy as np
import pytest

from deepkit.recipes import gradient_flow
from deepkit.validation import InputError

MNIST_SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


@pytest.fixture(scope="module")
def batch():
    """64 MNIST training images in [0, 1] and their labels."""
    from deepkit.datasets import load_mnist

    (x, y), _ = load_mnist(MNIST_SUBSET, limit=(64, 1))
    return x.reshape(64, 784).astype("float32") / 255.0, y


def norms_of(variant, batch, depth=6, width=32, rbms=None):
    model = gradient_flow.network(variant, depth, width, 0.1, seed=0, rbms=rbms)
    return gradient_flow.gradient_norms(model, *batch)


def test_the_sigmoid_gradient_vanishes_towards_the_input_and_relu_he_keeps_it(batch):
    sigmoid = norms_of("sigmoid-uniform", batch)
    relu = norms_of("relu-he", batch)
    large = norms_of("sigmoid-large", batch)
    assert len(sigmoid) == len(relu) == 7  # 6 hidden layers and the softmax layer
    # each sigmoid layer shrinks the error by W' f' ~ sqrt(32 * 0.05^2 / 3) / 4 ~ 0.04
    # (dL/dW_1 = x' delta_1 also has the pixels, sparser than the hidden activations):
    # the norms fall at every layer, all the way down to the input
    assert all(np.diff(np.log10(sigmoid)[1:]) > 1.0) and sigmoid[0] < sigmoid[1] / 3
    assert gradient_flow.first_to_last(sigmoid) < 1e-6
    assert 0.1 < gradient_flow.first_to_last(relu) < 10
    assert gradient_flow.first_to_last(sigmoid) < 1e-5 * gradient_flow.first_to_last(relu)
    # weights too large: the norms grow towards the input instead (exploding)
    assert gradient_flow.first_to_last(large) > 1.5


def test_keras_and_the_numpy_reference_give_the_same_norms_in_float64(float64, batch):
    from deepkit.models.rbm import RBM

    x, y = batch[0].astype("float64"), batch[1]
    rbms = [RBM(784, 16, seed=0), RBM(16, 16, seed=1)]  # untrained: their N(0, 0.01) kernels
    for variant in gradient_flow.VARIANTS:
        model = gradient_flow.network(variant, 2, 16, 0.1, seed=3, rbms=rbms)
        assert model.layers[0].kernel.dtype == "float64"
        if variant == "sigmoid-rbm":  # the RBMs' weights, unrolled
            np.testing.assert_array_equal(model.layers[1].kernel, rbms[1].kernel)
        keras_norms = gradient_flow.gradient_norms(model, x, y)
        reference_norms = gradient_flow.reference_gradient_norms(model, x, y)
        np.testing.assert_allclose(reference_norms, keras_norms, rtol=1e-12)
        assert gradient_flow.largest_difference(keras_norms, reference_norms) < 1e-12
        # and these are the norms of the kernels' gradients, layer 1 first: recomputed by
        # hand for the softmax layer, dL/dW_L = a_{L-1}' (p - y) / n
        hidden = model.layers[0](x)
        hidden = np.asarray(model.layers[1](hidden))
        p = np.asarray(model(x))
        manual = hidden.T @ (p - np.eye(10)[y]) / len(x)
        assert keras_norms[-1] == pytest.approx(np.linalg.norm(manual), rel=1e-12)


def test_the_recipe_measures_every_variant_before_and_after_its_steps(tmp_path):
    result = gradient_flow.run(
        variants=("sigmoid-rbm", "relu-he"), depth=2, width=8, probe=32, steps=3,
        batch_size=16, pretrain_epochs=1, pretrain_images=100, limit=600,
        path=str(MNIST_SUBSET), plot=str(tmp_path),
    )  # fmt: skip
    assert result.sizes == (784, 8, 8, 10)
    assert (result.n_fit, result.n_validation, result.probe) == (540, 60, 32)
    rbm, relu = result.flows
    assert [f.variant for f in result.flows] == ["sigmoid-rbm", "relu-he"]
    for flow in result.flows:
        assert len(flow.initial) == len(flow.trained) == 3
        assert flow.initial != flow.trained  # the steps changed the weights
        assert flow.reference_difference < 1e-4  # float32
        assert 0.0 <= flow.validation_accuracy <= 1.0
    # the RBM net's hidden kernels are the pretrained RBMs' (a float32 copy)
    rbm_model = result.models["sigmoid-rbm"]
    assert rbm_model.layers[0].name == "hidden_0" and "100 training images" in result.pretraining
    assert (tmp_path / "gradient_flow.png").stat().st_size > 10_000
    report = result.report()
    assert "sigmoid-rbm" in report and "after 3 steps" in report and "W_3" in report


def test_batches_cover_each_row_once_per_pass():
    rows = gradient_flow.batches(10, steps=3, batch_size=4, seed=0)
    assert len(rows) == 12
    assert sorted(rows[:10]) == list(range(10))  # a whole permutation first
    assert list(rows[:10]) != list(range(10))  # shuffled
    np.testing.assert_array_equal(rows, gradient_flow.batches(10, 3, 4, seed=0))


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(depth=0), "depth must be an int >= 1"),
        (dict(variants=("sigmoid-tiny",)), "variants must be one of"),
        (dict(variants=("relu-he", "relu-he")), "each variant once"),
        (dict(probe=600, limit=600), "probe=600 exceeds the 540 training images"),
        (dict(learning_rate=0.0), "learning_rate must be a number > 0"),
        (dict(seed=2**32 - 3), "seed must be <= 4294967287 for 8 hidden layers"),
        (dict(plot="{file}"), "cannot be a folder"),
    ],
)
def test_bad_settings_are_refused_before_mnist_loads(monkeypatch, tmp_path, overrides, message):
    def never_load(*args, **kwargs):
        raise AssertionError("MNIST was loaded before the settings were checked")

    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    (tmp_path / "a_file").write_text("not a folder")
    overrides = {k: v.format(file=tmp_path / "a_file") if k == "plot" else v
                 for k, v in overrides.items()}  # fmt: skip
    with pytest.raises(InputError, match=message):
        gradient_flow.run(**overrides)


def test_a_probe_larger_than_a_small_file_is_refused_once_read():
    with pytest.raises(InputError, match="probe=1000 exceeds the 540 training images"):
        gradient_flow.run(path=str(MNIST_SUBSET), limit=600, probe=1000, variants=("relu-he",))


def test_reproduce_records_each_variants_ratio_with_its_command(monkeypatch):
    from deepkit.reproduce import lessons

    real_run, runs = gradient_flow.run, []
    tiny = dict(variants=("sigmoid-uniform", "relu-he"), depth=3, width=8, probe=32, steps=2,
                limit=600)  # fmt: skip

    def tiny_run(**options):
        runs.append(real_run(**{**options, **tiny}))
        return runs[-1]

    monkeypatch.setattr(gradient_flow, "run", tiny_run)
    figures = lessons.gradient_flow(quick=False, path=str(MNIST_SUBSET))
    (result,) = runs
    ratios = [f for f in figures if f["figure"] == "||dL/dW_1|| / ||dL/dW_4||"]
    assert [r["value"] for r in ratios] == [
        {"at init": f.ratio_initial, "after 2 SGD steps": f.ratio_trained} for f in result.flows
    ]
    assert ratios[0]["claim"].startswith("T3: the gradient vanishes") and ratios[1]["claim"] is None
    assert "sigmoid-uniform: U(-0.05, 0.05)" in ratios[0]["what"]
    assert figures[-1]["value"] == max(f.reference_difference for f in result.flows)
    assert {f["command"] for f in figures} == {"deepkit run gradient_flow"}  # no path of ours
    assert all(f["seeds"] == [0] for f in figures)
