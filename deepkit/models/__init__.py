"""Builders that return real Keras models, one module per family.

- ``mlp``, ``churn_ann``, ``mnist_mlp``: dense networks (``deepkit.models.dense``).
- ``mnist_cnn``: a convolutional network (``deepkit.models.convolutional``).
- ``rnn_classifier``, ``rnn_forecaster``: SimpleRNN, LSTM and GRU (``deepkit.models.rnn``).
- ``RBM`` and ``MomentumSchedule`` (``deepkit.models.rbm``); ``pretrain`` and ``dbn``,
  the deep belief net (``deepkit.models.dbn``).
- ``GAN`` and ``build_gan``, with MLP and DCGAN generators and discriminators
  (``deepkit.models.gan``).
"""

from deepkit.models.convolutional import mnist_cnn
from deepkit.models.dbn import dbn, pretrain
from deepkit.models.dense import churn_ann, mlp, mnist_mlp
from deepkit.models.gan import (
    GAN,
    build_gan,
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)
from deepkit.models.rbm import RBM, MomentumSchedule
from deepkit.models.rnn import rnn_classifier, rnn_forecaster

__all__ = [
    "GAN",
    "RBM",
    "MomentumSchedule",
    "build_gan",
    "churn_ann",
    "dbn",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp",
    "mlp_discriminator",
    "mlp_generator",
    "mnist_cnn",
    "mnist_mlp",
    "pretrain",
    "rnn_classifier",
    "rnn_forecaster",
]
