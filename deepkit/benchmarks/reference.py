"""``deepkit bench reference``: the NumPy reference against Keras, same model, same data, one process.

Two workloads, each trained from the same initial weights (the NumPy reference is
``deepkit.reference.from_keras`` of the Keras model):

- T3's churn net 11-6-6-1, batch 10, on the real churn training split
  (deepkit's churn preprocessing): Keras with ``compile()`` defaults, deepkit's
  Keras path (``deepkit.recipes.churn.train``: each epoch one XLA-compiled graph
  call), and the NumPy reference. Target: the NumPy reference >= 10x faster than
  the defaults (against deepkit's Keras path it is printed, without a target).
- An MNIST MLP 784-128-10 (adam, sparse categorical cross-entropy), batch 128,
  on the 60,000 training images: Keras with ``compile()`` defaults and the NumPy reference.
  Target: the NumPy reference at least as fast.

For the MNIST MLP on the NumPy reference the benchmark also measures the share of its step time
spent in BLAS matrix products: it replays, alone, every product a training
step makes (per Dense layer: inputs @ kernel, inputs^T @ grad, and
grad @ kernel^T except for the first layer), with the same shapes, dtype and
memory layouts, for the same batches, and divides by the measured training
time. Target: >= 50%. Times are wall-clock on a possibly shared machine; the
ratios compare runs made one after the other in the same process.

The NumPy reference picks NumPy's BLAS thread count itself (``deepkit.reference.threads``:
one thread for small products or when the other cores are busy). Each NumPy reference
workload runs under that default policy and again with the count forced
(``model.blas_threads``: 1 and every core, or ``blas_threads`` when given);
the targets are judged on the default policy. Keras's own thread pools are
not affected. The load average before the run is printed beside the figures.

(One concept, Keras against the NumPy reference on the same models, over about 300
lines: the models, the timing protocol and the report.)
"""

import os
import time
from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid
from deepkit.validation import check_int

CHURN_BATCH = 10
MNIST_BATCH = 128


@dataclass
class Timing:
    """One training run: its name, wall seconds, steps made, final training loss and,
    for the NumPy reference, its BLAS thread setting (None: the policy) and the count used."""

    name: str
    seconds: float
    steps: int
    loss: float
    blas_setting: object = None
    blas_used: int = None

    @property
    def steps_per_second(self):
        return self.steps / self.seconds


@dataclass
class ReferenceBenchmark:
    churn_epochs: int
    mnist_epochs: int
    churn: list  # Timing: Keras defaults, deepkit's Keras path, then the NumPy reference per thread setting
    mnist: list  # Timing: Keras defaults, then the NumPy reference per thread setting
    blas_seconds: (
        float  # the NumPy reference's MNIST matrix products, replayed alone (policy's count)
    )
    load: float  # the 1-minute load average when the benchmark started

    def ratios(self):
        """Speed-ups of the NumPy reference under its default thread policy: {"churn vs Keras
        defaults", "churn vs deepkit Keras path", "MNIST MLP vs Keras defaults"}."""
        defaults, deepkit_path, reference = self.churn[:3]
        keras_mnist, reference_mnist = self.mnist[:2]
        return {
            "churn vs Keras defaults": defaults.seconds / reference.seconds,
            "churn vs deepkit Keras path": deepkit_path.seconds / reference.seconds,
            "MNIST MLP vs Keras defaults": keras_mnist.seconds / reference_mnist.seconds,
        }

    @property
    def blas_share(self):
        return self.blas_seconds / self.mnist[1].seconds

    def report(self):
        def rows(timings, keras_count):
            reference = timings[keras_count]
            return [
                [
                    t.name if t.blas_used is None else f"{t.name}, {_setting(t)}",
                    f"{t.seconds:.2f}",
                    f"{t.steps_per_second:,.0f}",
                    f"{t.loss:.4f}",
                    f"{t.seconds / reference.seconds:.2f}x",
                ]
                for t in timings
            ]

        header = ["training", "seconds", "steps/s", "final loss", "vs reference (policy)"]
        ratios = self.ratios()
        lines = [
            format_grid(
                header,
                rows(self.churn, 2),
                title=f"Churn net 11-6-6-1, batch {CHURN_BATCH}, {self.churn_epochs} epochs",
            ),
            "",
            format_grid(
                header,
                rows(self.mnist, 1),
                title=f"MNIST MLP 784-128-10, batch {MNIST_BATCH}, {self.mnist_epochs} epochs",
            ),
            "",
            "NumPy reference with its default BLAS thread policy:",
            f"reference vs Keras compile() defaults, churn:  {ratios['churn vs Keras defaults']:.1f}x "
            "faster (target >= 10x)",
            f"reference vs deepkit's Keras path, churn:     "
            f"{ratios['churn vs deepkit Keras path']:.2f}x",
            f"reference vs Keras defaults, MNIST MLP:       {ratios['MNIST MLP vs Keras defaults']:.2f}x "
            "(target >= 1)",
            f"share of the NumPy reference's MNIST step time in BLAS matrix products: "
            f"{100 * self.blas_share:.0f}% (target >= 50%)",
            f"load average (1 min) at the start: {self.load:.2f} on {os.cpu_count()} cores",
        ]
        return "\n".join(lines)


