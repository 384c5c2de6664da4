"""``GradientFlowResult``: the per-layer gradient norms measured, their report and plot."""

import pathlib
from dataclasses import dataclass, field

from deepkit.recipes.gradient_flow.norms import first_to_last, largest_difference
from deepkit.report import format_grid

PLOT = "gradient_flow.png"


@dataclass
class Flow:
    """One variant's gradient norms, layer 1 (next to the input) first.

    Attributes:
        variant: a key of ``VARIANTS``.
        activation: the hidden layers' activation.
        init: the initial weights, in words.
        initial: ||dL/dW_l|| at initialisation, by Keras.
        trained: the same after the SGD steps.
        reference_initial: ``initial`` by the NumPy reference.
        reference_trained: ``trained`` by the NumPy reference.
        validation_accuracy: the accuracy on the held-out images after the steps.
    """

    variant: str
    activation: str
    init: str
    initial: list
    trained: list
    reference_initial: list
    reference_trained: list
    validation_accuracy: float

    @property
    def ratio_initial(self):
        """||dL/dW_1|| / ||dL/dW_L|| at initialisation."""
        return first_to_last(self.initial)

    @property
    def ratio_trained(self):
        """||dL/dW_1|| / ||dL/dW_L|| after the steps."""
        return first_to_last(self.trained)

    @property
    def reference_difference(self):
        """The NumPy reference's largest relative gap to Keras's norms, both measurements."""
        return max(
            largest_difference(self.initial, self.reference_initial),
            largest_difference(self.trained, self.reference_trained),
        )


@dataclass
class GradientFlowResult:
    """The gradient norms of every variant, and how they were measured.

    Attributes:
        sizes: the net, inputs to classes, e.g. ``(784, 256, ..., 10)``.
        flows: one ``Flow`` per variant.
        steps: the SGD steps between the two measurements.
        batch_size: images per step.
        learning_rate: SGD's learning rate.
        probe: the images of the fixed batch the gradients are measured on.
        n_fit: the training images the steps draw from.
        n_validation: the held-out training images the accuracy is measured on.
        pretraining: what the RBMs learned from, in words (``None`` without ``sigmoid-rbm``).
        seconds: the run's wall time.
        plots: the PNG files written.
        models: the trained nets by variant.
    """

    sizes: tuple
    flows: list
    steps: int
    batch_size: int
    learning_rate: float
    probe: int
    n_fit: int
    n_validation: int
    pretraining: str
    seconds: float
    plots: list = field(default_factory=list)
    models: dict = field(default_factory=dict, repr=False)

    def report(self):
        """The ratios, the accuracies and the norms of every layer, as text tables."""
        after = f"after {self.steps} steps"
        rows = [
            (
                f.variant,
                f"{f.ratio_initial:.2g}",
                f"{f.ratio_trained:.2g}",
                f"{f.validation_accuracy:.2%}",
                f"{f.reference_difference:.1e}",
            )
            for f in self.flows
        ]
        header = [
            "variant",
            "first/last at init",
            f"first/last {after}",
            f"val. accuracy {after}",
            "NumPy ref. gap",
        ]
        net = "-".join(map(str, self.sizes))
        title = f"T3's lesson, measured: ||dL/dW_1|| / ||dL/dW_L|| of a {net} net"
        layers = [f"W_{layer}" for layer in range(1, len(self.sizes))]
        norms = [
            format_grid(
                ["variant", *layers],
                [(f.variant, *(f"{v:.1e}" for v in getattr(f, which))) for f in self.flows],
                title=f"||dL/dW_l|| {when}",
            )
            for which, when in (("initial", "at initialisation"), ("trained", after))
        ]
        notes = [
            *(f"{f.variant}: {f.activation}, {f.init}." for f in self.flows),
            f"Gradients of the mean cross-entropy of {self.probe:,} fixed training images "
            "(Keras's GradientTape; the NumPy reference's gap is its largest relative difference).",
            f"Plain SGD, learning rate {self.learning_rate:g}, batches of {self.batch_size} drawn "
            f"from {self.n_fit:,} training images; accuracy on {self.n_validation:,} held-out "
            "training images (the test split is not read).",
        ]
        if self.pretraining:
            notes.append(f"RBMs: {self.pretraining}.")
        notes.append(
            f"{self.seconds:.1f} s" + (f"; plot: {', '.join(self.plots)}" if self.plots else "")
        )
        return "\n\n".join([format_grid(header, rows, title=title), *norms, "\n".join(notes)])

    def plot(self, directory):
        """Save ``gradient_flow.png``: ||dL/dW_l|| against l, log scale, at initialisation
        and after the steps, one line per variant.

        Args:
            directory: the folder to write into (made if absent).

        Returns:
            The path written.
        """
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        directory = pathlib.Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        figure, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
        layers = range(1, len(self.sizes))
        for ax, which, when in (
            (axes[0], "initial", "at initialisation"),
            (axes[1], "trained", f"after {self.steps} SGD steps"),
        ):
            for f in self.flows:
                ax.semilogy(layers, getattr(f, which), marker="o", label=f.variant)
            ax.set_title(when)
            ax.set_xlabel("layer l (1: next to the input)")
            ax.set_xticks(list(layers))
            ax.grid(True, which="major", alpha=0.3)
        axes[0].set_ylabel("||dL/dW_l||")
        figure.suptitle(
            f"Gradient norm of each layer's weights, {'-'.join(map(str, self.sizes))} net"
        )
        axes[1].legend(fontsize="small")
        figure.tight_layout()
        path = str(directory / PLOT)
        figure.savefig(path, dpi=110)
        plt.close(figure)
        return path
