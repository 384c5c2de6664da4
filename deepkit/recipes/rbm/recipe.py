"""``run()``: the RBM recipe end to end, from MNIST to an ``RbmResult``.

load -> carve a validation split -> for each candidate learning rate: train an RBM on
the rest, estimate its log Z by AIS and score the validation images -> keep the best on
validation -> score the test images once, with the kept RBM's log Z.
"""

import time

from deepkit.checkpoints import Checkpoint
from deepkit.recipes.dbn import ais_log_likelihood, plot_rbm
from deepkit.recipes.mnist_classifier import load, prepare
from deepkit.recipes.rbm.result import RbmResult
from deepkit.recipes.rbm.settings import Settings
from deepkit.recipes.rbm.training import train_rbm
from deepkit.training import carve_validation


def mean_log_likelihood(rbm, bits, log_z):
    """The mean of log p(v) = -F(v) - log Z over binary images, in float64 (nats).

    Args:
        rbm: a trained ``deepkit.models.rbm.RBM``.
        bits: binary images.
        log_z: the RBM's log Z (AIS).

    Returns:
        The mean log-likelihood, a float.
    """
    return float(rbm.to_reference(dtype="float64").log_likelihood(bits, log_z).mean())


def run(settings=None, /, *, verbose=0, **overrides):
    """Train RBMs on MNIST, keep the best on validation, score the test set once.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(k=3, epochs=20)``).

    Returns:
        An ``RbmResult``.

    Raises:
        InputError: a bad setting or a checkpoint folder of another run, before MNIST
            loads; or a training that diverged.

    Example:
        >>> result = run(hidden=32, epochs=2, limit=1200, ais_betas=200)
        >>> print(result.report())  # doctest: +SKIP
    """
    from threadpoolctl import threadpool_limits

    from deepkit.recipes.rbm.binarization import binarize  # loads Keras

    s = Settings.resolve(settings, overrides)
    checkpoint = Checkpoint.open(s.checkpoint_dir, s.record())  # refuses another run's folder
    start = time.perf_counter()
    (x_train, y_train), (x_test, _) = load(s.limit, s.path)
    x_train = prepare(x_train, True)
    (x_fit, _), (x_val, _) = carve_validation(x_train, y_train, s.validation_split, seed=s.seed)
    fit_bits = binarize(x_fit, s.binarization, s.seed, "fit")
    val_bits = binarize(x_val, s.binarization, s.seed, "validation")
    inputs = x_fit if s.binarization == "stochastic" else fit_bits.astype("float32")
    candidates, train_seconds = {}, 0.0
    for rate in s.learning_rates:
        began = time.perf_counter()
        rbm, history = train_rbm(inputs, fit_bits, rate, s, checkpoint, verbose)
        train_seconds += time.perf_counter() - began
        with threadpool_limits(limits=1, user_api="blas"):  # shared cores: threads only wait
            scored = ais_log_likelihood(rbm, fit_bits, val_bits, s.ais_runs, s.ais_betas, s.seed)
        candidates[rate] = (rbm, history, *scored)
    chosen = max(candidates, key=lambda rate: candidates[rate][2])
    rbm, history, validation, stderr, log_z = candidates[chosen]
    # The choice is made: the test images are binarized and scored now, once.
    test_bits = binarize(prepare(x_test, True), s.binarization, s.seed, "test")
    test = mean_log_likelihood(rbm, test_bits, log_z)
    plots = []
    if s.plot:
        with threadpool_limits(limits=1, user_api="blas"):
            plots = plot_rbm(rbm, s.plot, seed=s.seed)
    return RbmResult(
        settings=s,
        n_fit=len(x_fit),
        n_validation=len(x_val),
        n_test=len(x_test),
        learning_rate=chosen,
        validation_log_likelihoods={rate: c[2] for rate, c in candidates.items()},
        test_log_likelihood=test,
        log_z=log_z,
        log_z_stderr=stderr,
        train_seconds=train_seconds,
        seconds=time.perf_counter() - start,
        history=history,
        model=rbm,
        plots=plots,
    )
