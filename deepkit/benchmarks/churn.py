"""``deepkit bench churn``: deepkit's churn training vs Keras with ``compile()`` defaults.

Both train T3's net (``churn_ann``) from the same initial weights on the same
8,000 preprocessed rows, batch 10, with the same seed, in this one process.
The only difference is deepkit's fast path, ``steps_per_execution`` (one graph
call runs ``STEPS_PER_EXECUTION`` steps instead of one), so the final loss and
accuracy should match; the benchmark prints both, the two times and the ratio.
"""

import time

from deepkit.report import format_grid


def add_arguments(parser):
    parser.add_argument("--epochs", type=int, default=50, help="epochs of each fit (default 50, as T3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, weights and shuffling")


def main(args):
    print(benchmark(epochs=args.epochs, seed=args.seed))
    return 0


def benchmark(epochs=50, seed=0):
    """Time both fits; return the printed table."""
    from deepkit.models.dense import churn_ann
    from deepkit.recipes import churn
    from deepkit.seeding import set_seed

    if not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    train_frame, _ = churn.split(churn.load_data(), 0.2, seed)
    _, x = churn.preprocess(train_frame)
    y = churn.labels(train_frame)
    fits = {
        "Keras compile() defaults": lambda: churn_ann(seed=seed),
        "deepkit (run's fast path)": lambda: churn.build("tutorial", seed),
    }
    rows, seconds = [], []
    for name, make_model in fits.items():
        set_seed(seed)
        model = make_model()
        start = time.perf_counter()
        _, history = churn.train(model, x, y, epochs=epochs, batch_size=10, seed=seed)
        seconds.append(time.perf_counter() - start)
        steps = epochs * -(-len(x) // 10)
        rows.append([name, f"{seconds[-1]:.1f}", f"{steps / seconds[-1]:.0f}",
                     f"{history['loss'][-1]:.6f}", f"{history['accuracy'][-1]:.6f}"])
    title = f"Churn net, {len(x):,} rows, batch 10, {epochs} epochs: speed-up {seconds[0] / seconds[1]:.1f}x"
    header = ["training", "seconds", "steps/s", "final loss", "final accuracy"]
    return format_grid(header, rows, title=title)
