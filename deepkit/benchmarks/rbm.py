"""``deepkit bench rbm``: one epoch of a 784-500 RBM on binarized MNIST with
scikit-learn's ``BernoulliRBM``, the NumPy reference and the Keras RBM, in one process.

Like with like: all three run PCD-1 (scikit-learn's only algorithm) with
``batch_size`` persistent chains, plain SGD at the same learning rate, zero
visible biases, weights N(0, 0.01), float32 data and weights, and the batches
in the data's order (scikit-learn does not shuffle, so deepkit's fits here pass
``shuffle=False``; shuffled, deepkit's pseudo-likelihood after one epoch is
about 25 nats higher, which would not be a like-with-like check). What differs:
scikit-learn draws float64 uniforms (``RandomState.uniform``), deepkit float32
ones; deepkit's steps also compute the free-energy gap they log (two softplus
sums, no extra matrix product). ``blas_threads`` caps NumPy's BLAS (scikit-learn and
the NumPy reference) and TensorFlow's intra-op threads (Keras) alike. The Keras RBM runs
``steps_per_execution`` steps per graph call and is traced before the clock
starts. With ``repeats`` > 1 the three take turns, round after round, so a
change in the machine's load hits all of them; the table gives median seconds
and the median of the per-round ratios, and the load average before and after.
To check that the three learned alike, each one's mean pseudo-likelihood of
the first 1,000 test images (last round) is computed with the same flipped bits.
"""

import os
import time
from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import check_int

N_HIDDEN = 500
BASELINE = "scikit-learn BernoulliRBM"


@dataclass
class RbmBenchmark:
    """Seconds per round and pseudo-likelihood per implementation, for ``images`` images."""

    images: int
    batch_size: int
    blas_threads: object
    load_average: tuple  # 1-minute load average before and after
    fits: dict  # name -> {"seconds": [per round], "pseudo_likelihood"}

    def ratios(self, name):
        """scikit-learn's seconds over ``name``'s, round by round (> 1: faster)."""
        base = self.fits[BASELINE]["seconds"]
        return [b / s for b, s in zip(base, self.fits[name]["seconds"])]

    def report(self):
        rows = []
        for name, fit in self.fits.items():
            seconds, ratios = np.median(fit["seconds"]), self.ratios(name)
            rows.append(
                [
                    name,
                    f"{seconds:.2f}",
                    f"{self.images / seconds:,.0f}",
                    f"{np.median(ratios):.2f}x",
                    " ".join(f"{r:.2f}" for r in ratios),
                    f"{fit['pseudo_likelihood']:.2f}",
                ]
            )
        rounds = len(self.fits[BASELINE]["seconds"])
        title = (
            f"One epoch of a 784-{N_HIDDEN} RBM, PCD-1, {self.images:,} binarized MNIST images, "
            f"batch {self.batch_size}, float32, threads {self.blas_threads or 'default'}, "
            f"{rounds} round(s), load average {self.load_average[0]:.2f} -> "
            f"{self.load_average[1]:.2f}"
        )
        header = [
            "implementation",
            "seconds",
            "images/s",
            "vs scikit-learn",
            "each round",
            "pseudo-LL",
        ]
        return format_grid(header, rows, title=title)


def limit_tensorflow_threads(threads):
    """TensorFlow's intra- and inter-op pools to ``threads`` (before its first op)."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def benchmark(
    batch_size=100,
    learning_rate=0.05,
    limit=None,
    path=None,
    blas_threads=None,
    seed=0,
    repeats=1,
):
    """Time one epoch of each implementation, ``repeats`` rounds; an ``RbmBenchmark``."""
    check_int(batch_size, "batch_size", min_value=1)
    check_int(repeats, "repeats", min_value=1)
    if blas_threads is not None:
        check_int(blas_threads, "blas_threads", min_value=1)
        limit_tensorflow_threads(blas_threads)
    import keras
    from sklearn.neural_network import BernoulliRBM
    from threadpoolctl import threadpool_limits

    from deepkit.models.rbm import RBM
    from deepkit.recipes.mnist_classifier import load, prepare
    from deepkit.reference import optimizers
    from deepkit.reference import rbm as reference
    from deepkit.seeding import set_seed

    (x, _), (x_test, _) = load(limit, path)
    x = (prepare(x, True) > 0.5).astype("float32")
    x_test = (prepare(x_test, True)[:1000] > 0.5).astype("float64")
    flip = np.random.default_rng(seed).integers(0, 784, len(x_test))
    set_seed(seed)

    def fit_sklearn():
        model = BernoulliRBM(
            N_HIDDEN,
            learning_rate=learning_rate,
            batch_size=batch_size,
            n_iter=1,
            random_state=seed,
        )
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            start = time.perf_counter()
            model.fit(x)
            seconds = time.perf_counter() - start
        return seconds, [model.components_.T, model.intercept_visible_, model.intercept_hidden_]

    def fit_reference():
        reference_rbm = reference.RBM(
            784, N_HIDDEN, persistent=True, n_chains=batch_size, seed=seed
        )
        reference_rbm.compile(optimizers.SGD(learning_rate))
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            start = time.perf_counter()
            reference_rbm.fit(x, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
            seconds = time.perf_counter() - start
        return seconds, reference_rbm.get_weights()[:3]

    model = RBM(784, N_HIDDEN, persistent=True, n_chains=batch_size, seed=seed)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), steps_per_execution=32)
    initial = model.get_weights()
    model.fit(x[: 32 * batch_size], batch_size=batch_size, verbose=0, shuffle=False)  # trace

    def fit_keras():
        model.set_weights(initial)
        start = time.perf_counter()
        model.fit(x, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        return time.perf_counter() - start, model.get_weights()[:3]

    trainers = {
        BASELINE: fit_sklearn,
        "deepkit NumPy reference": fit_reference,
        "deepkit Keras RBM": fit_keras,
    }
    seconds, weights = {name: [] for name in trainers}, {}
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        for name, train in trainers.items():
            elapsed, weights[name] = train()
            seconds[name].append(elapsed)
    load_after = os.getloadavg()[0]

    judge = reference.RBM(784, N_HIDDEN, dtype="float64")
    fits = {}
    for name in trainers:
        judge.set_weights(list(weights[name]) + [judge.chains])
        likelihood = float(judge.pseudo_likelihood(x_test, flip).mean())
        fits[name] = {"seconds": seconds[name], "pseudo_likelihood": likelihood}
    return RbmBenchmark(len(x), batch_size, blas_threads, (load_before, load_after), fits)


def add_arguments(parser):
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.05)
    parser.add_argument("--limit", type=int, default=None, help="first N training images only")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="cap NumPy's BLAS threads (threadpoolctl) and TensorFlow's intra-op threads",
    )
    parser.add_argument("--repeats", type=int, default=1, help="rounds, taking turns")
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    result = benchmark(
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        limit=args.limit,
        path=args.path,
        blas_threads=args.blas_threads,
        seed=args.seed,
        repeats=args.repeats,
    )
    print(result.report())
    return 0
