"""``RbmResult``: what the RBM recipe measured, and its report."""

from dataclasses import dataclass, field

from deepkit.report import format_table


@dataclass
class RbmResult:
    """The kept RBM's validation and test log-likelihoods and the AIS log Z they rest on.

    Attributes:
        settings: the run's ``Settings``.
        n_fit: the training images the RBMs learned from.
        n_validation: the training images held out to choose the learning rate.
        n_test: the test images scored.
        learning_rate: the learning rate kept (best validation log-likelihood).
        validation_log_likelihoods: ``{learning rate: mean validation log-likelihood}``,
            each with its own RBM's AIS log Z, in nats.
        test_log_likelihood: the kept RBM's mean test log-likelihood, in nats.
        log_z: the kept RBM's AIS estimate of log Z.
        log_z_stderr: its standard error.
        train_seconds: the wall time of the trainings (every candidate).
        seconds: the run's wall time.
        history: the kept RBM's ``{metric: [float per epoch]}``.
        model: the kept ``deepkit.models.rbm.RBM``.
        plots: the PNG files written.
    """

    settings: object = field(repr=False)
    n_fit: int
    n_validation: int
    n_test: int
    learning_rate: float
    validation_log_likelihoods: dict
    test_log_likelihood: float
    log_z: float
    log_z_stderr: float
    train_seconds: float
    seconds: float
    history: dict = field(repr=False)
    model: object = field(repr=False)
    plots: list = field(default_factory=list)

    @property
    def validation_log_likelihood(self):
        """The kept RBM's mean validation log-likelihood, in nats."""
        return self.validation_log_likelihoods[self.learning_rate]

    @property
    def algorithm(self):
        """ "CD-k" or "PCD-k"."""
        return f"{'PCD' if self.settings.persistent else 'CD'}-{self.settings.k}"

    def report(self):
        """The result as a small table."""
        s = self.settings
        decay = f", / ceil(epoch / {s.decay_every})" if s.decay_every else ""
        rows = [
            ("RBM", f"784-{s.hidden}, {self.algorithm}, {s.epochs} epochs, batches of {s.batch_size}"),
            ("images fit / validation / test", f"{self.n_fit} / {self.n_validation} / {self.n_test}"),
            ("binarization", s.binarization),
        ]  # fmt: skip
        rows += [
            (f"validation log-likelihood, lr {rate:g}{decay}", f"{ll:.2f} nats")
            for rate, ll in self.validation_log_likelihoods.items()
        ]
        rows += [
            ("learning rate kept", f"{self.learning_rate:g}"),
            ("test log-likelihood (AIS)", f"{self.test_log_likelihood:.2f} nats"),
            ("log Z (AIS)", f"{self.log_z:.2f} +- {self.log_z_stderr:.2f}"),
            ("training seconds", f"{self.train_seconds:.0f}"),
            ("seconds", f"{self.seconds:.0f}"),
        ]
        rows += [("plot", path) for path in self.plots]
        title = "Bernoulli RBM on MNIST (Salakhutdinov & Murray 2008, CD-1: -125.53 nats)"
        return format_table(rows, title=title)
