"""``deepkit bench reference``: the same models trained on both engines, tiny sizes,
the twin under its BLAS thread policy and with the count forced."""

from pathlib import Path

import pytest

MNIST_SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


def test_reference_benchmark_trains_the_same_models_on_both_engines():
    from deepkit.benchmarks import reference

    result = reference.benchmark(
        churn_epochs=1, mnist_epochs=1, path=MNIST_SUBSET, seed=0, blas_threads=1
    )
    defaults, deepkit_path, twin, twin_forced = result.churn
    assert defaults.steps == deepkit_path.steps == twin.steps == 800  # 8,000 rows, batch 10
    # Same start, own shuffling (deepkit.epoch_loop's order by seed and epoch):
    assert deepkit_path.loss == pytest.approx(defaults.loss, rel=0.05)
    assert twin.loss == pytest.approx(defaults.loss, rel=0.05)  # same start, own shuffling
    # The same twin run from the same start: the thread count changes speed, not results.
    assert twin_forced.loss == twin.loss
    assert (twin.blas_setting, twin.blas_used) == (None, 1)  # 10 x 66 products: one thread
    assert (twin_forced.blas_setting, twin_forced.blas_used) == (1, 1)
    keras_mnist, twin_mnist, _ = result.mnist
    assert keras_mnist.steps == twin_mnist.steps == 24  # 3,000 images, batch 128
    assert twin_mnist.loss == pytest.approx(keras_mnist.loss, rel=0.1)
    # The speed-ups are Keras seconds over the policy twin's seconds (2x faster prints 2.0x).
    report = result.report()
    assert f"churn:  {defaults.seconds / twin.seconds:.1f}x faster" in report
    assert f"MNIST MLP:       {keras_mnist.seconds / twin_mnist.seconds:.2f}x" in report
    assert f"products: {100 * result.blas_seconds / twin_mnist.seconds:.0f}%" in report
    assert "NumPy twin, forced 1 BLAS thread " in report and "NumPy twin, policy: " in report
