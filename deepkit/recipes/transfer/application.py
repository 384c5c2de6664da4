"""The ``keras.applications`` experiment: the same two tasks with a network of Keras's zoo.

1. Pretrain ``keras.applications.<name>`` (random start, no top, a new five-way head)
   on digits 0-4 as RGB images: the digits padded to 32x32, grey copied to the three
   channels, and resized to ``image_size`` by a ``Resizing`` layer in the model when
   it is larger (InceptionV3 takes 75x75 at least). Save the base's weights file.
2. Build the network again from that weights file (``deepkit.applications.application``)
   and fine-tune a new head on digits 5-9 with the base frozen.

The networks' BatchNormalization layers have momentum 0.99-0.999: the moving
statistics that inference mode (and so the frozen base) relies on need thousands of
steps to settle. A short pretraining gets momentum 0.9, which settles in about 50.

The two trainings are the stages ``pretrain`` and ``transfer`` (its phase in
``transfer/head``) of the run's checkpoint.
"""

from dataclasses import dataclass

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.transfer.settings import PADDED_SIZE, Settings
from deepkit.recipes.transfer.steps import (
    CLASSES,
    load_tasks,
    save_into,
    scored_stage,
)
from deepkit.report import format_table
from deepkit.validation import InputError

PRETRAIN_MOMENTUM = 0.9


@dataclass
class ApplicationResult:
    """A ``keras.applications`` network pretrained on 0-4, rebuilt from its weights file,
    fine-tuned on 5-9.

    Attributes:
        name: the network's name in ``keras.applications``.
        image_size: the side of its input.
        weights_path: the pretrained base's weights file.
        pretrain_accuracy: test accuracy on 0-4 after pretraining.
        transfer_accuracy: test accuracy on 5-9 after fine-tuning the new head.
        n_pretrain: the training images of the pretraining (digits 0-4).
        n_transfer: the training images of the transfer (digits 5-9).
        seconds: the training seconds of both.
    """

    name: str
    weights_path: str
    pretrain_accuracy: float
    transfer_accuracy: float
    n_pretrain: int
    n_transfer: int
    seconds: float
    image_size: int = PADDED_SIZE

    def report(self):
        """The experiment's table, as text."""
        size = self.image_size
        images = f"{size}x{size} RGB (digits padded to 32x32" + (
            ")" if size == PADDED_SIZE else ", resized)"
        )
        return format_table(
            [
                ("architecture", f"keras.applications.{self.name}, {images}, no top"),
                ("weights file", self.weights_path),
                (
                    "test accuracy on 0-4 (pretrained)",
                    f"{self.pretrain_accuracy:.4f} ({self.n_pretrain} images)",
                ),
                (
                    "test accuracy on 5-9 (fine-tuned)",
                    f"{self.transfer_accuracy:.4f} ({self.n_transfer} images)",
                ),
                ("seconds", f"{self.seconds:.1f}"),
            ],
            title=f"Transfer learning with {self.name}: digits 0-4 -> 5-9",
        )


def resized(base, image_size):
    """``base`` behind a ``Resizing`` layer from the padded 32x32 digits, when larger.

    Args:
        base: a network whose input is ``(image_size, image_size, 3)``.
        image_size: the side of its input.

    Returns:
        ``base`` itself for 32, else a ``keras.Sequential`` taking 32x32 RGB images.
    """
    import keras

    if image_size == PADDED_SIZE:
        return base
    return keras.Sequential(
        [
            keras.Input((PADDED_SIZE, PADDED_SIZE, 3)),
            keras.layers.Resizing(image_size, image_size, name="resize"),
            base,
        ],
        name=f"{base.name}_resized",
    )


def run_application(settings=None, /, *, verbose=0, **overrides):
    """Pretrain a ``keras.applications`` network on 0-4 and fine-tune it on 5-9.

    Args:
        settings: the recipe's ``Settings``, its ``application`` given.
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``application="MobileNetV2"``).

    Returns:
        An ``ApplicationResult``.

    Raises:
        InputError: no application, a bad setting, or a checkpoint folder of another
            run, before any data loads.

    Example:
        >>> result = run_application(application="MobileNetV2", epochs=1, limit=1200)
    """
    s = Settings.resolve(settings, overrides)
    if s.application is None:
        raise InputError("run_application needs an application, e.g. application='MobileNetV2'")
    checkpoint = Checkpoint.open(s.checkpoint_dir, s.record())
    tasks = load_tasks(s.limit, s.path, rgb=True)
    import keras

    from deepkit import applications, finetune, training
    from deepkit.seeding import set_seed

    shape = (s.image_size, s.image_size, 3)
    set_seed(s.seed)
    base = applications.application(s.application, shape)
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = PRETRAIN_MOMENTUM
    classifier = keras.Sequential(
        [
            resized(base, s.image_size),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(CLASSES, activation="softmax"),
        ]
    )
    classifier.compile(
        keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )

    def pretrain_fit(stage):
        training.fit(classifier, *tasks.source, epochs=s.epochs, batch_size=s.batch_size,
                     seed=s.seed, verbose=verbose, checkpoint=stage)  # fmt: skip

    pretrain = scored_stage(
        checkpoint, "pretrain", classifier, pretrain_fit, tasks.source_test, verbose
    )
    weights_path = save_into(
        s.save_dir, f"{s.application.lower()}_digits_0_4.weights.h5", base.save_weights
    )

    reloaded = applications.application(s.application, shape, weights=weights_path)
    tuned = finetune.new_model(resized(reloaded, s.image_size), CLASSES, seed=s.seed)

    def transfer_fit(stage):
        finetune.train(tuned, *tasks.target, epochs=s.epochs, batch_size=s.batch_size,
                       seed=s.seed, verbose=verbose, checkpoint=stage)  # fmt: skip

    transfer = scored_stage(checkpoint, "transfer", tuned, transfer_fit, tasks.target_test, verbose)
    return ApplicationResult(
        name=s.application,
        image_size=s.image_size,
        weights_path=str(weights_path),
        pretrain_accuracy=pretrain["accuracy"],
        transfer_accuracy=transfer["accuracy"],
        n_pretrain=len(tasks.source[0]),
        n_transfer=len(tasks.target[0]),
        seconds=pretrain["seconds"] + transfer["seconds"],
    )
