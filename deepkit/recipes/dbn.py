"""Deep belief nets (tutorial T3): RBMs pretrained greedily without labels, then
fine-tuned with labels, each beside the same net trained from random init.

    from deepkit.recipes import dbn
    result = dbn.run(path="mnist.npz")      # 784-500-500-2000-10 on full MNIST
    print(result.report())

What it measures, in one run:

- MNIST: test error of the pretrained-then-fine-tuned DBN and of the same net
  from random init, same fine-tuning budget (epochs, early stopping on a
  validation split carved from the training images). Each init keeps, of the
  candidate fine-tuning learning rates, the one best on the validation split
  (a random-init sigmoid net stays at chance at the rate a pretrained one
  likes); the test set is used once per init.
- Low labels: the same two nets fine-tuned on ``labels`` labelled images only.
  Pretraining (shared by both regimes) saw every training image, unlabelled.
- The first RBM's average test log-likelihood of binarized MNIST (pixels > 0.5),
  log p(v) = -F(v) - log Z with log Z from AIS (and its standard error).
- scikit-learn's digits ("RBM features for digit classification"): its own
  BernoulliRBM + LogisticRegression pipeline, LogisticRegression on raw pixels,
  deepkit's RBM + the same LogisticRegression, and a deepkit DBN, same splits
  (``deepkit.recipes.dbn_digits``).

RBMs train on grey levels in [0, 1] read as probabilities (Hinton & Salakhutdinov
2006). ``plot=DIR`` saves the first RBM's filters and samples from it.

``checkpoint_dir=DIR`` makes the run resumable: each RBM and each fine-tuned net
is a stage (``deepkit.checkpoints``) saved every epoch, the RBM's Gibbs generator
and early stopping's state included (``deepkit.early_stopping``); a rerun with
the same arguments restores the finished stages, resumes the one killed, and ends
bit for bit where an uninterrupted run ends (the batches then come in an order set
by (seed, epoch), full batches only, so not the run without ``checkpoint_dir``). A
folder of a run with other arguments is refused. The AIS estimate (seeded) and the
digits table are not saved: a rerun computes them again.
"""

import pathlib
import time
from dataclasses import dataclass, field

import numpy as np

from deepkit.recipes.mnist_steps import load
from deepkit.reference.dbn import check_sizes
from deepkit.report import format_grid, format_table
from deepkit.training import carve_validation


@dataclass
class DbnResult:
    """Test errors (fractions), the AIS log-likelihood and the digits table."""

    sizes: tuple
    n_train: int
    n_test: int
    errors: dict
    low_label_errors: dict
    learning_rates: dict  # regime -> {init: fine-tuning rate chosen on validation}
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
                    f"{self.log_likelihood:.2f} nats (log Z {self.log_z:.2f} +- {self.log_likelihood_stderr:.2f})",
                )
            )
        rows.append(("seconds", f"{self.seconds:.0f}"))
        rows += [("plot", path) for path in self.plots]
        text = format_table(rows, title="Deep belief net on MNIST (Goal: <= 1.2% test error)")
        if self.digits:
            text += "\n\n" + format_grid(
                ["digits classifier", "test accuracy"],
                [(name, f"{acc:.4f}") for name, acc in self.digits.items()],
                title="scikit-learn digits, nudged x5, 20% test (random_state=0)",
            )
        return text


def finetune(model, x, y, validation, *, epochs, batch_size, patience, verbose, seed=0, stage=None):
    """Backprop with early stopping on validation accuracy (best weights restored);
    the history ({metric: [float per epoch]}). With a checkpoint ``stage``, resumable:
    the batches in an order set by (seed, epoch), early stopping's state kept in the
    stage (``deepkit.training.fit``), a finished stage's net and history restored."""
    import keras

    if stage is not None and stage.finished:
        return stage.restore(model)["history"]
    if stage is not None:
        from deepkit.training import fit

        _, history = fit(
            model,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=validation,
            patience=patience,
            monitor="val_accuracy",
            seed=seed,
            verbose=verbose,
            checkpoint_dir=stage,
        )
        stage.finish(model, history=history)
        return history
    stop = keras.callbacks.EarlyStopping(
        "val_accuracy", patience=patience, restore_best_weights=True
    )
    history = model.fit(
        x,
        y,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation,
        callbacks=[stop],
        verbose=verbose,
    )
    return {k: [float(v) for v in values] for k, values in history.history.items()}


def test_error(model, x, y):
    return float(np.mean(model.predict(x, batch_size=1000, verbose=0).argmax(axis=1) != y))


