"""``deepkit bench churn``: deepkit's churn training vs Keras with ``compile()`` defaults.

Both train T3's net (``churn_ann``) from the same initial weights on the same
8,000 preprocessed rows, batch 10, with the same seed, in this one process.
The only difference is deepkit's fast path, ``steps_per_execution`` (one graph
call runs ``STEPS_PER_EXECUTION`` steps instead of one), so the final loss and
accuracy should match; the benchmark prints both, the two times and the ratio.
"""

import time
from dataclasses import dataclass

from deepkit.reference.validation import check_int
from deepkit.report import format_grid


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=int, default=50, help="epochs of each fit (default 50, as T3)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the split, weights and shuffling"
    )


def main(args):
    print(benchmark(epochs=args.epochs, seed=args.seed).report())
    return 0


@dataclass
class ChurnBenchmark:
    """Seconds, final training loss and accuracy of each way of training, in one process."""

    epochs: int
    rows: int
    fits: dict  # name -> {"seconds", "loss", "accuracy"}

    @property
    def speedup(self):
        default, fast = (fit["seconds"] for fit in self.fits.values())
        return default / fast

    def report(self):
        steps = self.epochs * -(-self.rows // 10)
        lines = [
            [
                name,
                f"{fit['seconds']:.1f}",
                f"{steps / fit['seconds']:.0f}",
                f"{fit['loss']:.6f}",
                f"{fit['accuracy']:.6f}",
            ]
            for name, fit in self.fits.items()
        ]
        title = f"Churn net, {self.rows:,} rows, batch 10, {self.epochs} epochs: speed-up {self.speedup:.1f}x"
        return format_grid(
            ["training", "seconds", "steps/s", "final loss", "final accuracy"], lines, title=title
        )


def benchmark(epochs=50, seed=0):
    """Train with compile() defaults, then with deepkit's fast path; return a ``ChurnBenchmark``."""
    from deepkit.models.dense import churn_ann
    from deepkit.recipes import churn
    from deepkit.seeding import set_seed

    check_int(epochs, "epochs", min_value=1)
    train_frame, _ = churn.split(churn.load_data(), 0.2, seed)
    _, x = churn.preprocess(train_frame)
    y = churn.labels(train_frame)
    makers = {
        "Keras compile() defaults": lambda: churn_ann(seed=seed),
        "deepkit (run's fast path)": lambda: churn.build("tutorial", seed),
    }
    fits = {}
    for name, make_model in makers.items():
        set_seed(seed)
        model = make_model()
        start = time.perf_counter()
        _, history = churn.train(model, x, y, epochs=epochs, batch_size=10)
        seconds = time.perf_counter() - start
        fits[name] = {
            "seconds": seconds,
            "loss": history["loss"][-1],
            "accuracy": history["accuracy"][-1],
        }
    return ChurnBenchmark(epochs, len(x), fits)
