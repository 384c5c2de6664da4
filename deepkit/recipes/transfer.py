"""Transfer learning on MNIST, after Keras's classic ``mnist_transfer_cnn`` example.

    from deepkit.recipes import transfer
    result = transfer.run()
    print(result.report())

1. Pretrain the ``cnn`` recipe's network on digits 0-4 and save it as ``.keras``.
2. Load it back and fine-tune it on digits 5-9 (as classes 0-4) with the
   convolutional base frozen (``deepkit.finetune``): only the new head trains.
3. Train the same network on 5-9 from scratch with the same budget (epochs,
   batch size), in two regimes: all 5-9 training images, and a few hundred.

Keras's example reported 99.8% on 0-4 and 99.2% on 5-9 after fine-tuning.

``run(checkpoint_dir=DIR)`` (``--checkpoint-dir DIR``) makes the run resumable: its
five trainings (pretraining, then per regime the fine-tune and the scratch run) are
stages of one ``deepkit.checkpoints`` folder. Run again with the same arguments after
a crash, it restores the finished trainings, resumes the killed one at its last
epoch and ends bit for bit where an uninterrupted run ends (the dropout generators'
positions are saved too, by ``deepkit.checkpoints``). With checkpoints the data comes in
(seed, epoch) order in full batches, so the figures differ slightly from a run without.
"""

import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.checks import check_writable_folder
from deepkit.validation import InputError, check_int
from deepkit.report import format_grid, format_table


@dataclass
class TransferResult:
    """Test accuracies and seconds of pretraining, fine-tuning and training from scratch."""

    pretrain_accuracy: float
    pretrain_seconds: float
    n_pretrain: int
    rows: list = field(default_factory=list)
    base_path: str = None

    def report(self):
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


def split_digits(x, y, low):
    """Images of digits ``low..low+4`` with labels shifted to 0..4."""
    keep = (y >= low) & (y < low + 5)
    return x[keep], (y[keep] - low).astype("int64")


