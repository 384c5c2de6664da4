"""The NumPy reference's BLAS thread policy (deepkit.reference.threads): the rule, the override,
and that fit/evaluate/predict train under the count it picks and restore the old one."""

import numpy as np
import pytest
from reference_churn import churn_like, churn_net
from threadpoolctl import threadpool_limits

from deepkit import reference as ref
from deepkit.reference import threads


def _mnist_mlp(seed=0, dtype="float32"):
    model = ref.Sequential(
        [ref.Input((784,)), ref.Dense(128, activation="relu"), ref.Dense(10)],
        seed=seed,
        dtype=dtype,
    )
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_the_rule_uses_one_thread_for_small_products_or_busy_cores():
    small, large = churn_net(), _mnist_mlp()
    assert threads.largest_product(small, 10) == 10 * 11 * 6
    assert threads.largest_product(large, 128) == 128 * 784 * 128
    large.layers[0].trainable = False  # a frozen layer still multiplies in the forward pass
    assert threads.largest_product(large, 128) == 128 * 784 * 128
    assert threads.largest_product(ref.RBM(784, 500), 100) == 100 * 784 * 500
    # Idle 2-core machine: only the large products get both cores.
    assert threads.blas_threads_for(small, 10, cores=2, load=0.2) == 1
    assert threads.blas_threads_for(large, 128, cores=2, load=0.2) == 2
    # This process plus one busy core: one free core; a loaded machine: one.
    assert threads.blas_threads_for(large, 128, cores=2, load=2.0) == 1
    assert threads.blas_threads_for(large, 128, cores=2, load=6.0) == 1
    assert threads.free_cores(cores=8, load=3.0) == 6
    # The crossover: a product just below it stays on one thread.
    below = threads.PARALLEL_MIN_MACS // (784 * 128)
    assert threads.blas_threads_for(large, below, cores=2, load=0.0) == 1
    assert threads.blas_threads_for(large, below + 1, cores=2, load=0.0) == 2


def test_a_convolution_counts_every_output_position():
    model = ref.Sequential([ref.Input((10, 10, 1)), ref.Conv2D(4, 3)], seed=0)
    assert threads.largest_product(model, 2) == 2 * (3 * 3 * 1 * 4) * (8 * 8)


class _RecordThreads(ref.Callback):
    def __init__(self):
        self.seen = set()

    def on_train_batch_end(self, batch, logs=None):
        self.seen.add(threads.current_threads())


@pytest.fixture
def idle_machine(monkeypatch):
    """The load average of an idle machine, whatever the real one is."""
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)


def test_fit_trains_under_the_chosen_count_and_restores_the_old_one(idle_machine):
    with threadpool_limits(limits=2, user_api="blas"):
        if threads.current_threads() != 2:
            pytest.skip("NumPy's BLAS cannot run 2 threads here")
        x = np.random.default_rng(0).random((256, 784), dtype=np.float32)
        y = np.zeros((256, 10), np.float32)
        for model, batch, expected in ((churn_net(), 10, 1), (_mnist_mlp(), 128, 2)):
            spy = _RecordThreads()
            data = churn_like(40) if batch == 10 else (x, y)
            model.fit(*data, batch_size=batch, epochs=1, verbose=0, callbacks=[spy])
            assert spy.seen == {expected}
            assert threads.current_threads() == 2  # restored
        model.blas_threads = 1  # the override wins over the rule
        spy = _RecordThreads()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0, callbacks=[spy])
        assert spy.seen == {1}
    with threadpool_limits(limits=1, user_api="blas"):  # a caller's cap stays in force
        spy, model = _RecordThreads(), _mnist_mlp()
        model.fit(x, y, batch_size=128, epochs=1, verbose=0, callbacks=[spy])
        assert spy.seen == {1}


def test_the_thread_count_changes_speed_not_results(idle_machine):
    # Threads split the sums differently, so equal up to rounding (float64, rtol 1e-7).
    x = np.random.default_rng(1).random((256, 784))
    y = np.random.default_rng(2).random((256, 10))
    runs = []
    for count in (1, 2):
        model = _mnist_mlp(seed=3, dtype="float64")
        model.blas_threads = count
        model.fit(x, y, batch_size=128, epochs=2, verbose=0)
        runs.append((model.get_weights(), model.predict(x, batch_size=128)))
    for a, b in zip(runs[0][0] + [runs[0][1]], runs[1][0] + [runs[1][1]]):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-12)


def test_a_bad_override_is_refused():
    model = churn_net()
    model.blas_threads = 0
    with pytest.raises(ValueError, match="blas_threads must be an int >= 1, got 0"):
        model.fit(*churn_like(20), verbose=0)
