"""Greedy pretraining for the recipe: the RBM stack of ``deepkit.models.dbn.pretrain``,
each RBM a stage of the run's checkpoint, then a check that none of them diverged.

CD-1 with too large a learning rate does not always end in NaN: the weights can grow
until the sigmoids saturate, and the RBM then reconstructs its data worse than it did
before training, when it ignored its hidden units and predicted every visible unit by
its starting bias: the base rate p_i for the first RBM (``init_visible_bias``), one half
for the others (zero biases). Its AIS log-likelihood is then meaningless (about -1e19
nats at a learning rate of 1e6). So after pretraining every RBM's reconstruction error,

    mean over rows of sum_i (v_i - p(v_i = 1 | p(h | v)))^2,

must be finite and within ``DIVERGED`` times that starting error, mean over rows of
sum_i (v_i - p_i)^2; a NaN or infinite loss stops the training itself
(``deepkit.training.fit``).
"""

import numpy as np

from deepkit.validation import InputError

# Training lowers the reconstruction error; 1.5 x the starting one is a diverged RBM (CD-1
# on 600 MNIST images, 3 epochs of batches of 50, ends at 0.9 x with a learning rate of
# 0.1, 1.25 x with 10 and 1.9 x with 30; with 10 and batches of 10, at 1.6 x).
DIVERGED = 1.5
ROWS_CHECKED = 10_000


def pretrain_stack(x, settings, checkpoint=None, verbose=0):
    """Pretrain the recipe's RBMs on ``x`` and check that none diverged.

    Args:
        x: the training images, rows of pixels in [0, 1].
        settings: the recipe's ``Settings`` (sizes, epochs, batch size, learning rate, seed).
        checkpoint: the run's ``deepkit.checkpoints`` checkpoint (each RBM the stage
            ``rbm_<depth>``), or ``None``.
        verbose: Keras's ``verbose``.

    Returns:
        The trained RBMs, one per hidden layer.

    Raises:
        InputError: an RBM diverged (``check_converged``).
    """
    from deepkit.models.dbn import pretrain
    from deepkit.seeding import set_seed

    s = settings
    set_seed(s.seed)
    rbms = pretrain(
        x,
        s.sizes,
        epochs=s.pretrain_epochs,
        batch_size=s.batch_size,
        learning_rate=s.learning_rate,
        seed=s.seed,
        verbose=verbose,
        checkpoint=checkpoint,
    )
    check_converged(rbms, x, s.learning_rate)
    return rbms


def check_converged(rbms, x, learning_rate):
    """Refuse a stack with an RBM that reconstructs its inputs worse than it did untrained.

    Args:
        rbms: the stack, RBM d trained on the hidden probabilities of RBM d - 1, the
            first one's visible biases started at the base rates.
        x: the first RBM's data (its first ``ROWS_CHECKED`` rows are checked).
        learning_rate: named in the error.

    Raises:
        InputError: an RBM's reconstruction error is not finite or above ``DIVERGED``
            times its starting one.
    """
    inputs = np.asarray(x[:ROWS_CHECKED], dtype="float32")
    for depth, rbm in enumerate(rbms):
        error = rbm.reconstruction_error(inputs)
        start = inputs.mean(axis=0) if depth == 0 else 0.5
        before = float(np.mean(np.sum(np.square(inputs - start), axis=1)))
        if not np.isfinite(error) or error > DIVERGED * before:
            raise InputError(
                f"pretraining diverged: RBM {depth + 1}'s reconstruction error is {error:.4g}, "
                f"more than {DIVERGED} x the {before:.4g} it started from; lower the "
                f"learning rate ({learning_rate:g} now)"
            )
        inputs = rbm.transform(inputs)
