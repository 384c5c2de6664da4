"""``deepkit bench churn``: deepkit's churn training vs Keras with ``compile()`` defaults.

Both train T3's net (``churn_ann``) from the same initial weights on the same
8,000 preprocessed rows, batch 10, with the same seed, in this one process,
one after the other, ``repeats`` times. The only difference is deepkit's fast
path, ``steps_per_execution`` (one graph call runs ``STEPS_PER_EXECUTION``
steps instead of one), so the final loss and accuracy must match bit for bit;
the benchmark prints both, the seconds of each repeat, and the speed-up
(defaults seconds / fast seconds) as min, median and max over the repeats,
with the load average before and after (the machine may be shared).
"""

import os
import statistics
import time
from dataclasses import dataclass

from deepkit.reference.validation import check_int
from deepkit.report import format_grid

TARGET_SPEEDUP = 8.0  # issue 11, part 6: in every run, loaded or not


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=int, default=50, help="epochs of each fit (default 50, as T3)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="pairs of fits to time (default 3)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the split, weights and shuffling"
    )


def main(args):
    print(benchmark(epochs=args.epochs, seed=args.seed, repeats=args.repeats).report())
    return 0


@dataclass
class ChurnBenchmark:
    """Seconds of each repeat, final training loss and accuracy of each way of training."""

    epochs: int
    rows: int
    fits: dict  # name -> {"seconds": [per repeat], "loss": [...], "accuracy": [...]}
    loads: tuple  # 1-minute load average before and after

    @property
    def speedups(self):
        """defaults seconds / fast seconds, one per repeat."""
        default, fast = (fit["seconds"] for fit in self.fits.values())
        return [d / f for d, f in zip(default, fast)]

    @property
    def same_results(self):
        """Whether every fit of both ways ended with the same loss and accuracy, bit for bit."""
        finals = {
            (loss, accuracy)
            for fit in self.fits.values()
            for loss, accuracy in zip(fit["loss"], fit["accuracy"])
        }
        return len(finals) == 1

    def report(self):
        steps = self.epochs * -(-self.rows // 10)
        lines = [
            [
                name,
                " / ".join(f"{s:.1f}" for s in fit["seconds"]),
                f"{steps / statistics.median(fit['seconds']):.0f}",
                f"{fit['loss'][-1]:.6f}",
                f"{fit['accuracy'][-1]:.6f}",
            ]
            for name, fit in self.fits.items()
        ]
        ratios = self.speedups
        title = (
            f"Churn net, {self.rows:,} rows, batch 10, {self.epochs} epochs, "
            f"{len(ratios)} repeat{'s' if len(ratios) > 1 else ''}"
        )
        table = format_grid(
            ["training", "seconds per repeat", "steps/s (median)", "final loss", "final accuracy"],
            lines,
            title=title,
        )
        met = "met" if min(ratios) >= TARGET_SPEEDUP else "NOT met"
        return "\n".join(
            [
                table,
                f"speed-up over compile() defaults: min {min(ratios):.1f}x, median "
                f"{statistics.median(ratios):.1f}x, max {max(ratios):.1f}x "
                f"(target >= {TARGET_SPEEDUP:.0f}x in every run: {met})",
                "final loss and accuracy of every fit equal bit for bit: "
                + ("yes" if self.same_results else "NO"),
                f"load average (1 min) before / after: {self.loads[0]:.2f} / {self.loads[1]:.2f} "
                f"on {os.cpu_count()} cores",
            ]
        )


def benchmark(epochs=50, seed=0, repeats=3):
    """Train with compile() defaults, then with deepkit's fast path, ``repeats`` times;
    return a ``ChurnBenchmark``."""
    from deepkit.models.dense import churn_ann
    from deepkit.recipes import churn
    from deepkit.seeding import set_seed

    check_int(epochs, "epochs", min_value=1)
    check_int(repeats, "repeats", min_value=1)
    train_frame, _ = churn.split(churn.load_data(), 0.2, seed)
    _, x = churn.preprocess(train_frame)
    y = churn.labels(train_frame)
    makers = {
        "Keras compile() defaults": lambda: churn_ann(seed=seed),
        "deepkit (run's fast path)": lambda: churn.build("tutorial", seed),
    }
    fits = {name: {"seconds": [], "loss": [], "accuracy": []} for name in makers}
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        for name, make_model in makers.items():
            set_seed(seed)
            model = make_model()
            start = time.perf_counter()
            _, history = churn.train(model, x, y, epochs=epochs, batch_size=10)
            fits[name]["seconds"].append(time.perf_counter() - start)
            fits[name]["loss"].append(history["loss"][-1])
            fits[name]["accuracy"].append(history["accuracy"][-1])
    return ChurnBenchmark(epochs, len(x), fits, (load_before, os.getloadavg()[0]))