def run(
    epochs=5,
    low_data=500,
    low_data_epochs=30,
    batch_size=128,
    limit=None,
    path=None,
    save_dir=None,
    seed=0,
    verbose=0,
    checkpoint_dir=None,
):
    """Pretrain on 0-4, fine-tune on 5-9, compare with training from scratch; a ``TransferResult``.

    ``epochs`` is the budget of pretraining and of both arms in the full-data
    regime; ``low_data`` images of 5-9 get ``low_data_epochs`` in both arms.
    ``checkpoint_dir`` makes the run resumable: each of its five trainings is a
    stage there, a finished one restored, the others resumed.
    """
    from deepkit.recipes.mnist_steps import check_arguments, evaluate, fit, load, prepare

    for name, value in (
        ("epochs", epochs),
        ("low_data", low_data),
        ("low_data_epochs", low_data_epochs),
    ):
        check_int(value, name, min_value=1)
    check_arguments("keras", epochs, batch_size, 0.0, 0, limit, seed)
    if save_dir is not None:
        check_writable_folder(save_dir, "save_dir")
    run_folder = None
    if checkpoint_dir is not None:
        arguments = dict(epochs=epochs, low_data=low_data, low_data_epochs=low_data_epochs)
        arguments.update(batch_size=batch_size, limit=limit, path=path, seed=seed)
        run_folder = Checkpoint(check_writable_folder(checkpoint_dir, "checkpoint_dir"), arguments)
    from deepkit.finetune import finetune
    from deepkit.models.convolutional import mnist_cnn
    from deepkit.seeding import set_seed

    (x_train, y_train), (x_test, y_test) = load(limit, path)
    x_train, x_test = prepare(x_train, flat=False), prepare(x_test, flat=False)
    x_a, y_a = split_digits(x_train, y_train, 0)
    x_a_test, y_a_test = split_digits(x_test, y_test, 0)
    x_b, y_b = split_digits(x_train, y_train, 5)
    x_b_test, y_b_test = split_digits(x_test, y_test, 5)
    if low_data >= len(x_b):
        raise InputError(
            f"low_data={low_data} must be below the {len(x_b)} training images of digits 5-9"
        )
    save_dir = Path(save_dir or tempfile.mkdtemp(prefix="deepkit_transfer_"))
    save_dir.mkdir(parents=True, exist_ok=True)
    base_path = save_dir / "cnn_digits_0_4.keras"

    def stage(name, train, x_score, y_score):
        """``train(checkpoint)`` -> model as the stage ``name``; the model and its results
        (test accuracy, seconds), restored instead if the stage finished in an earlier run."""
        checkpoint = None if run_folder is None else run_folder.stage(name)
        start = time.perf_counter()
        model = train(checkpoint)
        if checkpoint is not None and checkpoint.finished:
            if verbose:
                print(f"{name}: finished in an earlier run, restored from {checkpoint.directory}")
            return model, checkpoint.restore(model)
        results = dict(
            accuracy=evaluate(model, x_score, y_score, 5)[0],
            seconds=time.perf_counter() - start,
        )
        if checkpoint is not None:
            checkpoint.finish(model, **results)
        return model, results

    def from_scratch(x, y, budget, checkpoint):
        set_seed(seed)
        model = mnist_cnn(num_classes=5, seed=seed, jit_compile=False)
        if checkpoint is not None and checkpoint.finished:
            return model  # restored by the caller
        settings = dict(engine="keras", validation_split=0.0, patience=0, seed=seed)
        return fit(model, x, y, epochs=budget, batch_size=batch_size, verbose=verbose,
                   checkpoint_dir=checkpoint, **settings)[0]  # fmt: skip

    def transfer(x, y, budget, checkpoint):
        return finetune(base_path, 5, x, y, epochs=budget, batch_size=batch_size, dropout=0.5,
                        seed=seed, verbose=verbose, checkpoint=checkpoint)  # fmt: skip

    pretrained, pretrain = stage(
        "pretrain", partial(from_scratch, x_a, y_a, epochs), x_a_test, y_a_test
    )
    pretrained.save(base_path)
    result = TransferResult(
        pretrain_accuracy=pretrain["accuracy"],
        pretrain_seconds=pretrain["seconds"],
        n_pretrain=len(x_a),
        base_path=str(base_path),
    )
    low = np.random.default_rng(seed).permutation(len(x_b))[:low_data]
    for regime, x, y, budget in (
        ("all", x_b, y_b, epochs),
        ("low data", x_b[low], y_b[low], low_data_epochs),
    ):
        name = regime.replace(" ", "_")
        _, tuned = stage(f"{name}_transfer", partial(transfer, x, y, budget), x_b_test, y_b_test)
        _, scratch = stage(
            f"{name}_scratch", partial(from_scratch, x, y, budget), x_b_test, y_b_test
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


@dataclass
class ApplicationResult:
    """A ``keras.applications`` network pretrained on 0-4, reloaded from its weights file, fine-tuned on 5-9."""

    name: str
    weights_path: str
    pretrain_accuracy: float
    transfer_accuracy: float
    n_pretrain: int
    n_transfer: int
    seconds: float

    def report(self):
        return format_table(
            [
                (
                    "architecture",
                    f"keras.applications.{self.name}, 32x32 RGB (padded digits), no top",
                ),
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


def to_rgb32(x):
    """(n, 28, 28, 1) images -> (n, 32, 32, 3): 2 pixels of zero padding, grey copied to RGB."""
    return np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))), 3, axis=-1)


