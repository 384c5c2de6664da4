"""``deepkit bench reference``: the same models trained on both engines, tiny sizes,
the NumPy reference under its BLAS thread policy and with the count forced."""

from pathlib import Path

import pytest

MNIST_SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


def test_reference_benchmark_trains_the_same_models_on_both_engines():
    from deepkit.benchmarks.reference import benchmark

    result = benchmark(churn_epochs=1, mnist_epochs=1, path=MNIST_SUBSET, seed=0, blas_threads=1)
    defaults, deepkit_path, reference, reference_forced = result.churn
    assert defaults.steps == deepkit_path.steps == reference.steps == 800  # 8,000 rows, batch 10
    # Same start, own shuffling (deepkit.epoch_loop's order by seed and epoch):
    assert deepkit_path.loss == pytest.approx(defaults.loss, rel=0.05)
    assert reference.loss == pytest.approx(defaults.loss, rel=0.05)  # same start, own shuffling
    # The same reference run from the same start: the thread count changes speed, not results.
    assert reference_forced.loss == reference.loss
    assert (reference.blas_setting, reference.blas_used) == (
        None,
        1,
    )  # 10 x 66 products: one thread
    assert (reference_forced.blas_setting, reference_forced.blas_used) == (1, 1)
    keras_mnist, reference_mnist, _ = result.mnist
    assert keras_mnist.steps == reference_mnist.steps == 24  # 3,000 images, batch 128
    assert reference_mnist.loss == pytest.approx(keras_mnist.loss, rel=0.1)
    # The speed-ups are Keras seconds over the policy reference's seconds (2x faster prints 2.0x).
    report = result.report()
    assert f"churn:  {defaults.seconds / reference.seconds:.1f}x faster" in report
    assert f"MNIST MLP:       {keras_mnist.seconds / reference_mnist.seconds:.2f}x" in report
    assert f"products: {100 * result.blas_seconds / reference_mnist.seconds:.0f}%" in report
    assert (
        "NumPy reference, forced 1 BLAS thread " in report and "NumPy reference, policy: " in report
    )