def _setting(timing):
    threads = f"{timing.blas_used} BLAS thread{'s' if timing.blas_used > 1 else ''}"
    return f"policy: {threads}" if timing.blas_setting is None else f"forced {threads}"


def timed_fit(name, model, x, y, epochs, batch_size):
    """Fit ``model`` (Keras or reference) silently and time it; a ``Timing`` (for a
    reference, with its ``blas_threads`` setting and the count the policy used)."""
    from deepkit.reference.threads import chosen_threads

    setting = getattr(model, "blas_threads", None)
    is_reference = not hasattr(model, "distribute_strategy")
    used = chosen_threads(model, batch_size) if is_reference else None
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
    seconds = time.perf_counter() - start
    history = getattr(history, "history", history)
    steps = epochs * -(-len(x) // batch_size)
    return Timing(name, seconds, steps, float(history["loss"][-1]), setting, used)


def reference_timings(make_reference, x, y, epochs, batch_size, thread_settings):
    """The NumPy reference trained from the same start under each of ``thread_settings``
    (None: the policy; an int: forced)."""
    timings = []
    for setting in thread_settings:
        reference = make_reference()
        reference.blas_threads = setting
        timings.append(timed_fit("NumPy reference", reference, x, y, epochs, batch_size))
    return timings


def churn_timings(epochs, seed, thread_settings):
    """Keras defaults, deepkit's tuned Keras path and the NumPy reference on T3's churn training split."""
    from deepkit.models.dense import churn_ann
    from deepkit.recipes import churn
    from deepkit.reference import from_keras
    from deepkit.seeding import set_seed

    train_frame, _ = churn.split(churn.load_data(), 0.2, seed)
    _, x = churn.preprocess(train_frame)
    y = churn.labels(train_frame)
    set_seed(seed)
    start = churn_ann(seed=seed)

    def make_reference():
        return from_keras(start, seed=seed)

    defaults = timed_fit(
        "Keras, compile() defaults", churn_ann(seed=seed), x, y, epochs, CHURN_BATCH
    )
    set_seed(seed)
    begin = time.perf_counter()
    model, loop = churn.build("tutorial", seed), churn.CONFIGS["tutorial"]["epoch_loop"]
    _, history = churn.train(model, x, y, epochs, CHURN_BATCH, seed=seed, feed=loop)
    seconds = time.perf_counter() - begin
    fast = Timing("deepkit's Keras path", seconds, defaults.steps, history["loss"][-1], None, None)
    return [
        defaults,
        fast,
        *reference_timings(make_reference, x, y, epochs, CHURN_BATCH, thread_settings),
    ]


def mnist_mlp(seed):
    """Keras 784-128-10 (relu, softmax), adam, sparse categorical cross-entropy, compile() defaults."""
    from deepkit.models.dense import mlp

    return mlp(
        784,
        [128, 10],
        ["relu", "softmax"],
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        seed=seed,
        name="mnist_mlp",
    )


def mnist_timings(epochs, path, seed, thread_settings):
    """Keras defaults and the NumPy reference on the MNIST training images; also a fresh NumPy reference model."""
    from deepkit.datasets import load_mnist
    from deepkit.reference import from_keras
    from deepkit.seeding import set_seed

    (x, y), _ = load_mnist(path)
    x = x.reshape(len(x), -1).astype("float32") / 255.0
    set_seed(seed)
    start = mnist_mlp(seed)

    def make_reference():
        return from_keras(start, seed=seed)

    timings = [
        timed_fit("Keras, compile() defaults", mnist_mlp(seed), x, y, epochs, MNIST_BATCH),
        *reference_timings(make_reference, x, y, epochs, MNIST_BATCH, thread_settings),
    ]
    return timings, make_reference(), len(x)


def replay_matmuls(model, n_samples, epochs, batch_size, seed=0):
    """Seconds the matrix products of ``epochs`` training epochs of the NumPy reference's Dense
    ``model`` take when run alone: per layer and batch, inputs @ kernel (forward),
    inputs^T @ grad (kernel gradient) and grad @ kernel^T (input gradient, not for
    the first layer), with the model's dtype and the layouts the NumPy reference uses."""
    rng = np.random.default_rng(seed)
    batches = [batch_size] * (n_samples // batch_size) + (
        [n_samples % batch_size] if n_samples % batch_size else []
    )
    products = []
    for batch in sorted(set(batches)):
        per_layer = []
        for index, layer in enumerate(model.layers):
            kernel = layer.kernel
            inputs = rng.random((batch, kernel.shape[0]), dtype=np.float32).astype(kernel.dtype)
            grad = rng.random((batch, kernel.shape[1]), dtype=np.float32).astype(kernel.dtype)
            kernel_grad = np.empty_like(kernel)
            per_layer.append((inputs, kernel, grad, kernel_grad, index > 0))
        products.append((batch, per_layer))
    counts = {batch: batches.count(batch) * epochs for batch in set(batches)}
    start = time.perf_counter()
    for batch, per_layer in products:
        for _ in range(counts[batch]):
            for inputs, kernel, grad, kernel_grad, propagate in per_layer:
                inputs @ kernel
                np.matmul(inputs.T, grad, out=kernel_grad)
                if propagate:
                    grad @ kernel.T
    return time.perf_counter() - start


def benchmark(churn_epochs=5, mnist_epochs=2, path=None, seed=0, blas_threads=None):
    """Run both workloads, the NumPy reference under its thread policy and with the count forced
    (``blas_threads``, or 1 and every core); a ``ReferenceBenchmark``."""
    from threadpoolctl import threadpool_limits

    for name, value in (("churn_epochs", churn_epochs), ("mnist_epochs", mnist_epochs)):
        check_int(value, name, min_value=1)
    if blas_threads is not None:
        check_int(blas_threads, "blas_threads", min_value=1)
    forced = [blas_threads] if blas_threads else sorted({1, os.cpu_count() or 1})
    thread_settings = [None, *forced]
    load = os.getloadavg()[0]
    churn = churn_timings(churn_epochs, seed, thread_settings)
    mnist, reference, n_samples = mnist_timings(mnist_epochs, path, seed, thread_settings)
    with threadpool_limits(limits=mnist[1].blas_used, user_api="blas"):
        blas = replay_matmuls(reference, n_samples, mnist_epochs, MNIST_BATCH, seed)
    return ReferenceBenchmark(churn_epochs, mnist_epochs, churn, mnist, blas, load)


def add_arguments(parser):
    parser.add_argument("--churn-epochs", type=int, default=5, help="epochs of each churn fit")
    parser.add_argument(
        "--epochs",
        "--mnist-epochs",
        dest="mnist_epochs",
        type=int,
        default=2,
        help="epochs of each MNIST MLP fit",
    )
    parser.add_argument("--path", help="MNIST .npz or IDX folder (default: Keras's cache)")
    parser.add_argument(
        "--blas-threads",
        type=int,
        default=None,
        help="the forced BLAS thread count shown beside the NumPy reference's own policy (default: 1 and all cores)",
    )
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    print(
        benchmark(
            churn_epochs=args.churn_epochs,
            mnist_epochs=args.mnist_epochs,
            path=args.path,
            seed=args.seed,
            blas_threads=args.blas_threads,
        ).report()
    )
    return 0
