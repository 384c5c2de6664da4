"""``MnistResult``: what an MNIST classifier recipe measured on the test set, and its report."""

from dataclasses import dataclass, field

import numpy as np

from deepkit.report import format_confusion_matrix, format_table


@dataclass
class MnistResult:
    """What an MNIST recipe measured on the test set.

    ``history`` holds every epoch's logs (``{name: [float per epoch]}``), ``misclassified``
    the indices of the test images predicted wrong, ``plot`` the PNG of some of them.
    """

    network: str
    engine: str
    accuracy: float
    confusion_matrix: np.ndarray
    seconds: float
    epochs: int
    n_train: int
    n_test: int
    history: dict = field(repr=False)
    misclassified: np.ndarray = field(repr=False)
    model: object = field(repr=False)
    plot: str = None

    @property
    def validation_accuracy(self):
        """``(last, best)`` epoch's accuracy on the validation split (``None``: no split)."""
        scores = self.history.get("val_accuracy")
        return (float(scores[-1]), float(max(scores))) if scores else None

    def report(self):
        """The result as a small table."""
        rows = [
            ("network", self.network),
            ("engine", self.engine),
            ("train / test images", f"{self.n_train} / {self.n_test}"),
            ("epochs run", self.epochs),
            *(
                [("validation accuracy, last / best epoch", "{:.4f} / {:.4f}".format(*v))]
                if (v := self.validation_accuracy)
                else []
            ),
            ("test accuracy", f"{self.accuracy:.4f}"),
            ("errors", f"{len(self.misclassified)} of {self.n_test}"),
            ("training seconds", f"{self.seconds:.1f}"),
            (
                "confusion matrix",
                format_confusion_matrix(
                    self.confusion_matrix, range(self.confusion_matrix.shape[0])
                ),
            ),
        ]
        if self.plot:
            rows.append(("misclassified digits", self.plot))
        return format_table(rows, title=f"MNIST {self.network} ({self.engine})")


def plot_misclassified(images, labels, predicted, path, count=12):
    """Save up to ``count`` misclassified digits to ``path`` as a PNG grid.

    Returns:
        ``path`` as a string.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wrong = np.flatnonzero(predicted != labels)[:count]
    columns = max(min(len(wrong), 6), 1)
    rows = max(-(-len(wrong) // columns), 1)
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, index in zip(axes.flat, wrong):
        ax.imshow(images[index], cmap="gray_r")
        ax.set_title(f"#{index}: {labels[index]} as {predicted[index]}", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)
