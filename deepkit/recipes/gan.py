"""GANs on MNIST (tutorial T3): train a generator against a discriminator, then measure the samples.

    from deepkit.recipes import gan
    result = gan.run(conditional=True, arch="mlp", epochs=30, plot="gan_plots")
    print(result.report())

The quality table (``deepkit.sample_quality``) measures the generated digits
in the penultimate features of deepkit's own MNIST CNN (trained once by this
recipe and kept in a ``.keras`` file, or loaded from one), beside two
reference points measured in the same run: MNIST test images (the floor: real
against real) and per-pixel Bernoulli samples of the mean training image.
Every feature set is compared with the same ``samples`` training images.
Goals (issue 10): conditional accuracy >= 97%, every digit 7-13% of
unconditional samples, Fréchet distance within 10x the floor, precision and
recall >= 0.7.

Each epoch's order depends on (seed, epoch) alone (``deepkit.distribute.epoch_dataset``).
``checkpoint_dir=DIR`` (``--checkpoint-dir``) makes the run resumable with nothing lost
(``deepkit.checkpoints``): the stage "classifier" keeps the classifier this run trained or
loaded (its SHA-256: a file changed since is refused); the stage "gan" saves every epoch
(weights, both optimizers, the noise generator's position; the logs and measures of every
epoch) and a rerun with the same arguments continues from the last finished epoch to the
weights and history of an uninterrupted run, bit for bit. The classifier's training (3
short epochs) restarts if it was killed: its Dropout generator's position is not in
Keras's backup, so resuming it would give another classifier.
"""

import hashlib
import json
import os
import time
from dataclasses import dataclass, field

import numpy as np

from deepkit.recipes.checks import check_plot, check_writable, check_writable_folder
from deepkit.recipes.mnist_steps import LEAST_LIMIT
from deepkit.reference.gan import check_settings
from deepkit.validation import InputError, check_choice, check_float, check_int
from deepkit.report import format_table

DEFAULT_CLASSIFIER = os.path.join("~", ".keras", "deepkit", "mnist_cnn_classifier.keras")
FLOOR, BASELINE = "MNIST train vs test", "Bernoulli(mean image)"
UNCHECKED = ("plot", "save", "verbose", "checkpoint_dir")  # not in a checkpoint's arguments
GOALS = {"conditional_accuracy": 0.97, "share": (0.07, 0.13), "frechet_x_floor": 10.0, "pr": 0.7}


@dataclass
class GanResult:
    """What the GAN recipe measured; ``quality`` maps a row name to its measures."""

    arch: str
    conditional: bool
    epochs: int
    seconds: float
    n_train: int
    quality: dict
    history: dict = field(repr=False)
    trend: list = field(repr=False)
    gan: object = field(repr=False)
    plots: list = field(default_factory=list, repr=False)
    saved: str = None

    def goals(self):
        """``(goal, GAN's value, met, Bernoulli baseline's value)`` for the GAN's final row: a
        goal the baseline meets too says little about the GAN."""

        def values(m):
            low, high = GOALS["share"]
            shares = m["shares"]
            ratio = m["frechet"] / self.quality[FLOOR]["frechet"]
            accuracy = m.get("conditional_accuracy")
            return [
                (f"Fréchet <= {GOALS['frechet_x_floor']:.0f}x floor", f"{ratio:.1f}x",
                 ratio <= GOALS["frechet_x_floor"]),
                ("precision >= 0.7", f"{m['precision']:.3f}", m["precision"] >= GOALS["pr"]),
                ("recall >= 0.7", f"{m['recall']:.3f}", m["recall"] >= GOALS["pr"]),
                ("every digit 7-13%", f"{100 * shares.min():.1f}-{100 * shares.max():.1f}%",
                 bool(shares.min() >= low and shares.max() <= high)),
            ] + ([] if accuracy is None else [
                ("conditional accuracy >= 97%", f"{accuracy:.4f}",
                 accuracy >= GOALS["conditional_accuracy"])])  # fmt: skip

        baseline = {goal: value for goal, value, _ in values(self.quality[BASELINE])}
        return [
            (goal, value, met, baseline.get(goal, "n/a"))
            for goal, value, met in values(self.quality[self.final_row])
        ]

    @property
    def final_row(self):
        return f"GAN after {self.epochs} epochs"

    def report(self):
        from deepkit.sample_quality import format_quality

        shares = self.quality[self.final_row]["shares"]
        rows = [
            ("network", f"{self.arch} GAN" + (" (conditional)" if self.conditional else "")),
            ("training images / epochs", f"{self.n_train} / {self.epochs}"),
            ("training seconds", f"{self.seconds:.1f}"),
            (
                "final d_loss / g_loss",
                f"{self.history['d_loss'][-1]:.4f} / {self.history['g_loss'][-1]:.4f}",
            ),  # fmt: skip
            ("digit shares % (0-9)", " ".join(f"{100 * s:.1f}" for s in shares)),
            ("quality", format_quality(self.quality, FLOOR)),
            (
                "goals",
                "\n".join(
                    f"{g}: {v} ({'met' if ok else 'NOT met'}; Bernoulli baseline: {b})"
                    for g, v, ok, b in self.goals()
                ),
            ),  # fmt: skip
        ]
        if self.trend:
            rows.append(("trend (epoch: Fréchet, precision, recall)", "\n".join(
                f"{e}: {m['frechet']:.3f}, {m['precision']:.3f}, {m['recall']:.3f}"
                for e, m in self.trend)))  # fmt: skip
        if self.plots:
            rows.append(("sample grids", f"{self.plots[0]} ... {self.plots[-1]}"))
        if self.saved:
            rows.append(("model", self.saved))
        title = f"GAN on MNIST ({self.arch}{', conditional' if self.conditional else ''})"
        return format_table(rows, title=title)


