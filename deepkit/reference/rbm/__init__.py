"""Bernoulli-Bernoulli restricted Boltzmann machine, trained by contrastive divergence (CD-k)
or persistent CD (PCD); the NumPy reference of ``deepkit.models.rbm.RBM``.

- ``RBM`` (``model``): the weights, the two conditionals, the free energy, Gibbs sampling.
- ``energy``: E(v, h) and F(v), softplus without overflow, the check of visible vectors
  and the base-rate visible bias.
- ``training``: the CD-k / PCD-k step and ``MomentumSchedule``.
- ``likelihood``: the pseudo-likelihood, log Z (exact or AIS) and the log-likelihood.
"""

from deepkit.reference.rbm.energy import base_rate_bias, check_visible, softplus, softplus_sum
from deepkit.reference.rbm.likelihood import (
    AIS_SCHEDULE,
    MAX_EXACT_HIDDEN,
    ais_betas,
    check_betas,
    check_exact,
    check_flip,
    hidden_configurations,
)
from deepkit.reference.rbm.model import RBM
from deepkit.reference.rbm.training import MomentumSchedule

__all__ = [
    "AIS_SCHEDULE",
    "MAX_EXACT_HIDDEN",
    "RBM",
    "MomentumSchedule",
    "ais_betas",
    "base_rate_bias",
    "check_betas",
    "check_exact",
    "check_flip",
    "check_visible",
    "hidden_configurations",
    "softplus",
    "softplus_sum",
]
