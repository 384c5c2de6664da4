"""One Bernoulli RBM on MNIST, measured by its test log-likelihood (Salakhutdinov &
Murray 2008's experiment).

    from deepkit.recipes import rbm
    result = rbm.run()                    # CD-1, 500 hidden units, 50 epochs
    result = rbm.run(k=3)                 # CD-3; persistent=True for PCD
    print(result.report())

A restricted Boltzmann machine with visible v (784 pixels) and hidden h (binary units)
has energy E(v, h) = -v.b - h.c - v W h; its free energy is
F(v) = -v.b - sum_j softplus(c_j + (v W)_j) and log p(v) = -F(v) - log Z. It trains by
contrastive divergence (CD-k: k Gibbs steps from the data; PCD-k: from persistent
chains) with SGD, momentum and weight cost, on binary images (``binarization``).
log Z is estimated by annealed importance sampling from the base-rate model
(``deepkit.recipes.dbn.ais_log_likelihood``: ``ais_runs`` chains through
``ais_betas`` distributions, with the standard error of the estimate).

The protocol, validation only: the training images are split (``validation_split``);
one RBM is trained per candidate learning rate on the rest; each is scored on the
validation images with its own AIS log Z; the best is kept, and only then are the test
images binarized and scored, once, with the kept RBM's log Z.

With ``checkpoint_dir=DIR`` each candidate's RBM is a stage ``lr_<rate>`` saved every
epoch (weights, optimizer state, the generator that draws the binarization and the
Gibbs samples): a rerun with the same settings restores the finished ones, resumes the
one killed and ends bit for bit where an uninterrupted run ends. The AIS estimates and
the pictures are not saved: a rerun computes them again.

Modules, one job each: ``settings`` (``Settings``), ``binarization`` (``binarize``,
``BinarizingRBM``), ``training`` (``train_rbm``), ``recipe`` (``run``) and ``result``
(``RbmResult``).
"""

from deepkit.recipes.rbm.recipe import mean_log_likelihood, run
from deepkit.recipes.rbm.result import RbmResult
from deepkit.recipes.rbm.settings import Settings
from deepkit.recipes.rbm.training import decayed_rate, train_rbm


def __getattr__(name):
    """``binarization``'s names, imported on first use: it loads Keras, which the
    command line's checks must not wait for."""
    if name in ("BinarizingRBM", "binarize"):
        from deepkit.recipes.rbm import binarization

        return getattr(binarization, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BinarizingRBM",
    "RbmResult",
    "Settings",
    "binarize",
    "decayed_rate",
    "mean_log_likelihood",
    "run",
    "train_rbm",
]
