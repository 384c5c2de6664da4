"""``GanResult``: what the GAN recipe measured, the goals it meets, and its report."""

from dataclasses import dataclass, field

from deepkit.recipes.gan.measures import BASELINE, FLOOR, ceiling_name
from deepkit.report import format_table

# The goals of each kind of GAN, judged on the test images: Fréchet distance within a
# multiple of the real-against-real floor, least precision and recall, and either the
# digit asked for (conditional) or every digit 7-13% of the samples (unconditional).
GOALS = {
    True: {"frechet_x_floor": 2.0, "precision": 0.85, "recall": 0.70, "accuracy": 0.97},
    False: {"frechet_x_floor": 10.0, "precision": 0.6, "recall": 0.6, "share": (0.07, 0.13)},
}


@dataclass
class GanResult:
    """What the GAN recipe measured.

    Attributes:
        arch: the GAN's architecture.
        conditional: whether the GAN is conditional.
        epochs: the epochs each variant trained.
        seconds: the seconds this process trained GANs, all variants (a resumed run: its
            own part).
        n_train: the images the GANs and the judge trained on (the training split less
            the validation images).
        n_validation: the validation images the variants were compared on.
        quality: ``{row name: measures}`` (``sample_quality``) on the test images: the
            ceiling (``FLOOR``, training against test images), the Bernoulli baseline and
            the kept GAN's row (``final_row``).
        validation: ``{row name: measures}`` on the validation images: the ceiling, the
            baseline and one row per variant, named by the variant.
        chosen: the variant kept, the lowest validation Fréchet distance.
        variant_seconds: ``{variant: seconds this process trained it}``.
        classifier: the judging classifier's file.
        classifier_origin: how this run got it: ``"trained"``, ``"cached"`` (deepkit's CNN
            trained by an earlier run with the same settings, data and deepkit version) or
            ``"given"`` (the ``classifier`` setting).
        classifier_accuracy: its accuracy on the run's test images (``classifier_test_images``).
        classifier_validation_accuracy: its accuracy on the validation images.
        classifier_test_images: the test images.
        history: the kept GAN's ``{"d_loss": [...], "g_loss": [...]}``, one value per epoch.
        trend: ``[(epoch, measures as logged)]`` of the kept GAN's epochs measured during
            training (on the validation images).
        gan: the kept GAN.
        plots: the kept GAN's sample grids, one PNG per epoch.
        saved: the saved GAN's ``.keras`` file, if any.
    """

    arch: str
    conditional: bool
    epochs: int
    seconds: float
    n_train: int
    n_validation: int
    quality: dict
    validation: dict
    chosen: str
    variant_seconds: dict
    classifier: str
    classifier_origin: str
    classifier_accuracy: float
    classifier_validation_accuracy: float
    classifier_test_images: int
    history: dict = field(repr=False)
    trend: list = field(repr=False)
    gan: object = field(repr=False)
    plots: list = field(default_factory=list, repr=False)
    saved: str = None

    @property
    def final_row(self):
        """The name of the kept GAN's row in ``quality``."""
        return f"GAN after {self.epochs} epochs"

    def against_ceiling(self):
        """The kept GAN's test precision and recall as shares of the real-against-real ones.

        Returns:
            ``{"precision": GAN's / ceiling's, "recall": GAN's / ceiling's}``.
        """
        gan, ceiling = self.quality[self.final_row], self.quality[FLOOR]
        return {name: gan[name] / ceiling[name] for name in ("precision", "recall")}

    def goals(self):
        """The goals, met or not, by the GAN's final row and by the Bernoulli baseline.

        A goal the baseline meets too says little about the GAN.

        Returns:
            A list of ``(goal, GAN's value, met, Bernoulli baseline's value)``.
        """
        goal = GOALS[self.conditional]

        def values(m):
            ratio = m["frechet"] / self.quality[FLOOR]["frechet"]
            rows = [
                (f"Fréchet <= {goal['frechet_x_floor']:g}x floor", f"{ratio:.1f}x",
                 ratio <= goal["frechet_x_floor"]),
                (f"precision >= {goal['precision']:g}", f"{m['precision']:.3f}",
                 m["precision"] >= goal["precision"]),
                (f"recall >= {goal['recall']:g}", f"{m['recall']:.3f}",
                 m["recall"] >= goal["recall"]),
            ]  # fmt: skip
            if "share" in goal:
                low, high = goal["share"]
                shares = m["shares"]
                rows.append(
                    (f"every digit {100 * low:.0f}-{100 * high:.0f}%",
                     f"{100 * shares.min():.1f}-{100 * shares.max():.1f}%",
                     bool(shares.min() >= low and shares.max() <= high))
                )  # fmt: skip
            accuracy = m.get("conditional_accuracy")
            if "accuracy" in goal and accuracy is not None:
                rows.append(
                    (f"conditional accuracy >= {100 * goal['accuracy']:.0f}%", f"{accuracy:.4f}",
                     accuracy >= goal["accuracy"])
                )  # fmt: skip
            return rows

        baseline = {name: value for name, value, _ in values(self.quality[BASELINE])}
        return [
            (name, value, met, baseline.get(name, "n/a"))
            for name, value, met in values(self.quality[self.final_row])
        ]

    def report(self):
        """The result as a small table: the run, the judge, the choice, the quality, the goals."""
        from deepkit.recipes.gan.sample_quality import format_quality

        shares = self.quality[self.final_row]["shares"]
        share = self.against_ceiling()
        rows = [
            ("network", f"{self.arch} GAN" + (" (conditional)" if self.conditional else "")),
            ("training / validation images", f"{self.n_train} / {self.n_validation}"),
            ("epochs", str(self.epochs)),
            (
                "training seconds",
                f"{self.seconds:.1f} ("
                + ", ".join(f"{v} {s:.1f}" for v, s in self.variant_seconds.items())
                + ")",
            ),
            ("judging classifier", f"{self.classifier} ({self.classifier_origin})"),
            (
                "its accuracy",
                f"{self.classifier_validation_accuracy:.4f} on {self.n_validation} validation"
                f" images, {self.classifier_accuracy:.4f} on {self.classifier_test_images}"
                " test images",
            ),
            ("on validation", format_quality(self.validation, ceiling_name("validation"))),
            ("kept (lowest validation Fréchet)", self.chosen),
            (
                "its final d_loss / g_loss",
                f"{self.history['d_loss'][-1]:.4f} / {self.history['g_loss'][-1]:.4f}",
            ),
            ("on test, once", format_quality(self.quality, FLOOR)),
            ("digit shares % (0-9)", " ".join(f"{100 * s:.1f}" for s in shares)),
            (
                "against the real-vs-real ceiling",
                f"precision {share['precision']:.3f}, recall {share['recall']:.3f} of the"
                " ceiling's",
            ),
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
                    "validation trend (epoch: Fréchet, precision, recall)",
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
