"""Measurements of one Bernoulli RBM's MNIST log-likelihood: ``rbm`` (CD-1) and ``rbm-cd3``.

Each function ``f(quick, path)`` returns ``results.figure`` dicts; see ``deepkit.reproduce``.
"""

from deepkit.reproduce.results import figure
from deepkit.reproduce.runs import command, timed

# Salakhutdinov & Murray 2008, Table 2: test log-probabilities of 500-hidden-unit RBMs.
CLAIMS = {"CD-1": -125.53, "CD-3": -105.50, "CD-25": -86.34}


def rbm(quick, path, k=1):
    """784-500 RBM, CD-1, 50 epochs, stochastically binarized MNIST; log-likelihood by AIS.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).
        k: the Gibbs steps of CD-k.

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import rbm as recipe

    options = {"k": k} if k != 1 else {}
    if quick:
        options.update(hidden=32, epochs=1, limit=600, ais_runs=4, ais_betas=100)
    (result,), seconds = timed(recipe.run, (0,), path, **options)
    s = result.settings
    decay = f" / ceil(epoch / {s.decay_every})" if s.decay_every else ""
    what = (
        f"784-{s.hidden} RBM, {result.algorithm}, {s.epochs} epochs of {result.n_fit:,} "
        f"{s.binarization}ally binarized images (batches of {s.batch_size}), SGD lr "
        f"{result.learning_rate:g}{decay}, momentum {s.initial_momentum:g} then "
        f"{s.final_momentum:g}, weight cost {s.weight_decay:g}; log Z by AIS "
        f"({s.ais_runs} runs, {s.ais_betas:,} betas) = {result.log_z:.2f} +- "
        f"{result.log_z_stderr:.2f}; training {result.train_seconds:.0f} s"
    )
    common = dict(what=what, command=command("rbm", **options), seeds=(0,), seconds=seconds)
    claim = CLAIMS[result.algorithm]
    return [
        figure("test log-likelihood (nats)", result.test_log_likelihood, fmt="{:.2f}",
               claim=f"Salakhutdinov & Murray 2008 ({result.algorithm}): {claim}; "
               f"goal: >= {claim}", **common),
        figure(f"validation log-likelihood (nats, {result.n_validation:,} held-out "
               "training images)", result.validation_log_likelihood, fmt="{:.2f}", **common),
        figure("AIS log Z standard error", result.log_z_stderr, fmt="{:.3f}", **common),
    ]  # fmt: skip


def rbm_cd3(quick, path):
    """784-500 RBM, CD-3, 50 epochs: the same measurement with 3 Gibbs steps per update.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return rbm(quick, path, k=3)
