"""The GAN recipe's settings and ``run``, step by step:

load MNIST's training images -> carve a validation split -> the judging classifier
(trained on the rest, cached or given; scored on the validation images, refused if weak)
-> for each variant: train a GAN on the rest (by Keras, or by the NumPy reference with
``engine="numpy"``), measure its samples against the validation
images -> keep the variant of the lowest validation Fréchet distance -> only now read the
test images, once: the judge's test accuracy, the ceiling (training images against test
images), the baseline and the kept GAN's samples against them -> ``GanResult``.
"""

import os
from functools import partial

from deepkit.recipes.gan import classifier
from deepkit.recipes.gan.measures import SampleMeasures
from deepkit.recipes.gan.plots import grid_path
from deepkit.recipes.gan.result import GanResult
from deepkit.recipes.gan.settings import Settings
from deepkit.recipes.gan.training import TRAINERS, EpochEnd, build, plot_folder, to_gan_range
from deepkit.validation import InputError


def run(settings=None, /, *, verbose=0, **overrides):
    """Train GAN variants on MNIST, keep the best on validation, measure it on the test images.

    With ``checkpoint_dir`` the run is resumable: the stage "classifier" keeps the judging
    classifier, the stage "gan-VARIANT" every epoch of each variant; a rerun with the same
    settings goes on from the last saved epoch to the weights of an uninterrupted run (a
    folder of a run with other settings, another classifier file or other training images
    is refused).

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(conditional=True, epochs=5)``).

    Returns:
        A ``GanResult``. A resumed run reports the seconds it trained itself.

    Raises:
        InputError: a bad setting (before any data loads; a batch larger than the
            training images once they have), a checkpoint folder of another run, or a
            judging classifier below ``min_classifier_accuracy`` on the validation
            images (before any GAN trains).

    Example:

    >>> result = run(conditional=True, epochs=30, variants=["base", "mbstd+ema"])
    >>> print(result.report())
    """
    from deepkit.checkpoints import Checkpoint
    from deepkit.recipes.mnist_classifier import load
    from deepkit.training import carve_validation

    s = Settings.resolve(settings, overrides)
    (x_train, y_train), _ = load(s.limit, s.path)  # the test images wait for the choice
    (x_fit, y_fit), (x_val, y_val) = carve_validation(
        x_train, y_train, s.validation_split, seed=s.seed
    )
    if s.batch_size > len(x_fit):
        raise InputError(
            f"batch_size={s.batch_size} is more than the {len(x_fit)} training images left"
            f" beside the validation split"
        )
    where = classifier.locate(
        x_fit, y_fit, filters=s.filters, epochs=s.classifier_epochs, seed=s.seed,
        given=s.classifier,
    )  # fmt: skip
    checkpoint = Checkpoint.open(
        s.checkpoint_dir, {**s.record(), "judging_classifier": where.identity}
    )
    judge, origin = classifier.obtain(
        where, x_fit, y_fit, checkpoint=checkpoint.stage("classifier"), verbose=verbose
    )
    validation_accuracy = classifier.accuracy_on(judge, x_val, y_val)
    classifier.refuse_if_weak(
        where.path, validation_accuracy, f"{len(x_val)} validation", s.min_classifier_accuracy
    )

    n = min(s.samples, len(x_fit), len(x_val))
    measures = SampleMeasures(judge, x_val, "validation", n, conditional=s.conditional, seed=s.seed)
    validation = measures.references(x_fit, y_fit)
    trained = {}
    for variant in s.variants:
        gan = build(s, variant)
        folder = plot_folder(s, variant)
        if folder is not None:
            os.makedirs(folder, exist_ok=True)
        train = partial(
            TRAINERS[s.engine], gan, to_gan_range(x_fit, s.arch), y_fit, s,
            on_epoch_end=EpochEnd(gan, s, measures, folder), verbose=verbose,
        )  # fmt: skip
        trained[variant] = gan, checkpoint.stage(f"gan-{variant}").run(gan, train)
        validation[variant] = measures.of(gan)
    chosen = min(s.variants, key=lambda variant: validation[variant]["frechet"])
    gan, logs = trained[chosen]

    # The choice is made: the test images are read now, once.
    x_test, y_test = test_images(s)
    test_accuracy = classifier.accuracy_on(judge, x_test, y_test)
    n = min(s.samples, len(x_fit), len(x_test))
    final = SampleMeasures(judge, x_test, "test", n, conditional=s.conditional, seed=s.seed)
    quality = final.references(x_fit, y_fit)
    result = GanResult(
        arch=s.arch,
        conditional=s.conditional,
        epochs=s.epochs,
        seconds=sum(logs["seconds"] for _, logs in trained.values()),
        n_train=len(x_fit),
        n_validation=len(x_val),
        quality=quality,
        validation=validation,
        chosen=chosen,
        variant_seconds={variant: logs["seconds"] for variant, (_, logs) in trained.items()},
        classifier=where.path,
        classifier_origin=origin,
        classifier_accuracy=test_accuracy,
        classifier_validation_accuracy=validation_accuracy,
        classifier_test_images=len(x_test),
        history={name: [epoch[name] for epoch in logs["epochs"]] for name in ("d_loss", "g_loss")},
        trend=[
            (epoch, {k: v for k, v in measured.items() if not k.endswith("loss")})
            for epoch, measured in enumerate(logs["epochs"], start=1)
            if "frechet" in measured
        ],
        gan=gan,
        plots=_plots(s, chosen),
    )
    quality[result.final_row] = final.of(gan)
    result.saved = s.save or (os.path.join(s.plot, "model.keras") if s.plot else None)
    if result.saved:
        gan.save(result.saved)
    return result


def test_images(settings):
    """MNIST's test images and labels (the first N/6 with ``limit`` N), read once the
    variant is chosen.

    Args:
        settings: the run's ``Settings`` (limit, path).

    Returns:
        ``(x_test, y_test)``.
    """
    from deepkit.recipes.mnist_classifier import load

    return load(settings.limit, settings.path)[1]


def _plots(settings, variant):
    """The sample grids of ``variant``, one per epoch.

    Args:
        settings: the run's ``Settings``.
        variant: the variant whose grids are listed.

    Returns:
        The paths of the grids that exist (none without ``plot``).
    """
    folder = plot_folder(settings, variant)
    if folder is None:
        return []
    paths = [grid_path(folder, epoch) for epoch in range(1, settings.epochs + 1)]
    return [path for path in paths if os.path.exists(path)]
