"""Hyperparameters of the models that exist on both engines, declared once.

An RBM and a GAN are each written twice: as a Keras model (``deepkit.models.rbm``,
``deepkit.models.gan``) and in the NumPy reference (``deepkit.reference.rbm``,
``deepkit.reference.gan``), and parity tests prove the two compute the same thing.
Their keyword defaults and checks live here, so both sides take the same values by
construction::

    class RBM:
        def __init__(self, n_visible, n_hidden, k=RBM_DEFAULTS.k, ...):
            options = RBMSettings(k=k, ...)        # checked: InputError if out of bounds

This module imports only ``deepkit.settings`` (and through it ``deepkit.validation``):
the Keras side and the NumPy reference may both stand on it.
"""

import dataclasses

from deepkit.settings import Settings, setting
from deepkit.validation import check_int

GENERATOR_LOSSES = ("non_saturating", "minimax")


@dataclasses.dataclass(frozen=True)
class RBMSettings(Settings):
    """A Bernoulli RBM's training options (its sizes and seed are its own arguments)."""

    k: int = setting(1, "Gibbs steps of contrastive divergence (CD-k)", min_value=1)
    persistent: bool = setting(False, "persistent chains (PCD) instead of restarting at the data")
    n_chains: int = setting(100, "persistent chains kept", min_value=1)
    weight_decay: float = setting(0.0, "L2 weight cost on the kernel", min_value=0.0)


@dataclasses.dataclass(frozen=True)
class GANSettings(Settings):
    """A GAN's training options (its two networks and latent size are its own arguments)."""

    num_classes: int = setting(
        None, "classes of a conditional GAN (None: unconditional)", kind=int, min_value=2
    )
    label_smoothing: float = setting(
        0.0,
        "one-sided smoothing of the real labels, 1 -> 1 - s",
        min_value=0.0,
        max_value=1.0,
        include_max=False,
    )
    d_steps: int = setting(1, "discriminator steps per generator step", min_value=1)
    generator_loss: str = setting(
        "non_saturating", "the generator's loss", choices=GENERATOR_LOSSES
    )
    ema_decay: float = setting(
        None,
        "decay d of the moving average of G's weights that samples, w_ema <- d w_ema + (1 - d) w"
        " after each G step (None: sample with G's own weights)",
        kind=float,
        min_value=0.0,
        max_value=1.0,
        include_max=False,
    )


RBM_DEFAULTS = RBMSettings()
GAN_DEFAULTS = GANSettings()


def check_gan(
    latent_dim,
    num_classes,
    label_smoothing,
    d_steps,
    generator_loss,
    ema_decay=GAN_DEFAULTS.ema_decay,
):
    """A GAN's options checked before any work, the same on both engines.

    Returns:
        The ``GANSettings``.

    Raises:
        InputError: ``latent_dim`` not an int >= 1, or an option out of its bounds.
    """
    check_int(latent_dim, "latent_dim", min_value=1)
    return GANSettings(
        num_classes=num_classes,
        label_smoothing=label_smoothing,
        d_steps=d_steps,
        generator_loss=generator_loss,
        ema_decay=ema_decay,
    )
