"""``deepkit bench rnn``: the NumPy reference against Keras on the rnn recipe's LSTM classifier.

The network is the recipe's (``deepkit.recipes.rnn.build_model``: LSTM(units) over
MNIST read as 28 rows of 28 pixels, Dense(10, softmax), adam), trained from the
same initial weights (the NumPy reference is ``deepkit.reference.from_keras`` of the Keras
model) on the same first ``limit`` training images, batch 128, one process, one
after the other. It prints sequences per second and the ratio (target: the NumPy reference
at least as fast as Keras on CPU).

Where the NumPy reference's time goes: the benchmark replays, alone, every matrix product a
training step of the NumPy reference makes, with the same shapes and dtype (forward: the
input projection X @ kernel for all timesteps, then h @ recurrent_kernel per
timestep; backward: dz @ recurrent_kernel^T per timestep, X^T dP and
H^T dQ for the kernels, and the Dense head's three products) and divides by the
measured training time. The rest is elementwise work (gates, activations) and
Python overhead of the timestep loop. Times are wall-clock on a possibly shared
machine. ``blas_threads`` caps NumPy's BLAS threads (threadpoolctl) during both fits,
1 by default: the NumPy reference's per-timestep products are small ((128, u) @ (u, 4u)), and a
multi-threaded OpenBLAS on cores busy with other work makes an epoch many times slower
(its threads spin while they wait for a core).
"""

import time
from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid

BATCH = 128


@dataclass
class RnnBenchmark:
    units: int
    epochs: int
    n_sequences: int
    keras_seconds: float
    reference_seconds: float
    keras_loss: float
    reference_loss: float
    matmul_seconds: float
    blas_threads: object

    def sequences_per_second(self, seconds):
        return self.epochs * self.n_sequences / seconds

    @property
    def ratio(self):
        """NumPy reference speed-up over Keras (> 1: the NumPy reference is faster)."""
        return self.keras_seconds / self.reference_seconds

    @property
    def matmul_share(self):
        return self.matmul_seconds / self.reference_seconds

    def report(self):
        rows = [
            [
                name,
                f"{seconds:.2f}",
                f"{self.sequences_per_second(seconds):,.0f}",
                f"{loss:.4f}",
            ]
            for name, seconds, loss in (
                ("Keras", self.keras_seconds, self.keras_loss),
                ("NumPy reference", self.reference_seconds, self.reference_loss),
            )
        ]
        title = (
            f"LSTM({self.units}) on MNIST rows (28 x 28), batch {BATCH}, "
            f"{self.n_sequences} sequences x {self.epochs} epochs"
        )
        return "\n".join(
            [
                format_grid(["training", "seconds", "sequences/s", "final loss"], rows, title),
                "",
                f"reference vs Keras: {self.ratio:.2f}x (target >= 1)",
                f"share of the NumPy reference's training time in matrix products: "
                f"{100 * self.matmul_share:.0f}%",
                f"NumPy BLAS threads: {self.blas_threads or 'library default'}",
            ]
        )


def timed_fit(model, x, y, epochs):
    start = time.perf_counter()
    history = model.fit(x, y, batch_size=BATCH, epochs=epochs, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    history = getattr(history, "history", history)
    return seconds, float(history["loss"][-1])


def replay_matmuls(reference, n_sequences, epochs, seed=0):
    """Seconds the matrix products of the NumPy reference's training take when run alone (see the
    module docstring); the LSTM is the first layer, so there is no dLoss/dX product."""
    lstm, head = reference.layers
    timesteps, features = reference.input_shape[1:]
    dtype, units = lstm.kernel.dtype, lstm.units
    rng = np.random.default_rng(seed)

    def array(*shape):
        return rng.random(shape, dtype=np.float32).astype(dtype)

    sizes = [BATCH] * (n_sequences // BATCH) + (
        [n_sequences % BATCH] if n_sequences % BATCH else []
    )
    seconds = 0.0
    for batch in sorted(set(sizes)):
        x, xs = array(timesteps * batch, features), array(timesteps * batch, units)
        h, dz, g = array(batch, units), array(batch, 4 * units), array(batch, head.units)
        dp = array(timesteps * batch, 4 * units)
        start = time.perf_counter()
        for _ in range(epochs * sizes.count(batch)):
            x @ lstm.kernel
            for _ in range(timesteps):
                h @ lstm.recurrent_kernel
                dz @ lstm.recurrent_kernel.T
            x.T @ dp
            xs.T @ dp
            h @ head.kernel
            h.T @ g
            g @ head.kernel.T
        seconds += time.perf_counter() - start
    return seconds


def benchmark(units=128, epochs=1, limit=12000, path=None, seed=0, blas_threads=1):
    """Keras and the NumPy reference on the first ``limit`` MNIST training images; an ``RnnBenchmark``."""
    from threadpoolctl import threadpool_limits

    from deepkit.datasets import load_mnist
    from deepkit.recipes.rnn import build_model, sequences
    from deepkit.reference import from_keras
    from deepkit.seeding import set_seed

    for what, value in (("units", units), ("epochs", epochs), ("limit", limit)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{what} must be a positive int, got {value!r}")
    if blas_threads is not None and (not isinstance(blas_threads, int) or blas_threads < 1):
        raise ValueError(f"blas_threads must be a positive int, got {blas_threads!r}")
    (x, y), _ = load_mnist(path)
    x, y = sequences(x[:limit]), y[:limit]
    set_seed(seed)
    keras_model = build_model("lstm", units, seed=seed)
    reference = from_keras(keras_model, seed=seed)
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        keras_seconds, keras_loss = timed_fit(keras_model, x, y, epochs)
        reference_seconds, reference_loss = timed_fit(reference, x, y, epochs)
        matmul_seconds = replay_matmuls(reference, len(x), epochs, seed)
    return RnnBenchmark(
        units,
        epochs,
        len(x),
        keras_seconds,
        reference_seconds,
        keras_loss,
        reference_loss,
        matmul_seconds,
        blas_threads,
    )


def add_arguments(parser):
    parser.add_argument("--units", type=int, default=128, help="LSTM units (the recipe's 128)")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of each fit")
    parser.add_argument("--limit", type=int, default=12000, help="training sequences used")
    parser.add_argument("--path", help="MNIST .npz (default: Keras's cache)")
    parser.add_argument(
        "--blas-threads", type=int, default=1, help="cap NumPy's BLAS threads (default 1)"
    )
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    print(
        benchmark(
            units=args.units,
            epochs=args.epochs,
            limit=args.limit,
            path=args.path,
            seed=args.seed,
            blas_threads=args.blas_threads,
        ).report()
    )
    return 0
