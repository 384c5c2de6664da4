"""``deepkit bench rbm``: one epoch of a 784-500 RBM on binarized MNIST with
scikit-learn's ``BernoulliRBM``, the NumPy twin and the Keras RBM, in one process.

All three run the same algorithm: PCD-1 (scikit-learn's only one) with
``batch_size`` persistent chains, plain SGD at the same learning rate, zero
visible biases, weights N(0, 0.01). deepkit's steps also compute the free-energy
gap they log (no extra matrix product); scikit-learn computes nothing else. The Keras RBM runs ``steps_per_execution``
steps per graph call and is traced before the clock starts. To check that the
three learned alike, each one's mean pseudo-likelihood of the first 1,000 test
images is computed with the same flipped bits.
"""

import time
from dataclasses import dataclass

import numpy as np

from deepkit.reference.validation import check_int
from deepkit.report import format_grid

N_HIDDEN = 500


@dataclass
class RbmBenchmark:
    """Seconds and pseudo-likelihood per implementation, for ``images`` images."""

    images: int
    batch_size: int
    blas_threads: object
    fits: dict  # name -> {"seconds", "pseudo_likelihood"}

    def report(self):
        base = self.fits["scikit-learn BernoulliRBM"]["seconds"]
        rows = [
            [
                name,
                f"{fit['seconds']:.2f}",
                f"{self.images / fit['seconds']:,.0f}",
                f"{base / fit['seconds']:.2f}x",
                f"{fit['pseudo_likelihood']:.2f}",
            ]
            for name, fit in self.fits.items()
        ]
        title = (
            f"One epoch of a 784-{N_HIDDEN} RBM, PCD-1, {self.images:,} binarized MNIST images, "
            f"batch {self.batch_size}, BLAS threads {self.blas_threads or 'default'}"
        )
        header = ["implementation", "seconds", "images/s", "vs scikit-learn", "pseudo-LL"]
        return format_grid(header, rows, title=title)


def benchmark(batch_size=100, learning_rate=0.05, limit=None, path=None, blas_threads=None, seed=0):
    """Time one epoch of each implementation; an ``RbmBenchmark``."""
    import keras
    from sklearn.neural_network import BernoulliRBM
    from threadpoolctl import threadpool_limits

    from deepkit.models.rbm import RBM
    from deepkit.recipes.mnist_steps import load, prepare
    from deepkit.reference import optimizers
    from deepkit.reference import rbm as reference
    from deepkit.seeding import set_seed

    check_int(batch_size, "batch_size", min_value=1)
    if blas_threads is not None:
        check_int(blas_threads, "blas_threads", min_value=1)
    (x, _), (x_test, _) = load(limit, path)
    x = (prepare(x, True) > 0.5).astype("float32")
    x_test = (prepare(x_test, True)[:1000] > 0.5).astype("float64")
    flip = np.random.default_rng(seed).integers(0, 784, len(x_test))
    set_seed(seed)
    fits = {}
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        sklearn_rbm = BernoulliRBM(
            N_HIDDEN,
            learning_rate=learning_rate,
            batch_size=batch_size,
            n_iter=1,
            random_state=seed,
        )
        start = time.perf_counter()
        sklearn_rbm.fit(x)
        fits["scikit-learn BernoulliRBM"] = (
            time.perf_counter() - start,
            [
                sklearn_rbm.components_.T,
                sklearn_rbm.intercept_visible_,
                sklearn_rbm.intercept_hidden_,
            ],
        )
        twin = reference.RBM(784, N_HIDDEN, persistent=True, n_chains=batch_size, seed=seed)
        twin.compile(optimizers.SGD(learning_rate))
        start = time.perf_counter()
        twin.fit(x, batch_size=batch_size, epochs=1, verbose=0)
        fits["deepkit NumPy twin"] = time.perf_counter() - start, twin.get_weights()[:3]

    model = RBM(784, N_HIDDEN, persistent=True, n_chains=batch_size, seed=seed)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), steps_per_execution=32)
    initial = model.get_weights()
    model.fit(x[: 32 * batch_size], batch_size=batch_size, epochs=1, verbose=0)  # trace first
    model.set_weights(initial)
    start = time.perf_counter()
    model.fit(x, batch_size=batch_size, epochs=1, verbose=0)
    fits["deepkit Keras RBM"] = time.perf_counter() - start, model.get_weights()[:3]

    judge = reference.RBM(784, N_HIDDEN, dtype="float64")
    results = {}
    for name, (seconds, weights) in fits.items():
        judge.set_weights(list(weights) + [judge.chains])
        likelihood = float(judge.pseudo_likelihood(x_test, flip).mean())
        results[name] = {"seconds": seconds, "pseudo_likelihood": likelihood}
    return RbmBenchmark(len(x), batch_size, blas_threads, results)


def add_arguments(parser):
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--limit", type=int, default=None, help="first N training images only")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")
    parser.add_argument(
        "--blas-threads", type=int, default=None, help="cap NumPy's BLAS threads (threadpoolctl)"
    )
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    result = benchmark(
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        limit=args.limit,
        path=args.path,
        blas_threads=args.blas_threads,
        seed=args.seed,
    )
    print(result.report())
    return 0