def to_gan_range(x_uint8, arch):
    """uint8 (n, 28, 28) -> float32 in [-1, 1] (tanh's range): flat rows for "mlp", else (28, 28, 1)."""
    x = np.asarray(x_uint8, "float32") / 127.5 - 1.0
    return x.reshape(len(x), -1) if arch == "mlp" else x[..., None]


def save_grid(images, path, title=None, columns=10):
    """Tile images in [0, 1] (784 pixels each) into one grey PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = np.asarray(images).reshape(-1, 28, 28)
    rows = -(-len(images) // columns)
    tiles = np.ones((rows * columns, 28, 28))
    tiles[: len(images)] = images
    sheet = tiles.reshape(rows, columns, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, -1)
    figure, ax = plt.subplots(figsize=(columns * 0.6, rows * 0.6 + 0.4))
    ax.imshow(sheet, cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)


def load_classifier(
    classifier, x_train, y_train, epochs, seed, verbose, stage=None, filters=(32, 64)
):
    """A saved ``.keras`` MNIST classifier, or deepkit's CNN trained now and saved there (a
    whole file or none). A finished checkpoint ``stage`` refuses a file changed since."""
    from deepkit.sample_quality import train_classifier
    from deepkit.saving import load_keras

    path = os.path.expanduser(classifier)
    if stage is not None and stage.finished:
        measured_with = json.loads((stage.directory / "results.json").read_text())["sha256"]
        if not os.path.isfile(path) or _sha256(path) != measured_with:
            raise InputError(
                f"classifier: {path} is not the file this checkpointed run measured with"
                " (changed or removed since); use another checkpoint folder"
            )
    if os.path.exists(path):
        model = load_keras(path)
    else:
        model = train_classifier(x_train, y_train, epochs, seed, verbose, filters)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        partial = path + ".partial.keras"
        model.save(partial)
        os.replace(partial, path)
    if stage is not None and not stage.finished:
        stage.finish(model, sha256=_sha256(path))
    return model, path


def _sha256(path):
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()


def check_arguments(settings, plot, save, classifier):
    """``run``'s ``settings`` (a dict of its numbers), ``arch`` and output paths, checked before
    any work; returns ``(plot, save, classifier)`` as checked paths."""
    for name in ("epochs", "batch_size", "samples", "classifier_epochs"):
        check_int(settings[name], name, min_value=1)
    check_int(settings["measure_every"], "measure_every", min_value=0)
    filters = settings["classifier_filters"]
    if not isinstance(filters, list | tuple) or not filters:
        raise InputError(f"classifier_filters must be a list of filter counts, got {filters!r}")
    for count in filters:
        check_int(count, "classifier_filters", min_value=1)
    check_int(settings["seed"], "seed", min_value=0)
    check_choice(settings["arch"], "arch", ("mlp", "dcgan"))
    check_float(settings["learning_rate"], "learning_rate", 0.0, include_min=False)
    check_settings(
        settings["latent_dim"],
        None,
        settings["label_smoothing"],
        settings["d_steps"],
        "non_saturating",
    )
    if settings["limit"] is not None:
        check_int(settings["limit"], "limit", min_value=LEAST_LIMIT)
    if plot is not None:
        plot = check_plot(plot, suffix=None)
    if save is not None:
        save = check_writable(save, ".keras", "save")
    classifier = os.path.expanduser(classifier)
    if not os.path.isfile(classifier):  # trained now and saved there, its folder made
        if not classifier.endswith(".keras"):
            raise InputError(f"classifier: {classifier}: the file name must end in .keras")
        check_writable_folder(os.path.dirname(classifier) or ".", "classifier")
    return plot, save, classifier


def run(
    conditional=False,
    arch="mlp",
    epochs=30,
    batch_size=128,
    latent_dim=100,
    learning_rate=2e-4,
    label_smoothing=0.0,
    d_steps=1,
    samples=10000,
    measure_every=0,
    classifier=DEFAULT_CLASSIFIER,
    classifier_epochs=3,
    classifier_filters=(32, 64),
    limit=None,
    path=None,
    seed=0,
    plot=None,
    save=None,
    verbose=0,
    checkpoint_dir=None,
):
    """Train a GAN on MNIST and measure its samples; a ``GanResult``.

    ``measure_every=N`` also measures the samples every N epochs (the trend);
    ``plot=DIR`` saves a 10x10 grid of samples per epoch (row i = digit i when
    conditional) and the final model; ``save`` names the model file;
    ``checkpoint_dir`` makes the run resumable (see the module docstring; a folder
    of a run with other arguments is refused). A resumed run reports the seconds it
    trained itself.
    """
    settings = dict(locals())
    plot, save, classifier = check_arguments(settings, plot, save, classifier)
    checkpoint = None
    if checkpoint_dir is not None:
        from deepkit.checkpoints import Checkpoint

        folder = check_writable_folder(checkpoint_dir, "checkpoint_dir")
        arguments = {k: v for k, v in settings.items() if k not in UNCHECKED}
        checkpoint = Checkpoint(folder, {**arguments, "classifier": classifier})

    def stage(name):
        return None if checkpoint is None else checkpoint.stage(name)

    from deepkit.models.gan import build_gan
    from deepkit.recipes.mnist_steps import load
    from deepkit.sample_quality import SampleQuality, bernoulli_baseline
    from deepkit.seeding import set_seed

    (x_train, y_train), (x_test, y_test) = load(limit, path)
    model, _ = load_classifier(
        classifier, x_train, y_train, classifier_epochs, seed, verbose, stage("classifier"),
        classifier_filters,
    )  # fmt: skip
    rng = np.random.default_rng(seed)
    n = min(samples, len(x_train), len(x_test))
    quality = SampleQuality(model, x_train[rng.permutation(len(x_train))[:n]] / 255)
    requested = np.arange(n) % 10 if conditional else None

    def measure(gan):
        images = (gan.generate(n, labels=requested, seed=seed + 1) + 1) / 2
        return quality.measure(images, requested)

    rows = {
        FLOOR: quality.measure(x_test[:n] / 255, y_test[:n]),
        BASELINE: quality.measure(bernoulli_baseline(x_train / 255, n, seed)),
    }
    set_seed(seed)
    gan = build_gan(arch, latent_dim=latent_dim, num_classes=10 if conditional else None,
                    learning_rate=learning_rate, label_smoothing=label_smoothing,
                    d_steps=d_steps, seed=seed)  # fmt: skip
    grid_labels = np.repeat(np.arange(10), 10) if conditional else None

    def grid_path(epoch):
        return os.path.join(plot, f"samples_epoch{epoch:03d}.png")

    def on_epoch_end(epoch, logs):
        """Plot the grid and add the measures (when due) to the epoch's ``logs``."""
        if plot is not None:
            images = (gan.generate(100, labels=grid_labels, seed=seed + 2) + 1) / 2
            save_grid(images, grid_path(epoch + 1), title=f"{arch} GAN, epoch {epoch + 1}")
        if measure_every and (epoch + 1) % measure_every == 0 and epoch + 1 < epochs:
            logs.update(_as_logs(measure(gan)))  # shown by Keras's progress, kept in the history

    if plot is not None:
        os.makedirs(plot, exist_ok=True)
    gan_stage = stage("gan")
    if gan_stage is not None and gan_stage.finished:
        done = gan_stage.restore(gan)
        logged, seconds = done["epochs"], done["seconds"]
    else:
        start = time.perf_counter()
        logged = train(gan, to_gan_range(x_train, arch), y_train, epochs, batch_size, seed,
                       verbose, on_epoch_end, gan_stage)  # fmt: skip
        seconds = time.perf_counter() - start
        if gan_stage is not None:
            gan_stage.finish(gan, epochs=logged, seconds=seconds)
    history = {name: [logs[name] for logs in logged] for name in ("d_loss", "g_loss")}
    trend = [(e + 1, {k: v for k, v in logs.items() if not k.endswith("loss")})
             for e, logs in enumerate(logged) if "frechet" in logs]  # fmt: skip
    plots = [grid_path(e) for e in range(1, epochs + 1) if plot and os.path.exists(grid_path(e))]
    result = GanResult(arch, conditional, epochs, seconds, len(x_train), rows, history, trend,
                       gan, plots)  # fmt: skip
    rows[result.final_row] = measure(gan)
    save = save or (os.path.join(plot, "model.keras") if plot is not None else None)
    if save:
        gan.save(save)
        result.saved = save
    return result


