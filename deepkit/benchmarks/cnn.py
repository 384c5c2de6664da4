"""``deepkit bench cnn``: the NumPy reference vs Keras on the MNIST CNN, and time-to-accuracy.

1. Throughput: the ``cnn`` recipe's network and its NumPy reference (``deepkit.reference.from_keras``,
   same weights) each train one epoch on the same ``images`` MNIST images,
   batch 128, after a one-batch warm-up; images per second and the ratio.
2. Time-to-accuracy: the ``mnist`` and ``cnn`` recipes' Keras models train on
   the full training set (batch 128), scored on the test set after every epoch,
   and stop at the first epoch whose test accuracy reached the target (97.5%
   MLP, 99.2% CNN) or when the epochs run out. Only training time counts: the
   clock stops while the test set is scored. Stopping on the test set and
   reporting the best test accuracy seen over epochs are optimistic (the test
   set chooses the epoch): these figures measure speed, not generalization.
"""

import time
from dataclasses import dataclass, field

from deepkit.report import format_grid
from deepkit.validation import check_int

TARGETS = {"MLP default": 0.975, "CNN": 0.992}


def add_arguments(parser):
    parser.add_argument(
        "--images", type=int, default=2048, help="training images of the throughput part"
    )
    parser.add_argument(
        "--epochs", type=int, default=20, help="most epochs of the time-to-accuracy part"
    )
    parser.add_argument(
        "--skip-time-to-accuracy", action="store_true", help="only measure throughput"
    )
    parser.add_argument(
        "--path", default=None, help="an MNIST .npz or IDX folder instead of Keras's cache"
    )
    parser.add_argument("--seed", type=int, default=0)


def main(args):
    result = benchmark(
        images=args.images,
        epochs=args.epochs,
        time_to_accuracy=not args.skip_time_to_accuracy,
        path=args.path,
        seed=args.seed,
    )
    print(result.report())
    return 0


@dataclass
class CnnBenchmark:
    """Throughputs (images/s) of Keras and the NumPy reference, and time-to-accuracy rows."""

    images: int
    keras_rate: float
    numpy_rate: float
    reached: list = field(
        default_factory=list
    )  # (network, target, epoch or None, seconds, best test accuracy)

    @property
    def slowdown(self):
        return self.keras_rate / self.numpy_rate

    def report(self):
        throughput = format_grid(
            ["engine", "images/s"],
            [["Keras", f"{self.keras_rate:.0f}"], ["NumPy reference", f"{self.numpy_rate:.0f}"]],
            title=f"MNIST CNN training, {self.images} images, batch 128: the NumPy reference is {self.slowdown:.1f}x slower than Keras",
        )
        if not self.reached:
            return throughput
        rows = [
            [
                network,
                f"{target:.3f}",
                "not reached" if epoch is None else epoch,
                f"{seconds:.1f}",
                f"{best:.4f}",
            ]
            for network, target, epoch, seconds, best in self.reached
        ]
        grid = format_grid(
            [
                "Keras recipe",
                "target test acc",
                "first epoch whose test acc reached it",
                "train seconds",
                "best test acc seen over epochs",
            ],
            rows,
            title="Time to test accuracy on full MNIST (stops on the test set: optimistic, a speed measure)",
        )
        return f"{throughput}\n\n{grid}"


def throughput(images, path, seed):
    """Images per second of one training epoch, Keras and the NumPy reference, on the same data and weights."""
    from deepkit.recipes import cnn
    from deepkit.recipes.mnist_classifier import load, prepare
    from deepkit.reference import from_keras

    (x, y), _ = load(images, path)
    x = prepare(x, flat=False)
    model = cnn.build_model(seed=seed)
    reference = from_keras(model, seed=seed)
    rates = []
    for trainee in (model, reference):
        trainee.fit(
            x[:128], y[:128], batch_size=128, epochs=1, verbose=0
        )  # warm-up (graph tracing)
        start = time.perf_counter()
        trainee.fit(x, y, batch_size=128, epochs=1, verbose=0)
        rates.append(len(x) / (time.perf_counter() - start))
    return rates


def time_to_target(build, flat, target, epochs, path, seed):
    """``(epoch, training seconds, best test accuracy seen over epochs)``: ``epoch`` is the first
    whose test accuracy reached ``target`` (None if none did)."""
    import keras

    from deepkit.recipes.mnist_classifier import load, prepare
    from deepkit.seeding import set_seed

    (x, y), (x_test, y_test) = load(path=path)
    x, x_test = prepare(x, flat), prepare(x_test, flat)

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.seconds, self.best, self.epoch = 0.0, 0.0, None
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds += time.perf_counter() - self.start
            accuracy = self.model.evaluate(
                x_test, y_test, batch_size=1024, verbose=0, return_dict=True
            )["accuracy"]
            self.best = max(self.best, accuracy)
            if accuracy >= target:
                self.epoch, self.model.stop_training = epoch + 1, True
            self.start = time.perf_counter()

    set_seed(seed)
    clock = Clock()
    build().fit(x, y, batch_size=128, epochs=epochs, callbacks=[clock], verbose=0)
    return clock.epoch, clock.seconds, clock.best


def benchmark(images=2048, epochs=20, time_to_accuracy=True, path=None, seed=0):
    """Run both parts; a ``CnnBenchmark``."""
    from deepkit.recipes import cnn, mnist

    check_int(images, "images", min_value=128)
    keras_rate, numpy_rate = throughput(images, path, seed)
    result = CnnBenchmark(images, keras_rate, numpy_rate)
    if time_to_accuracy:
        recipes = {
            "MLP default": (lambda: mnist.build_model("default", seed), True),
            "CNN": (lambda: cnn.build_model(seed=seed), False),
        }
        for network, (build, flat) in recipes.items():
            epoch, seconds, best = time_to_target(build, flat, TARGETS[network], epochs, path, seed)
            result.reached.append((network, TARGETS[network], epoch, seconds, best))
    return result
