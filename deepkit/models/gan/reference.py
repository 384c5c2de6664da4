"""A Keras ``GAN`` on the NumPy reference engine, and back.

``to_reference(gan)`` is ``deepkit.reference.gan.GAN`` over the reference counterparts of
G and D (``deepkit.reference.from_keras``: the same layers and weights), with the same
settings, the counterparts of both optimizers (fresh state, as ``from_keras`` gives) and
the moving average of G starting from ``generator_ema``'s weights. ``load_reference``
copies a trained reference's weights (G, D and the moving average) back into the Keras
GAN, which then samples, is measured and is saved as any Keras GAN.
"""


def to_reference(gan, seed=None):
    """The NumPy reference of a compiled Keras GAN.

    Args:
        gan: a compiled ``deepkit.models.gan.GAN``.
        seed: seeds the reference's generator (its noise and its shuffles).

    Returns:
        A compiled ``deepkit.reference.gan.GAN``.

    Raises:
        InputError: a GAN that is not compiled, or networks or optimizers the reference
            cannot host (every problem named).
    """
    from deepkit.reference import from_keras, optimizers
    from deepkit.reference.gan import GAN
    from deepkit.validation import InputError

    if getattr(gan, "d_optimizer", None) is None:
        raise InputError("compile the GAN (d_optimizer, g_optimizer) before to_reference")
    reference = GAN(
        from_keras(gan.generator, seed=seed),
        from_keras(gan.discriminator, seed=seed),
        gan.latent_dim,
        gan.num_classes,
        label_smoothing=gan.label_smoothing,
        d_steps=gan.d_steps,
        generator_loss=gan.generator_loss,
        ema_decay=gan.ema_decay,
        seed=seed,
    )
    if gan.generator_ema is not None:
        reference.ema_weights = gan.generator_ema.get_weights()
    reference.compile(
        optimizers.from_keras(gan.d_optimizer), optimizers.from_keras(gan.g_optimizer)
    )
    return reference


def load_reference(gan, reference):
    """Copy the weights of ``reference`` (a ``to_reference(gan)``, trained) into ``gan``.

    Args:
        gan: the Keras ``GAN``.
        reference: its ``deepkit.reference.gan.GAN``.
    """
    gan.generator.set_weights(reference.generator.get_weights())
    gan.discriminator.set_weights(reference.discriminator.get_weights())
    if gan.generator_ema is not None:
        gan.generator_ema.set_weights(reference.ema_weights)
