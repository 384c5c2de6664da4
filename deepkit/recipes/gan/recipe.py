"""The GAN recipe's settings and ``run``, step by step:

load MNIST -> the judging classifier (trained, cached or given; scored on the test
images, refused if weak) -> the two reference rows (real test digits, Bernoulli noise)
-> train the GAN -> measure its samples -> ``GanResult``.
"""

import dataclasses
import os
from functools import partial

from deepkit.recipes.checks import check_plot, check_writable, check_writable_folder
from deepkit.recipes.gan import classifier
from deepkit.recipes.gan.measures import SampleMeasures
from deepkit.recipes.gan.plots import grid_path
from deepkit.recipes.gan.result import GanResult
from deepkit.recipes.gan.training import EpochEnd, build, to_gan_range, train_gan
from deepkit.recipes.mnist_classifier import limit_setting, path_setting
from deepkit.settings import Settings as RecipeSettings
from deepkit.settings import seed_setting, setting
from deepkit.validation import InputError

ARCHS = ("mlp", "dcgan")


@dataclasses.dataclass(frozen=True)
class Settings(RecipeSettings):
    """The GAN recipe's settings: the GAN, its training, the sample measures and their judge.

    ``classifier_filters`` may also be given as a list of ints (``(8, 16)``). The
    accuracy floor, the output paths and the checkpoint folder are not in the record:
    changing them does not make another run.

    Example:

    >>> Settings(conditional=True, epochs=80).record()["epochs"]
    80
    """

    conditional: bool = setting(False, "feed digit labels to both nets")
    arch: str = setting("mlp", "the pair of networks: dense (mlp) or convolutional", choices=ARCHS)
    epochs: int = setting(30, "training epochs", min_value=1)
    batch_size: int = setting(128, "images per adversarial step", min_value=1)
    latent_dim: int = setting(100, "noise numbers the generator starts from", min_value=1)
    learning_rate: float = setting(
        2e-4, "Adam's learning rate, both nets", min_value=0.0, include_min=False
    )
    label_smoothing: float = setting(
        0.0, "one-sided label smoothing s: real target 1 - s", min_value=0.0, max_value=1.0,
        include_max=False,
    )  # fmt: skip
    d_steps: int = setting(1, "discriminator steps per generator step", min_value=1)
    samples: int = setting(10000, "images per quality measure", min_value=4)
    measure_every: int = setting(
        0, "also measure the samples every N epochs (0: at the end only)", min_value=0
    )
    classifier: str = setting(
        None,
        "a .keras MNIST classifier to measure with (default: deepkit's CNN, trained for "
        "these settings and cached in $KERAS_HOME/deepkit)",
        kind=str,
        metavar="FILE",
    )
    classifier_epochs: int = setting(3, "epochs of deepkit's CNN, if trained", min_value=1)
    classifier_filters: str = setting(
        "32,64", "Conv2D filters of deepkit's CNN, comma-separated", metavar="F,F"
    )
    min_classifier_accuracy: float = setting(
        0.95,
        "refuse to measure with a classifier less accurate on the test images",
        min_value=0.0,
        max_value=1.0,
        record=False,
    )
    limit: int = limit_setting()
    path: str = path_setting()
    seed: int = seed_setting("seeds the weights, the data order, the noise and the classifier")
    plot: str = setting(
        None, "save a grid of samples per epoch (and the model) in this folder", kind=str,
        metavar="DIR", record=False,
    )  # fmt: skip
    save: str = setting(
        None, "save the trained GAN (.keras)", kind=str, metavar="FILE", record=False
    )
    checkpoint_dir: str = setting(
        None,
        "save every epoch here; rerun the same command to resume",
        kind=str,
        metavar="DIR",
        record=False,
    )

    def __post_init__(self):
        """``classifier_filters`` given as a list written as text, then every field's checks."""
        filters = self.classifier_filters
        if isinstance(filters, list | tuple):
            object.__setattr__(self, "classifier_filters", ",".join(map(str, filters)))
        super().__post_init__()

    def check(self):
        """The checks a field's bounds cannot make, before any data loads.

        Raises:
            InputError: bad filter counts, a given classifier that is not an existing
                ``.keras`` file, or an output path or folder that cannot be written.
        """
        classifier.parse_filters(self.classifier_filters)
        if self.classifier is not None:
            given = os.path.expanduser(self.classifier)
            if not given.endswith(".keras"):
                raise InputError(f"classifier: {given}: the file name must end in .keras")
            if not os.path.isfile(given):
                raise InputError(
                    f"classifier: {given}: no such file (leave classifier unset to use "
                    "deepkit's CNN, trained for these settings and cached)"
                )
            object.__setattr__(self, "classifier", given)
        if self.plot is not None:
            object.__setattr__(self, "plot", check_plot(self.plot, suffix=None))
        if self.save is not None:
            object.__setattr__(self, "save", check_writable(self.save, ".keras", "save"))
        if self.checkpoint_dir is not None:
            folder = check_writable_folder(self.checkpoint_dir, "checkpoint_dir")
            object.__setattr__(self, "checkpoint_dir", folder)

    @property
    def filters(self):
        """``classifier_filters`` as a tuple of ints."""
        return classifier.parse_filters(self.classifier_filters)


