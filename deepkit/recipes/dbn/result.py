"""``DbnResult``: what the DBN recipe measured, and its report."""

from dataclasses import dataclass, field

from deepkit.report import format_grid, format_table


@dataclass
class DbnResult:
    """Test errors (fractions), the AIS log-likelihood and the digits table.

    Attributes:
        sizes: the whole net, inputs to classes, e.g. ``(784, 500, 500, 2000, 10)``.
        n_train: the MNIST images trained on (validation ones included).
        n_test: the MNIST images tested.
        errors: ``{init: test error}`` with every label, init "pretrained" or "random init".
        low_label_errors: the same with ``labels`` labelled images only.
        learning_rates: ``{regime: {init: the fine-tuning rate chosen on validation}}``.
        labels: the labelled images of the low-label regime.
        log_likelihood: the first RBM's mean test log-likelihood of binarized images,
            in nats (``None`` without AIS).
        log_likelihood_stderr: its standard error from AIS (``None`` without AIS).
        log_z: the AIS estimate of log Z it rests on (``None`` without AIS).
        digits: ``{classifier: test accuracy}`` on scikit-learn's digits (empty if skipped).
        seconds: the run's wall time.
        histories: ``{regime and init: {metric: [float per epoch]}}`` of the chosen nets.
        models: the nets tested, by init (the refit ones with ``refit``), and ``"rbms"``,
            the pretrained stack.
        plots: the PNG files written.
    """

    sizes: tuple
    n_train: int
    n_test: int
    errors: dict
    low_label_errors: dict
    learning_rates: dict
    labels: int
    log_likelihood: float
    log_likelihood_stderr: float
    log_z: float
    digits: dict
    seconds: float
    histories: dict = field(repr=False)
    models: dict = field(repr=False)
    plots: list = field(default_factory=list)

    def report(self):
        """The result as small tables: MNIST, then the digits classifiers if measured."""
        net = "-".join(map(str, self.sizes))
        rows = [
            ("network", f"{net}, sigmoid, softmax head"),
            ("train / test images", f"{self.n_train} / {self.n_test}"),
        ]
        for regime, errors in (
            ("all labels", self.errors),
            (f"{self.labels} labels", self.low_label_errors),
        ):
            for init, error in errors.items():
                rate = self.learning_rates[regime][init]
                rows.append((f"test error, {regime}, {init}", f"{100 * error:.2f}% (lr {rate:g})"))
        if self.log_likelihood is not None:
            rows.append(
                (
                    "RBM 1 test log-likelihood (AIS)",
                    f"{self.log_likelihood:.2f} nats (log Z {self.log_z:.2f} +- "
                    f"{self.log_likelihood_stderr:.2f})",
                )
            )
        rows.append(("seconds", f"{self.seconds:.0f}"))
        rows += [("plot", path) for path in self.plots]
        text = format_table(rows, title="Deep belief net on MNIST (Goal: <= 1.2% test error)")
        if self.digits:
            text += "\n\n" + format_grid(
                ["digits classifier", "test accuracy"],
                [(name, f"{accuracy:.4f}") for name, accuracy in self.digits.items()],
                title="scikit-learn digits, nudged x5, 20% test (random_state=0)",
            )
        return text
