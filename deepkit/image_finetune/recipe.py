"""``run``: a fine-tune on a folder of pictures, step by step (the package's docstring).

Everything that can be checked is checked before TensorFlow loads (the settings, the
folder); the base is built before any training; the two phases train through
``deepkit.finetune.train_phases`` on the streamed pictures, each a checkpoint stage.
"""

import time

from deepkit.applications import APPLICATIONS
from deepkit.image_finetune.base import build_base
from deepkit.image_finetune.result import FinetuneResult
from deepkit.image_finetune.settings import Settings
from deepkit.image_pipeline import family_of
from deepkit.validation import InputError


def run(settings=None, /, *, verbose=0, callbacks=(), **overrides):
    """Fine-tune ``base`` on the pictures of ``images``; save the classifier if asked.

    Args:
        settings: a ``Settings``, or ``None`` for the defaults.
        verbose: Keras's ``verbose``.
        callbacks: Keras callbacks added to every phase's training.
        **overrides: settings by name (``base="MobileNetV2"``, ``images="pictures"``).

    Returns:
        A ``FinetuneResult``; ``result.classifier`` predicts, ``result.report()`` prints.

    Raises:
        InputError: no base or pictures, a bad setting or folder (named), before
            TensorFlow loads; a base that cannot be built, before training.

    Example:
        >>> result = run(base="model.keras", images="pictures", epochs=3)
    """
    from deepkit import images
    from deepkit.checkpoints import Checkpoint

    s = Settings.resolve(settings, overrides)
    if s.base is None or s.images is None:
        raise InputError("give a base (a keras.applications name or a .keras file) and images")
    started = time.perf_counter()
    least = APPLICATIONS[s.application] if s.application else None
    folder = images.scan(
        s.images,
        min_side=least,
        skip_bad=s.skip_bad_images,
        least_name=f"keras.applications.{s.application}'s least input" if least else None,
    )
    training, validation = images.split(folder, s.validation_split, s.seed)
    checkpoint = Checkpoint.open(s.checkpoint_dir, {**s.record(), "pictures": folder.digest()})
    model, classifier = _build(s, folder)
    histories = _train(model, classifier, s, training, validation, checkpoint, verbose, callbacks)
    accuracy = None
    if len(validation[0]):
        accuracy = float(model.evaluate(_batches(classifier, s, *validation), verbose=0)[1])
    classifier.about.update(validation_accuracy=accuracy)
    if s.save_dir is not None:
        classifier.save(s.save_dir)
    return FinetuneResult(
        settings=s,
        classifier=classifier,
        counts=folder.counts(),
        n_training=len(training[0]),
        validation_labels=validation[1].tolist(),
        skipped=folder.skipped,
        histories=histories,
        validation_accuracy=accuracy,
        seconds=time.perf_counter() - started,
    )


def _build(s, folder):
    """The base under a new head, and the classifier that will hold it."""
    from deepkit import finetune
    from deepkit.classifier_bundle import ImageClassifier
    from deepkit.image_pipeline import augmentation

    base, size, channels = build_base(s)
    preprocessing = s.preprocessing
    if preprocessing == "auto":
        preprocessing = family_of(s.application) if s.application else "none"
    model = finetune.new_model(
        base,
        len(folder.class_names),
        dropout=s.dropout,
        seed=s.seed,
        augmentation=augmentation(s.seed) if s.augment else (),
    )
    about = {"base": s.base, "weights": (s.weights or "imagenet") if s.application else None}
    return model, ImageClassifier(model, folder.class_names, size, channels, preprocessing, about)


def _batches(classifier, s, paths, labels, order=None):
    from deepkit.image_pipeline import stream

    return stream(
        paths,
        labels,
        image_size=classifier.image_size,
        channels=classifier.channels,
        preprocessing=classifier.preprocessing,
        batch_size=s.batch_size,
        order=order,
    )


def _train(model, classifier, s, training, validation, checkpoint, verbose, callbacks):
    """The two phases (``deepkit.finetune.train_phases``) on the streamed pictures."""
    from deepkit import finetune
    from deepkit.training import fit_stream

    held_out = _batches(classifier, s, *validation) if len(validation[0]) else None

    def fit(stage, epochs):
        return fit_stream(
            model,
            lambda order: _batches(classifier, s, *training, order=order),
            epochs=epochs,
            validation_data=held_out,
            patience=s.patience,
            seed=s.seed,
            verbose=verbose,
            checkpoint=stage,
            callbacks=callbacks,
        )[1]

    return finetune.train_phases(
        model,
        fit,
        loss="sparse_categorical_crossentropy",
        epochs=s.epochs,
        learning_rate=s.learning_rate,
        unfreeze=s.unfreeze,
        fine_tune_epochs=s.fine_tune_epochs,
        fine_tune_learning_rate=s.fine_tune_learning_rate,
        checkpoint=checkpoint,
    )