def compare_inits(
    rbms, sizes, data, *, learning_rates, seed, checkpoint=None, regime="all labels", **budget
):
    """Pretrained vs random init, same budget (``finetune``'s keywords). Each
    init keeps the learning rate whose net is most accurate on the validation split:
    ``({init: test error}, {init: learning rate}, histories, models)``. With a
    ``checkpoint`` run folder each net is the stage "<regime> <init> lr <rate>"."""
    import keras

    from deepkit.models.dbn import dbn

    (x, y), validation, (x_test, y_test) = data
    errors, rates, histories, models = {}, {}, {}, {}
    for init, stack in (("pretrained", rbms), ("random init", None)):
        best = -1.0
        for rate in learning_rates:
            optimizer = keras.optimizers.SGD(rate, momentum=0.9)
            model = dbn(x.shape[1], sizes, 10, rbms=stack, optimizer=optimizer, seed=seed)
            name = f"{regime} {init} lr {rate:g}".replace(" ", "_")
            stage = None if checkpoint is None else checkpoint.stage(name)
            history = finetune(model, x, y, validation, seed=seed, stage=stage, **budget)
            if max(history["val_accuracy"]) > best:
                best = max(history["val_accuracy"])
                rates[init], histories[init], models[init] = rate, history, model
        errors[init] = test_error(models[init], x_test, y_test)
    return errors, rates, histories, models


def ais_log_likelihood(rbm, x_fit, x_test, n_runs, n_betas, seed):
    """(mean test log-likelihood, standard error, log Z) of binarized data, AIS from
    the base-rate model of the binarized training images, in float64."""
    from deepkit.reference.rbm import ais_betas, base_rate_bias

    twin = rbm.to_reference(seed=seed, dtype="float64")
    binary_fit, binary_test = (x_fit > 0.5).astype("float64"), (x_test > 0.5).astype("float64")
    log_z, stderr = twin.ais(n_runs, ais_betas(n_betas), base_bias=base_rate_bias(binary_fit))
    return float(twin.log_likelihood(binary_test, log_z).mean()), stderr, log_z


