"""Generative adversarial networks (Goodfellow et al. 2014) as a Keras model, with MLP and
DCGAN generators and discriminators.

A generator G turns noise z ~ N(0, I) (with a one-hot label appended in the conditional
variant) into an image; a discriminator D scores an image (with the label appended) as
real or fake; the two are trained in turn, D on real and fake images, G through D.

- ``GAN``, the ``keras.Model`` (``model``), its adversarial step (``training``) and its
  refusals of models and data that do not fit (``checks``).
- ``MinibatchStdDev``: the discriminator's view of its batch's spread (``layers``).
- ``mlp_generator``, ``mlp_discriminator``, ``dcgan_generator``, ``dcgan_discriminator``:
  the networks (``networks``).
- ``build_gan``: a compiled GAN of either pair (``build``).
- ``to_reference``, ``load_reference``: the GAN on the NumPy reference engine and back
  (``reference``).
"""

from deepkit.models.gan.build import build_gan
from deepkit.models.gan.layers import MinibatchStdDev
from deepkit.models.gan.model import GAN, NOISE_STATE
from deepkit.models.gan.networks import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from deepkit.models.gan.reference import load_reference, to_reference

__all__ = [
    "GAN",
    "NOISE_STATE",
    "MinibatchStdDev",
    "build_gan",
    "dcgan_discriminator",
    "dcgan_generator",
    "load_reference",
    "mlp_discriminator",
    "mlp_generator",
    "to_reference",
]
