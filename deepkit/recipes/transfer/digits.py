"""The digits experiment, after Keras's classic ``mnist_transfer_cnn`` example.

1. Pretrain keras-io's MNIST convnet (``deepkit.models.mnist_cnn``, five classes) on
   digits 0-4 and save it as ``.keras``.
2. Load it back and fine-tune it on digits 5-9 (as classes 0-4) with the
   convolutional base frozen (``deepkit.finetune``): only the new head trains.
3. Train the same network on 5-9 from scratch with the same budget (epochs,
   batch size), in two regimes: all 5-9 training images, and a few hundred.

Keras's example reported 99.8% on 0-4 and 99.2% on 5-9 after fine-tuning.

The five trainings are the stages ``pretrain``, ``all_transfer``, ``all_scratch``,
``low_data_transfer`` and ``low_data_scratch`` of the run's checkpoint; each fine-tune
keeps its phase in a stage of its own (``all_transfer/head``).
"""

from dataclasses import dataclass, field

import numpy as np

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.transfer.settings import Settings
from deepkit.recipes.transfer.steps import (
    CLASSES,
    load_tasks,
    save_into,
    scored_stage,
)
from deepkit.report import format_grid, format_table
from deepkit.validation import InputError

BASE_FILE = "cnn_digits_0_4.keras"


@dataclass
class TransferResult:
    """Test accuracies and training seconds of pretraining, fine-tuning and training from scratch.

    Attributes:
        pretrain_accuracy: the pretrained network's test accuracy on digits 0-4.
        pretrain_seconds: its training seconds.
        n_pretrain: its training images.
        rows: one dict per regime of 5-9: ``regime``, ``n_train``, ``epochs``,
            ``transfer_accuracy``, ``transfer_seconds``, ``scratch_accuracy``,
            ``scratch_seconds``.
        base_path: the saved pretrained network (``.keras``).
    """

    pretrain_accuracy: float
    pretrain_seconds: float
    n_pretrain: int
    rows: list = field(default_factory=list)
    base_path: str = None

    def report(self):
        """The pretraining's table and the regimes' grid, as text."""
        pretrain = format_table(
            [
                (
                    "pretrained on digits 0-4",
                    f"{self.n_pretrain} images, saved to {self.base_path}",
                ),
                ("test accuracy on 0-4", f"{self.pretrain_accuracy:.4f}"),
                ("seconds", f"{self.pretrain_seconds:.1f}"),
            ],
            title="Transfer learning: MNIST digits 0-4 -> 5-9",
        )
        header = [
            "digits 5-9 regime",
            "train images",
            "epochs",
            "transfer acc",
            "transfer s",
            "scratch acc",
            "scratch s",
        ]
        grid = format_grid(
            header,
            [
                [
                    r["regime"],
                    r["n_train"],
                    r["epochs"],
                    f"{r['transfer_accuracy']:.4f}",
                    f"{r['transfer_seconds']:.1f}",
                    f"{r['scratch_accuracy']:.4f}",
                    f"{r['scratch_seconds']:.1f}",
                ]
                for r in self.rows
            ],
        )
        return f"{pretrain}\n\n{grid}"


def build_model(seed=0):
    """keras-io's MNIST convnet with a five-way head, compiled (``recipes/transfer.py``
    writes it out).

    Args:
        seed: seeds TensorFlow first (``deepkit.seeding.set_seed``), then every layer.

    Returns:
        The compiled ``keras.Sequential`` of ``deepkit.models.mnist_cnn``.
    """
    from deepkit.models.convolutional import mnist_cnn
    from deepkit.seeding import set_seed

    set_seed(seed)
    return mnist_cnn(num_classes=CLASSES, seed=seed, jit_compile=False)


def run_digits(settings=None, /, *, verbose=0, **overrides):
    """Pretrain on 0-4, fine-tune on 5-9, compare with training from scratch.

    Args:
        settings: the recipe's ``Settings`` (``None``: the defaults), without ``application``.
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run_digits(epochs=2)``).

    Returns:
        A ``TransferResult``.

    Raises:
        InputError: a bad setting or a checkpoint folder of another run, before any
            data loads; ``low_data`` not below the training images of 5-9.

    Example:
        >>> result = run_digits(epochs=2, limit=2400, low_data=100)
    """
    s = Settings.resolve(settings, overrides)
    if s.application is not None:
        raise InputError("run_digits trains the MNIST convnet; run_application takes application")
    checkpoint = Checkpoint.open(s.checkpoint_dir, s.record())
    tasks = load_tasks(s.limit, s.path)
    from deepkit import finetune, training

    x_b, y_b = tasks.target
    if s.low_data >= len(x_b):
        raise InputError(
            f"low_data={s.low_data} must be below the {len(x_b)} training images of digits 5-9"
        )

    def from_scratch(model, x, y, budget):
        """``fit(stage)`` training ``model`` whole on the engine, as the pretraining does."""

        def fit(stage):
            saving = {"checkpoint": stage} if s.engine == "keras" else {}
            return training.fit_in_place(
                s.engine, model, x, y, epochs=budget, batch_size=s.batch_size, seed=s.seed,
                verbose=verbose, **saving,
            )  # fmt: skip

        return fit

    def transfer(model, x, y, budget):
        """``fit(stage)`` training the new head of ``model`` (``deepkit.finetune``)."""
        return lambda stage: finetune.train(
            model, x, y, epochs=budget, batch_size=s.batch_size, seed=s.seed,
            verbose=verbose, checkpoint=stage, engine=s.engine,
        )  # fmt: skip

    pretrained = build_model(s.seed)
    fit = from_scratch(pretrained, *tasks.source, s.epochs)
    pretrain = scored_stage(checkpoint, "pretrain", pretrained, fit, tasks.source_test, verbose)
    base_path = save_into(s.save_dir, BASE_FILE, pretrained.save)
    result = TransferResult(
        pretrain_accuracy=pretrain["accuracy"],
        pretrain_seconds=pretrain["seconds"],
        n_pretrain=len(tasks.source[0]),
        base_path=str(base_path),
    )
    low = np.random.default_rng(s.seed).permutation(len(x_b))[: s.low_data]
    for regime, x, y, budget in (
        ("all", x_b, y_b, s.epochs),
        ("low data", x_b[low], y_b[low], s.low_data_epochs),
    ):
        name = regime.replace(" ", "_")
        model = finetune.new_model(base_path, CLASSES, dropout=0.5, seed=s.seed)
        fit = transfer(model, x, y, budget)
        tuned = scored_stage(checkpoint, f"{name}_transfer", model, fit, tasks.target_test, verbose)
        model = build_model(s.seed)
        fit = from_scratch(model, x, y, budget)
        scratch = scored_stage(
            checkpoint, f"{name}_scratch", model, fit, tasks.target_test, verbose
        )
        result.rows.append(
            dict(
                regime=regime,
                n_train=len(x),
                epochs=budget,
                transfer_accuracy=tuned["accuracy"],
                transfer_seconds=tuned["seconds"],
                scratch_accuracy=scratch["accuracy"],
                scratch_seconds=scratch["seconds"],
            )
        )
    return result