def mosaic(images, side=28):
    """Square images (rows of side * side pixels) tiled in a near-square grid, 1-pixel gaps."""
    columns = int(np.ceil(np.sqrt(len(images))))
    rows = int(np.ceil(len(images) / columns))
    grid = np.full((rows * (side + 1) + 1, columns * (side + 1) + 1), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        top, left = 1 + r * (side + 1), 1 + c * (side + 1)
        grid[top : top + side, left : left + side] = image.reshape(side, side)
    return grid


def plot_rbm(rbm, directory):
    """Save the first 100 filters (each scaled to its own range) and 16 samples
    (1,000 Gibbs steps from random bits) as PNG mosaics; their paths."""
    import keras
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    filters = keras.ops.convert_to_numpy(rbm.kernel).T[:100]
    low, high = filters.min(axis=1, keepdims=True), filters.max(axis=1, keepdims=True)
    pictures = {
        "rbm_filters.png": (filters - low) / np.maximum(high - low, 1e-12),
        "rbm_samples.png": rbm.sample(16, 1000),
    }
    paths = []
    for name, images in pictures.items():
        path = str(directory / name)
        plt.imsave(path, mosaic(images), cmap="gray", vmin=0, vmax=1)
        paths.append(path)
    return paths


def run(
    sizes=(500, 500, 2000),
    pretrain_epochs=10,
    finetune_epochs=30,
    batch_size=100,
    learning_rate=0.1,
    finetune_learning_rates=(0.1, 0.01),
    patience=5,
    labels=1000,
    validation_split=0.1,
    ais_runs=100,
    ais_betas=14500,
    digits=True,
    limit=None,
    path=None,
    seed=0,
    plot=None,
    verbose=0,
    checkpoint_dir=None,
):
    """Pretrain, fine-tune and compare on MNIST (see the module docstring); a ``DbnResult``."""
    from threadpoolctl import threadpool_limits

    from deepkit.checkpoints import Checkpoint
    from deepkit.recipes.checks import check_plot, check_writable_folder
    from deepkit.recipes.mnist_steps import prepare
    from deepkit.validation import InputError, check_float, check_int
    from deepkit.seeding import set_seed

    for name, value in (
        ("pretrain_epochs", pretrain_epochs),
        ("finetune_epochs", finetune_epochs),
        ("batch_size", batch_size),
        ("labels", labels),
        ("patience", patience),
    ):
        check_int(value, name, min_value=1)
    check_int(ais_runs, "ais_runs", min_value=0)
    sizes = check_sizes(sizes)
    if not finetune_learning_rates:
        raise InputError("finetune_learning_rates must list at least one learning rate")
    for rate in finetune_learning_rates:
        check_float(rate, "fine-tuning learning rate", min_value=0, include_min=False)
    check_float(learning_rate, "learning_rate", min_value=0, include_min=False)
    check_float(validation_split, "validation_split", 0, 1, include_min=False, include_max=False)
    check_int(ais_betas, "ais_betas", min_value=2)
    check_int(seed, "seed", min_value=0)
    if plot:
        plot = check_plot(plot, suffix=None)
    checkpoint = None
    if checkpoint_dir is not None:
        checkpoint_dir = check_writable_folder(checkpoint_dir, "checkpoint_dir")
        # Every argument the saved stages depend on (not the AIS's, digits', plot's).
        run_arguments = dict(
            sizes=sizes,
            pretrain_epochs=pretrain_epochs,
            finetune_epochs=finetune_epochs,
            batch_size=batch_size,
            learning_rate=learning_rate,
            finetune_learning_rates=finetune_learning_rates,
            patience=patience,
            labels=labels,
            validation_split=validation_split,
            limit=limit,
            path=path,
            seed=seed,
        )
        checkpoint = Checkpoint(checkpoint_dir, run_arguments)  # refuses other arguments
    from deepkit.models.dbn import pretrain  # TensorFlow: after every check
    from deepkit.recipes.dbn_digits import digits_table

    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load(limit, path)
    x_train, x_test = prepare(x_train, True), prepare(x_test, True)
    (x_fit, y_fit), validation = carve_validation(x_train, y_train, validation_split, seed=seed)
    if labels > len(x_fit):
        raise InputError(f"labels={labels} exceeds the {len(x_fit)} training images")
    set_seed(seed)
    rbms = pretrain(  # unlabelled: every training image, the validation ones included
        x_train,
        sizes,
        epochs=pretrain_epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        seed=seed,
        verbose=verbose,
        checkpoint=checkpoint,
    )
    budget = dict(
        epochs=finetune_epochs,
        batch_size=batch_size,
        learning_rates=finetune_learning_rates,
        patience=patience,
        seed=seed,
        verbose=verbose,
        checkpoint=checkpoint,
    )
    errors, rates, histories, models = compare_inits(
        rbms, sizes, ((x_fit, y_fit), validation, (x_test, y_test)), **budget
    )
    few = np.random.default_rng(seed).choice(len(x_fit), labels, replace=False)
    low_errors, low_rates, low_histories, _ = compare_inits(
        rbms,
        sizes,
        ((x_fit[few], y_fit[few]), validation, (x_test, y_test)),
        **{**budget, "batch_size": min(batch_size, labels), "epochs": finetune_epochs * 5},
        regime=f"{labels} labels",
    )
    histories.update({f"{labels} labels, {k}": v for k, v in low_histories.items()})
    log_likelihood = stderr = log_z = None
    if ais_runs:
        with threadpool_limits(limits=1, user_api="blas"):  # shared cores: threads only wait
            log_likelihood, stderr, log_z = ais_log_likelihood(
                rbms[0], x_train, x_test, ais_runs, ais_betas, seed
            )
    plots = []
    if plot:
        with threadpool_limits(limits=1, user_api="blas"):
            plots = plot_rbm(rbms[0], plot)
    return DbnResult(
        sizes=(x_train.shape[1], *sizes, 10),
        n_train=len(x_train),
        n_test=len(x_test),
        errors=errors,
        low_label_errors=low_errors,
        learning_rates={"all labels": rates, f"{labels} labels": low_rates},
        labels=labels,
        log_likelihood=log_likelihood,
        log_likelihood_stderr=stderr,
        log_z=log_z,
        digits=digits_table(seed=seed, verbose=verbose) if digits else {},
        seconds=time.perf_counter() - start,
        histories=histories,
        models={**models, "rbms": rbms},
        plots=plots,
    )


def add_arguments(parser):
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[500, 500, 2000], help="hidden layer sizes"
    )
    parser.add_argument("--pretrain-epochs", type=int, default=10, help="CD-1 epochs per RBM")
    parser.add_argument(
        "--finetune-epochs",
        type=int,
        default=30,
        help="maximum backprop epochs (x5 in the low-label regime)",
    )
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.1, help="RBM learning rate")
    parser.add_argument(
        "--finetune-learning-rates",
        type=float,
        nargs="+",
        default=[0.1, 0.01],
        help="candidates; each init keeps the best on the validation split",
    )
    parser.add_argument(
        "--patience", type=int, default=5, help="early stopping on validation accuracy"
    )
    parser.add_argument(
        "--labels", type=int, default=1000, help="labelled images in the low-label regime"
    )
    parser.add_argument("--validation-split", type=float, default=0.1)
    parser.add_argument(
        "--ais-runs", type=int, default=100, help="AIS chains (0: skip the log-likelihood)"
    )
    parser.add_argument(
        "--ais-betas", type=int, default=14500, help="AIS intermediate distributions"
    )
    parser.add_argument(
        "--no-digits", action="store_true", help="skip the scikit-learn digits table"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="use only the first N training images (N/6 test)"
    )
    parser.add_argument(
        "--path", default=None, help="an MNIST .npz or IDX folder instead of Keras's cache"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--plot", default=None, metavar="DIR", help="save RBM filters and samples here"
    )
    parser.add_argument(
        "--checkpoint-dir",
        default=None,
        metavar="DIR",
        help="save every epoch of every RBM and net here; rerun with the same arguments to resume",
    )


def main(args):
    result = run(
        sizes=tuple(args.sizes),
        pretrain_epochs=args.pretrain_epochs,
        finetune_epochs=args.finetune_epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        finetune_learning_rates=tuple(args.finetune_learning_rates),
        patience=args.patience,
        labels=args.labels,
        validation_split=args.validation_split,
        ais_runs=args.ais_runs,
        ais_betas=args.ais_betas,
        digits=not args.no_digits,
        limit=args.limit,
        path=args.path,
        seed=args.seed,
        plot=args.plot,
        verbose=2,
        checkpoint_dir=args.checkpoint_dir,
    )
    print(result.report())
