"""``deepkit bench distribute``: the MNIST MLP on 1 replica and on 2 (MirroredStrategy
over the CPU split into two logical devices), images/s of each, in one process.

Both train the recipe's default MLP (784-512-256-10) through the same
``tf.data`` pipeline (``deepkit.training.fit(strategy=...)``) with the same global
batch. On a machine without GPUs the two logical devices share the same cores,
so this measures the cost of distribution (the all-reduce and the split
batches), not a speed-up: a real gain needs devices that compute in parallel.
"""

import time
from dataclasses import dataclass

from deepkit.report import format_grid
from deepkit.validation import check_int


def add_arguments(parser):
    parser.add_argument("--epochs", type=int, default=1, help="epochs of each run")
    parser.add_argument("--batch-size", type=int, default=256, help="global batch")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")


def main(args):
    print(benchmark(epochs=args.epochs, batch_size=args.batch_size, path=args.path).report())
    return 0


@dataclass
class DistributeBenchmark:
    images: int
    epochs: int
    batch_size: int
    rates: dict  # replicas -> images/s

    def report(self):
        rows = [
            [str(r), f"{rate:,.0f}", f"{rate / self.rates[1]:.2f}x"]
            for r, rate in self.rates.items()
        ]
        title = (
            f"MNIST MLP 784-512-256-10, {self.images:,} images x {self.epochs} epochs, "
            f"global batch {self.batch_size}"
        )
        return format_grid(["replicas", "images/s", "vs 1 replica"], rows, title=title)


def benchmark(epochs=1, batch_size=256, path=None, seed=0):
    from deepkit import distribute

    check_int(epochs, "epochs", min_value=1)
    check_int(batch_size, "batch_size", min_value=2)
    distribute.split_cpu(2)  # before TensorFlow touches a device

    from deepkit import training
    from deepkit.models import mnist_mlp
    from deepkit.recipes.mnist_classifier import load, prepare
    from deepkit.seeding import set_seed

    (x, y), _ = load(path=path)
    x = prepare(x, flat=True)
    rates = {}
    for replicas, name in ((1, "default"), (2, "mirrored")):
        set_seed(seed)
        strategy = distribute.get_strategy(name)
        with strategy.scope():
            model = mnist_mlp(seed=seed)
        training.fit(
            model,
            x[:batch_size],
            y[:batch_size],
            epochs=1,
            batch_size=batch_size,
            strategy=strategy,
        )  # warm-up: tracing and graph building
        start = time.perf_counter()
        training.fit(model, x, y, epochs=epochs, batch_size=batch_size, strategy=strategy)
        rates[replicas] = (
            epochs * (len(x) // batch_size) * batch_size / (time.perf_counter() - start)
        )
    return DistributeBenchmark(len(x), epochs, batch_size, rates)
