"""``GanResult``: what the GAN recipe measured, the goals it meets, and its report."""

from dataclasses import dataclass, field

from deepkit.recipes.gan.measures import BASELINE, FLOOR
from deepkit.report import format_table

GOALS = {"conditional_accuracy": 0.97, "share": (0.07, 0.13), "frechet_x_floor": 10.0, "pr": 0.7}


@dataclass
class GanResult:
    """What the GAN recipe measured.

    Attributes:
        arch: the GAN's architecture.
        conditional: whether the GAN is conditional.
        epochs: the epochs it trained.
        seconds: the seconds this process trained the GAN (a resumed run: its own part).
        n_train: training images.
        quality: ``{row name: measures}`` (``sample_quality``): the floor, the
            Bernoulli baseline and the GAN's final row (``final_row``).
        classifier: the judging classifier's file.
        classifier_origin: how this run got it: ``"trained"``, ``"cached"`` (deepkit's CNN
            trained by an earlier run with the same settings, data and deepkit version) or
            ``"given"`` (the ``classifier`` setting).
        classifier_accuracy: its accuracy on the run's test images (``classifier_test_images``).
        history: ``{"d_loss": [...], "g_loss": [...]}``, one value per epoch.
        trend: ``[(epoch, measures as logged)]`` of the epochs measured during training.
        gan: the trained GAN.
        plots: the sample grids' PNGs, one per epoch.
        saved: the saved GAN's ``.keras`` file, if any.
    """

    arch: str
    conditional: bool
    epochs: int
    seconds: float
    n_train: int
    quality: dict
    classifier: str
    classifier_origin: str
    classifier_accuracy: float
    classifier_test_images: int
    history: dict = field(repr=False)
    trend: list = field(repr=False)
    gan: object = field(repr=False)
    plots: list = field(default_factory=list, repr=False)
    saved: str = None

    @property
    def final_row(self):
        """The name of the GAN's row in ``quality``."""
        return f"GAN after {self.epochs} epochs"

    def goals(self):
        """The goals, met or not, by the GAN's final row and by the Bernoulli baseline.

        A goal the baseline meets too says little about the GAN.

        Returns:
            A list of ``(goal, GAN's value, met, Bernoulli baseline's value)``.
        """

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

    def report(self):
        """The result as a small table: the run, the judging classifier, the quality, the goals."""
        from deepkit.recipes.gan.sample_quality import format_quality

        shares = self.quality[self.final_row]["shares"]
        rows = [
            ("network", f"{self.arch} GAN" + (" (conditional)" if self.conditional else "")),
            ("training images / epochs", f"{self.n_train} / {self.epochs}"),
            ("training seconds", f"{self.seconds:.1f}"),
            (
                "final d_loss / g_loss",
                f"{self.history['d_loss'][-1]:.4f} / {self.history['g_loss'][-1]:.4f}",
            ),
            ("judging classifier", f"{self.classifier} ({self.classifier_origin})"),
            (
                "its test accuracy",
                f"{self.classifier_accuracy:.4f} on {self.classifier_test_images} test images",
            ),
            ("digit shares % (0-9)", " ".join(f"{100 * s:.1f}" for s in shares)),
            ("quality", format_quality(self.quality, FLOOR)),
            (
                "goals",
                "\n".join(
                    f"{g}: {v} ({'met' if ok else 'NOT met'}; Bernoulli baseline: {b})"
                    for g, v, ok, b in self.goals()
                ),
            ),
        ]
        if self.trend:
            rows.append(
                (
                    "trend (epoch: Fréchet, precision, recall)",
                    "\n".join(
                        f"{e}: {m['frechet']:.3f}, {m['precision']:.3f}, {m['recall']:.3f}"
                        for e, m in self.trend
                    ),
                )
            )
        if self.plots:
            rows.append(("sample grids", f"{self.plots[0]} ... {self.plots[-1]}"))
        if self.saved:
            rows.append(("model", self.saved))
        title = f"GAN on MNIST ({self.arch}{', conditional' if self.conditional else ''})"
        return format_table(rows, title=title)
