"""``build_gan``: a compiled ``GAN`` of the MLP or the DCGAN pair, both optimizers Adam as
in DCGAN (Radford et al. 2016), D's learning rate its own when asked (the two time-scale
update rule of Heusel et al. 2017)."""

import keras

from deepkit.hyperparameters import GAN_DEFAULTS, check_gan
from deepkit.models._checks import check_learning_rate, check_optional_seed
from deepkit.models.gan.model import GAN
from deepkit.models.gan.networks import (
    check_flag,
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from deepkit.validation import check_choice, check_float


def build_gan(
    arch="mlp",
    *,
    latent_dim=100,
    num_classes=GAN_DEFAULTS.num_classes,
    learning_rate=2e-4,
    beta_1=0.5,
    label_smoothing=GAN_DEFAULTS.label_smoothing,
    d_steps=GAN_DEFAULTS.d_steps,
    generator_loss=GAN_DEFAULTS.generator_loss,
    ema_decay=GAN_DEFAULTS.ema_decay,
    minibatch_std=False,
    d_learning_rate=None,
    seed=None,
):
    """A compiled ``GAN`` of the ``arch`` ("mlp": flat 784 images, "dcgan": (28, 28, 1)) pair,
    both optimizers Adam(``learning_rate``, ``beta_1``) as in DCGAN (Radford et al. 2016),
    D's at ``d_learning_rate`` when given.

    Args:
        arch: "mlp" or "dcgan".
        latent_dim: the noise's width, an int >= 1.
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        learning_rate: both optimizers' learning rate, a number > 0.
        beta_1: Adam's first-moment decay, a number in [0, 1).
        label_smoothing: one-sided label smoothing, in [0, 1).
        d_steps: discriminator steps per generator step, an int >= 1.
        generator_loss: "non_saturating" or "minimax".
        ema_decay: None, or the decay in [0, 1) of the moving average of G's weights that
            ``generate`` samples with.
        minibatch_std: a ``MinibatchStdDev`` feature in the discriminator.
        d_learning_rate: the discriminator's learning rate, a number > 0 (None:
            ``learning_rate``); above G's, the two time-scale rule (TTUR).
        seed: an int in [0, 2**32 - 1] seeding the initializers and the noise, or None.

    Returns:
        A compiled ``GAN``.

    Raises:
        InputError: for any argument out of range, before any layer is built.
    """
    check_choice(arch, "arch", ("mlp", "dcgan"))
    check_gan(latent_dim, num_classes, label_smoothing, d_steps, generator_loss, ema_decay)
    seed = check_optional_seed(seed)
    learning_rate = check_learning_rate(learning_rate)
    d_learning_rate = learning_rate if d_learning_rate is None else d_learning_rate
    d_learning_rate = check_learning_rate(d_learning_rate, "d_learning_rate")
    check_flag(minibatch_std, "minibatch_std")
    beta_1 = check_float(beta_1, "beta_1", 0.0, 1.0, include_max=False)
    if arch == "mlp":
        generator = mlp_generator(latent_dim, num_classes, seed=seed)
        discriminator = mlp_discriminator(
            num_classes=num_classes, seed=seed, minibatch_std=minibatch_std
        )
    else:
        generator = dcgan_generator(latent_dim, num_classes, seed=seed)
        discriminator = dcgan_discriminator(num_classes, seed=seed, minibatch_std=minibatch_std)
    gan = GAN(
        generator,
        discriminator,
        latent_dim,
        num_classes,
        label_smoothing=label_smoothing,
        d_steps=d_steps,
        generator_loss=generator_loss,
        ema_decay=ema_decay,
        seed=seed,
        name=f"{arch}_gan",
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(d_learning_rate, beta_1=beta_1),
        g_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
    )
    return gan
