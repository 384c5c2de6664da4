"""``deepkit bench churn``: deepkit's churn training vs Keras with ``compile()`` defaults.

Every fit trains T3's net (``churn_ann``) from the same initial weights on the
same 8,000 preprocessed rows, batch 10, with the same seed, in this one process,
one after the other, ``repeats`` times:

- "Keras compile() defaults": ``model.fit`` on a ``tf.data`` dataset of the very
  batches deepkit's loop trains on (``deepkit.epoch_loop.batches``), one graph call
  per step;
- "Keras compile() defaults, NumPy arrays": ``model.fit(x, y, batch_size=10)``,
  Keras shuffling itself (other batches, so other final figures): what a user
  writes, to show the dataset feed is no slower;
- "deepkit epoch loop": each epoch one graph call (``deepkit.epoch_loop``);
  Keras's own step, so its final loss and accuracy equal the first row's bit for bit;
- "deepkit fast path (epoch loop, XLA)": the same loop compiled by XLA, what
  ``deepkit.recipes.churn.train`` runs; equal to the first row within
  ``LOSS_RTOL`` and ``ACCURACY_ATOL`` (see below).

It prints the seconds of each repeat (the whole ``fit``, tracing and compiling
included), the speed-ups over the first row (its seconds / theirs) as min,
median and max over the repeats, and the load average before and after.

Tolerance of the XLA path: XLA fuses operations and computes exp and log its own
way, so each step rounds differently in the last bit of float32 (relative 6e-8),
and over 40,000 steps such differences grow as rounding does in any training. We
accept a final loss within a relative 1e-4 and an accuracy within 0.001 (8 of
8,000 rows) of the exact run: a hundred times finer than the spread between
seeds (the final loss moves by about 1e-2 from one seed to the next).
"""

import os
import statistics
import time
from dataclasses import dataclass

from deepkit.report import format_grid
from deepkit.validation import check_int

