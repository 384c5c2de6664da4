"""``run()``: the DBN recipe end to end, from MNIST to a ``DbnResult``.

load -> carve a validation split -> pretrain the RBMs on every training image ->
fine-tune both inits with all labels (then, with ``refit``, again on every labelled
image for the chosen epochs), then with ``labels`` of them -> AIS
log-likelihood of the first RBM -> pictures -> scikit-learn's digits table.
"""

import time

import numpy as np

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.dbn.digits import digits_table
from deepkit.recipes.dbn.finetuning import compare_inits
from deepkit.recipes.dbn.likelihood import ais_log_likelihood
from deepkit.recipes.dbn.plots import plot_rbm
from deepkit.recipes.dbn.pretraining import pretrain_stack
from deepkit.recipes.dbn.result import DbnResult
from deepkit.recipes.dbn.settings import Settings
from deepkit.recipes.mnist_classifier import load, prepare
from deepkit.training import carve_validation
from deepkit.validation import InputError


def run(settings=None, /, *, verbose=0, **overrides):
    """Pretrain, fine-tune and compare on MNIST (see ``deepkit.recipes.dbn``).

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(sizes=(64, 32), digits=False)``).

    Returns:
        A ``DbnResult``.

    Raises:
        InputError: a bad setting or a checkpoint folder of another run, before MNIST
            loads; more labels than training images; or a training that diverged.

    Example:
        >>> result = run(sizes=(64, 32), pretrain_epochs=2, limit=1200, digits=False)
        >>> print(result.report())  # doctest: +SKIP
    """
    from threadpoolctl import threadpool_limits

    s = Settings.resolve(settings, overrides)
    checkpoint = Checkpoint.open(s.checkpoint_dir, s.record())  # refuses another run's folder
    start = time.perf_counter()
    (x_train, y_train), (x_test, y_test) = load(s.limit, s.path)
    x_train, x_test = prepare(x_train, True), prepare(x_test, True)
    (x_fit, y_fit), validation = carve_validation(x_train, y_train, s.validation_split, seed=s.seed)
    if s.labels > len(x_fit):
        raise InputError(f"labels={s.labels} exceeds the {len(x_fit)} training images")
    # unlabelled: every training image, the validation ones included
    rbms = pretrain_stack(x_train, s, checkpoint, verbose)
    budget = dict(
        learning_rates=s.finetune_learning_rates,
        epochs=s.finetune_epochs,
        batch_size=s.batch_size,
        patience=s.patience,
        decay=s.finetune_decay,
        seed=s.seed,
        verbose=verbose,
        checkpoint=checkpoint,
    )
    test = (x_test, y_test)
    errors, rates, histories, models = compare_inits(
        rbms, s.sizes, ((x_fit, y_fit), validation, test), refit=s.refit, **budget
    )
    few = np.random.default_rng(s.seed).choice(len(x_fit), s.labels, replace=False)
    low_regime = f"{s.labels} labels"
    low_errors, low_rates, low_histories, _ = compare_inits(
        rbms,
        s.sizes,
        ((x_fit[few], y_fit[few]), validation, test),
        **{**budget, "batch_size": min(s.batch_size, s.labels), "epochs": s.finetune_epochs * 5},
        regime=low_regime,
    )
    histories.update({f"{low_regime}, {init}": h for init, h in low_histories.items()})
    log_likelihood = stderr = log_z = None
    if s.ais_runs:
        with threadpool_limits(limits=1, user_api="blas"):  # shared cores: threads only wait
            log_likelihood, stderr, log_z = ais_log_likelihood(
                rbms[0], x_train, x_test, s.ais_runs, s.ais_betas, s.seed
            )
    plots = []
    if s.plot:
        with threadpool_limits(limits=1, user_api="blas"):
            plots = plot_rbm(rbms[0], s.plot, seed=s.seed)
    return DbnResult(
        sizes=(x_train.shape[1], *s.sizes, 10),
        n_train=len(x_train),
        n_test=len(x_test),
        errors=errors,
        low_label_errors=low_errors,
        learning_rates={"all labels": rates, low_regime: low_rates},
        labels=s.labels,
        log_likelihood=log_likelihood,
        log_likelihood_stderr=stderr,
        log_z=log_z,
        digits=digits_table(seed=s.seed, verbose=verbose) if s.digits else {},
        seconds=time.perf_counter() - start,
        histories=histories,
        models={**models, "rbms": rbms},
        plots=plots,
    )