def run(settings=None, /, *, verbose=0, **overrides):
    """Train a GAN on MNIST and measure its samples.

    With ``checkpoint_dir`` the run is resumable: the stage "classifier" keeps the judging
    classifier, the stage "gan" every epoch; a rerun with the same settings goes on from
    the last saved epoch to the weights of an uninterrupted run (a folder of a run with
    other settings, another classifier file or other training images is refused).

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(conditional=True, epochs=5)``).

    Returns:
        A ``GanResult``. A resumed run reports the seconds it trained itself.

    Raises:
        InputError: a bad setting (before any data loads; a batch larger than the
            training images once they have), a checkpoint folder of another run, or a
            judging classifier below ``min_classifier_accuracy`` (before the GAN trains).

    Example:

    >>> result = run(conditional=True, epochs=30, plot="gan_plots")
    >>> print(result.report())
    """
    from deepkit.checkpoints import Checkpoint
    from deepkit.recipes.mnist_classifier import load

    s = Settings.resolve(settings, overrides)
    (x_train, y_train), (x_test, y_test) = load(s.limit, s.path)
    if s.batch_size > len(x_train):
        raise InputError(
            f"batch_size={s.batch_size} is more than the {len(x_train)} training images"
        )
    where = classifier.locate(
        x_train, y_train, filters=s.filters, epochs=s.classifier_epochs, seed=s.seed,
        given=s.classifier,
    )  # fmt: skip
    checkpoint = Checkpoint.open(
        s.checkpoint_dir, {**s.record(), "judging_classifier": where.identity}
    )

    judge, origin = classifier.obtain(
        where, x_train, y_train, checkpoint=checkpoint.stage("classifier"), verbose=verbose
    )
    accuracy = classifier.accuracy_on(judge, x_test, y_test)
    classifier.refuse_if_weak(where.path, accuracy, len(x_test), s.min_classifier_accuracy)

    n = min(s.samples, len(x_train), len(x_test))
    measures = SampleMeasures(judge, x_train, n, conditional=s.conditional, seed=s.seed)
    quality = measures.references(x_train, x_test, y_test)

    gan = build(s)
    if s.plot is not None:
        os.makedirs(s.plot, exist_ok=True)
    train = partial(
        train_gan, gan, to_gan_range(x_train, s.arch), y_train, s,
        on_epoch_end=EpochEnd(gan, s, measures), verbose=verbose,
    )  # fmt: skip
    trained = checkpoint.stage("gan").run(gan, train)

    logged = trained["epochs"]
    result = GanResult(
        arch=s.arch,
        conditional=s.conditional,
        epochs=s.epochs,
        seconds=trained["seconds"],
        n_train=len(x_train),
        quality=quality,
        classifier=where.path,
        classifier_origin=origin,
        classifier_accuracy=accuracy,
        classifier_test_images=len(x_test),
        history={name: [logs[name] for logs in logged] for name in ("d_loss", "g_loss")},
        trend=[
            (epoch, {k: v for k, v in logs.items() if not k.endswith("loss")})
            for epoch, logs in enumerate(logged, start=1)
            if "frechet" in logs
        ],
        gan=gan,
        plots=_plots(s),
    )
    quality[result.final_row] = measures.of(gan)
    result.saved = s.save or (os.path.join(s.plot, "model.keras") if s.plot else None)
    if result.saved:
        gan.save(result.saved)
    return result


def _plots(settings):
    """The sample grids in the plot folder, one per epoch.

    Args:
        settings: the run's ``Settings``.

    Returns:
        The paths of the grids that exist (none without ``plot``).
    """
    if settings.plot is None:
        return []
    paths = [grid_path(settings.plot, epoch) for epoch in range(1, settings.epochs + 1)]
    return [path for path in paths if os.path.exists(path)]
