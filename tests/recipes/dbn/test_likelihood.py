"""The AIS log-likelihood agrees with the exact one on an RBM small enough to sum over."""

import numpy as np

from deepkit.models.rbm import RBM
from deepkit.recipes.dbn import ais_log_likelihood


def test_the_ais_estimate_matches_the_exact_log_likelihood_of_a_small_rbm():
    rng = np.random.default_rng(0)
    rbm = RBM(20, 6, seed=0)
    rbm.kernel.assign(rng.normal(0, 0.5, (20, 6)).astype("float32"))
    rbm.visible_bias.assign(rng.normal(0, 0.5, 20).astype("float32"))
    x_fit, x_test = rng.uniform(size=(200, 20)), rng.uniform(size=(50, 20))
    mean, stderr, log_z = ais_log_likelihood(rbm, x_fit, x_test, 100, 1000, seed=0)
    exact_log_z, _ = rbm.to_reference(dtype="float64").log_partition("exact")
    binary = (x_test > 0.5).astype("float64")
    exact = rbm.to_reference(dtype="float64").log_likelihood(binary, exact_log_z).mean()
    assert 0 < stderr < 0.05
    assert abs(log_z - exact_log_z) < max(5 * stderr, 0.02)
    # log p(v) = -F(v) - log Z: the mean is off by exactly the error of log Z
    np.testing.assert_allclose(mean - exact, exact_log_z - log_z, atol=1e-9)