def run_application(
    name="MobileNetV2",
    epochs=3,
    batch_size=128,
    limit=None,
    path=None,
    save_dir=None,
    seed=0,
    verbose=0,
):
    """Pretrain ``keras.applications.<name>`` (random start) on 0-4, save its weights file, load it
    back with ``deepkit.finetune.application`` and fine-tune a new head on 5-9; an ``ApplicationResult``."""
    from deepkit.recipes.mnist_steps import check_arguments, evaluate, load, prepare

    if not isinstance(name, str) or not name.isidentifier():
        raise InputError(f"name must be a keras.applications model name, got {name!r}")
    check_arguments("keras", epochs, batch_size, 0.0, 0, limit, seed)
    if save_dir is not None:
        check_writable_folder(save_dir, "save_dir")
    import keras

    from deepkit.finetune import application, finetune
    from deepkit.seeding import set_seed

    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load(limit, path)
    x_train, x_test = to_rgb32(prepare(x_train, flat=False)), to_rgb32(prepare(x_test, flat=False))
    (x_a, y_a), (x_b, y_b) = split_digits(x_train, y_train, 0), split_digits(x_train, y_train, 5)
    save_dir = Path(save_dir or tempfile.mkdtemp(prefix="deepkit_transfer_"))
    save_dir.mkdir(parents=True, exist_ok=True)
    weights_path = save_dir / f"{name.lower()}_digits_0_4.weights.h5"

    set_seed(seed)
    base = application(name, (32, 32, 3))
    # keras.applications use BatchNormalization momentum 0.99-0.999: the moving statistics
    # that inference mode (and the frozen base) relies on need thousands of steps to
    # settle. A short pretraining on CPU gets momentum 0.9, which settles in ~50 steps.
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = 0.9
    classifier = keras.Sequential(
        [base, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(5, activation="softmax")]
    )
    classifier.compile(
        keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    classifier.fit(x_a, y_a, batch_size=batch_size, epochs=epochs, verbose=verbose)
    pretrain_accuracy = evaluate(classifier, *split_digits(x_test, y_test, 0), num_classes=5)[0]
    base.save_weights(weights_path)

    reloaded = application(name, (32, 32, 3), weights=weights_path)
    tuned = finetune(
        reloaded, 5, x_b, y_b, epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose
    )
    return ApplicationResult(
        name=name,
        weights_path=str(weights_path),
        pretrain_accuracy=pretrain_accuracy,
        transfer_accuracy=evaluate(tuned, *split_digits(x_test, y_test, 5), num_classes=5)[0],
        n_pretrain=len(x_a),
        n_transfer=len(x_b),
        seconds=time.perf_counter() - start,
    )


def add_arguments(parser):
    parser.add_argument(
        "--epochs", type=int, default=5, help="epochs of pretraining and of the full-data regime"
    )
    parser.add_argument(
        "--low-data",
        type=int,
        default=None,
        help="training images of 5-9 in the low-data regime (500)",
    )
    parser.add_argument(
        "--low-data-epochs",
        type=int,
        default=None,
        help="epochs of both arms in the low-data regime (30)",
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N training images (N/6 test)"
    )
    parser.add_argument(
        "--path", default=None, help="an MNIST .npz or IDX folder instead of Keras's cache"
    )
    parser.add_argument(
        "--save-dir", default=None, help="where to save the pretrained .keras model"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--checkpoint-dir",
        default=None,
        metavar="DIR",
        help="save every epoch of every training here; rerun with the same arguments to resume",
    )
    parser.add_argument(
        "--application",
        default=None,
        metavar="NAME",
        help="instead, pretrain and fine-tune keras.applications.NAME (e.g. MobileNetV2) on 32x32 RGB digits",
    )


def main(args):
    low_data = {"low_data": args.low_data, "low_data_epochs": args.low_data_epochs}
    low_data = {name: value for name, value in low_data.items() if value is not None}
    if args.application and args.checkpoint_dir:
        raise InputError("--application trains without checkpoints; drop --checkpoint-dir")
    if args.application and low_data:
        given = ", ".join(f"--{name.replace('_', '-')}" for name in low_data)
        raise InputError(f"--application has no low-data regime; drop {given}")
    if args.application:
        result = run_application(
            args.application,
            epochs=args.epochs,
            batch_size=args.batch_size,
            limit=args.limit,
            path=args.path,
            save_dir=args.save_dir,
            seed=args.seed,
            verbose=2,
        )
        print(result.report())
        return
    result = run(
        epochs=args.epochs,
        batch_size=args.batch_size,
        limit=args.limit,
        path=args.path,
        save_dir=args.save_dir,
        seed=args.seed,
        verbose=2,
        checkpoint_dir=args.checkpoint_dir,
        **low_data,
    )
    print(result.report())
