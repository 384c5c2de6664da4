"""How good a model of the data an RBM is: its average log-likelihood of binarized
images, with the partition function estimated by annealed importance sampling.

    log p(v) = -F(v) - log Z,    F(v) = -v.b - sum_j softplus(c_j + (v W)_j)

Z sums over every visible and hidden configuration, so it is estimated: AIS anneals
from a base-rate model (visible biases log(p / (1 - p)) of the binarized training
images, no weights), whose log Z is exact, to the RBM through ``n_betas`` intermediate
distributions, averaging the importance weights of ``n_runs`` chains (Salakhutdinov &
Murray 2008). The estimate runs in float64 on the NumPy reference
(``deepkit.reference.rbm.RBM.ais``).
"""


def ais_log_likelihood(rbm, x_fit, x_test, n_runs, n_betas, seed):
    """The mean test log-likelihood of binarized images (pixels > 0.5), in nats.

    Args:
        rbm: a trained ``deepkit.models.rbm.RBM``.
        x_fit: the training images, whose base rates start the annealing.
        x_test: the images scored.
        n_runs: AIS chains, an int >= 2.
        n_betas: intermediate distributions, an int >= 2.
        seed: seeds the chains.

    Returns:
        ``(mean log-likelihood, standard error of log Z, log Z)``.
    """
    from deepkit.reference.rbm import ais_betas, base_rate_bias

    reference = rbm.to_reference(seed=seed, dtype="float64")
    binary_fit, binary_test = (x_fit > 0.5).astype("float64"), (x_test > 0.5).astype("float64")
    log_z, stderr = reference.ais(n_runs, ais_betas(n_betas), base_bias=base_rate_bias(binary_fit))
    return float(reference.log_likelihood(binary_test, log_z).mean()), stderr, log_z