def train(gan, x, y, epochs, batch_size, seed, verbose, on_epoch_end, stage=None):
    """Fit ``gan`` on batches ordered by (seed, epoch) (``y``: labels, ignored when unconditional);
    a list of every epoch's logs (as floats) after ``on_epoch_end(epoch, logs)`` saw them.
    With a checkpoint ``stage``, resume from its backup and save every epoch there."""
    import keras

    from deepkit.training import fit

    logged = [] if stage is None else list(stage.history)  # the epochs a killed run finished

    def log(epoch, logs):
        on_epoch_end(epoch, logs)
        logged[epoch:] = [{name: float(value) for name, value in logs.items()}]

    # The default strategy: one device, fed by deepkit's (seed, epoch) pipeline.
    fit(gan, x, y, epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose,
        strategy="default", checkpoint_dir=stage,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=log)])  # fmt: skip
    return logged


def _as_logs(measures):
    """A measure dict as numbers for an epoch's logs (the digit shares as their min and max)."""
    shares = measures["shares"]
    kept = {name: value for name, value in measures.items() if name != "shares"}
    return {**kept, "min_share": shares.min(), "max_share": shares.max()}


def add_arguments(parser):
    parser.add_argument("--conditional", action="store_true", help="feed digit labels to both nets")
    parser.add_argument("--arch", choices=["mlp", "dcgan"], default="mlp")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-4, help="Adam, both nets")
    parser.add_argument("--label-smoothing", type=float, default=0.0, help="real target 1 - s")
    parser.add_argument("--d-steps", type=int, default=1, help="D steps per G step")
    parser.add_argument("--samples", type=int, default=10000, help="images per quality measure")
    parser.add_argument(
        "--measure-every", type=int, default=0, help="also measure every N epochs (0: end only)"
    )
    parser.add_argument(
        "--classifier",
        default=DEFAULT_CLASSIFIER,
        help="MNIST CNN .keras (trained there if absent)",
    )
    parser.add_argument(
        "--classifier-epochs", type=int, default=3, help="epochs of the classifier if trained"
    )
    parser.add_argument(
        "--classifier-filters", type=int, nargs="+", default=[32, 64], metavar="F",
        help="Conv2D filters of the classifier if trained",
    )  # fmt: skip
    parser.add_argument("--limit", type=int, default=None, help="first N training images only")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default=None, metavar="DIR", help="sample grid PNG per epoch")
    parser.add_argument("--save", default=None, help="save the trained GAN to this .keras file")
    parser.add_argument(
        "--checkpoint-dir",
        default=None,
        metavar="DIR",
        help="save every epoch here; rerun with the same arguments to resume",
    )


def main(args):
    result = run(
        conditional=args.conditional,
        arch=args.arch,
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        label_smoothing=args.label_smoothing,
        d_steps=args.d_steps,
        samples=args.samples,
        measure_every=args.measure_every,
        classifier=args.classifier,
        classifier_epochs=args.classifier_epochs,
        classifier_filters=args.classifier_filters,
        limit=args.limit,
        path=args.path,
        seed=args.seed,
        plot=args.plot,
        save=args.save,
        verbose=1,
        checkpoint_dir=args.checkpoint_dir,
    )
    print(result.report())