TARGET_SPEEDUP = 8.0  # the goal, in every run, loaded or not
LOSS_RTOL, ACCURACY_ATOL = 1e-4, 1e-3  # the XLA path against the exact one (see above)
DEFAULTS, ARRAYS = "Keras compile() defaults", "Keras compile() defaults, NumPy arrays"
EXACT, FAST = "deepkit epoch loop", "deepkit fast path (epoch loop, XLA)"


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=int, default=50, help="epochs of each fit (default 50, as T3)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="rounds of fits to time (default 3)")
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

    def speedups(self, name):
        """``DEFAULTS`` seconds / ``name``'s seconds, one per repeat."""
        return [d / f for d, f in zip(self.fits[DEFAULTS]["seconds"], self.fits[name]["seconds"])]

    def finals(self, name):
        return set(zip(self.fits[name]["loss"], self.fits[name]["accuracy"]))

    @property
    def exact(self):
        """Whether every exact-loop fit ended with the defaults' loss and accuracy, bit for bit."""
        return len(self.finals(DEFAULTS) | self.finals(EXACT)) == 1

    @property
    def fast_deviation(self):
        """(largest relative loss difference, largest accuracy difference) of the XLA fits
        from the defaults'."""
        (loss, accuracy), *_ = self.finals(DEFAULTS)
        return (
            max(abs(f - loss) / loss for f in self.fits[FAST]["loss"]),
            max(abs(a - accuracy) for a in self.fits[FAST]["accuracy"]),
        )

    def report(self):
        steps = self.epochs * -(-self.rows // 10)
        lines = [
            [
                name,
                " / ".join(f"{s:.1f}" for s in fit["seconds"]),
                f"{steps / statistics.median(fit['seconds']):.0f}",
                f"{fit['loss'][-1]:.9f}",
                f"{fit['accuracy'][-1]:.6f}",
            ]
            for name, fit in self.fits.items()
        ]
        repeats = len(self.fits[DEFAULTS]["seconds"])
        title = (
            f"Churn net, {self.rows:,} rows, batch 10, {self.epochs} epochs, "
            f"{repeats} repeat{'s' if repeats > 1 else ''}"
        )
        table = format_grid(
            ["training", "seconds per repeat", "steps/s (median)", "final loss", "final accuracy"],
            lines,
            title=title,
        )

        def ratios(name):
            r = self.speedups(name)
            return f"min {min(r):.1f}x, median {statistics.median(r):.1f}x, max {max(r):.1f}x"

        fast = self.speedups(FAST)
        met = "met" if min(fast) >= TARGET_SPEEDUP else "NOT met"
        loss_gap, accuracy_gap = self.fast_deviation
        within = loss_gap <= LOSS_RTOL and accuracy_gap <= ACCURACY_ATOL
        return "\n".join(
            [
                table,
                f"speed-up of the fast path over compile() defaults: {ratios(FAST)} "
                f"(target >= {TARGET_SPEEDUP:.0f}x in every run: {met})",
                f"speed-up of the exact epoch loop: {ratios(EXACT)}; of NumPy arrays: "
                f"{ratios(ARRAYS)}",
                "exact epoch loop's final loss and accuracy equal the defaults' bit for bit: "
                + ("yes" if self.exact else "NO"),
                f"fast path against the defaults: loss {loss_gap:.1e} relative, accuracy "
                f"{accuracy_gap:.4f} (tolerance {LOSS_RTOL:.0e} and {ACCURACY_ATOL}: "
                + ("within" if within else "NOT within")
                + ")",
                f"load average (1 min) before / after: {self.loads[0]:.2f} / {self.loads[1]:.2f} "
                f"on {os.cpu_count()} cores",
            ]
        )


def benchmark(epochs=50, seed=0, repeats=3, rows=None):
    """Train each way ``repeats`` times, taking turns; return a ``ChurnBenchmark``.

    Args:
        epochs: epochs of every fit.
        seed: the split, the initial weights and the batches' order.
        repeats: how many times each way trains.
        rows: train on the first ``rows`` customers of the training split (all if None).

    Returns:
        A ``ChurnBenchmark``.
    """
    from deepkit import epoch_loop
    from deepkit.models.dense import churn_ann
    from deepkit.recipes import churn
    from deepkit.seeding import set_seed

    check_int(epochs, "epochs", min_value=1)
    check_int(repeats, "repeats", min_value=1)
    if rows is not None:
        check_int(rows, "rows", min_value=20)
    train_frame, _ = churn.split(churn.load_data(), 0.2, seed)
    train_frame = train_frame.iloc[:rows]
    _, x = churn.preprocess(train_frame)
    y = churn.labels(train_frame)
    steps = -(-len(x) // 10)

    def keras_fit(model, *data, **options):
        history = model.fit(*data, epochs=epochs, verbose=0, **options)
        return {name: values for name, values in history.history.items()}

    fits = {
        DEFAULTS: lambda m: keras_fit(
            m, epoch_loop.batches(x, y, 10, seed, epochs), steps_per_epoch=steps, shuffle=False
        ),
        ARRAYS: lambda m: keras_fit(m, x, y, batch_size=10),
        EXACT: lambda m: churn.train(m, x, y, epochs, 10, seed=seed, feed="graph")[1],
        FAST: lambda m: churn.train(m, x, y, epochs, 10, seed=seed, feed="xla")[1],
    }
    results = {name: {"seconds": [], "loss": [], "accuracy": []} for name in fits}
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        for name, train in fits.items():
            set_seed(seed)
            model = churn_ann(seed=seed)
            start = time.perf_counter()
            history = train(model)
            results[name]["seconds"].append(time.perf_counter() - start)
            results[name]["loss"].append(history["loss"][-1])
            results[name]["accuracy"].append(history["accuracy"][-1])
    return ChurnBenchmark(epochs, len(x), results, (load_before, os.getloadavg()[0]))
