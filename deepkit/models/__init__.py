"""Builders that return real, compiled ``keras.Sequential`` models.

- ``mlp``, ``churn_ann``, ``mnist_mlp``: dense networks (``deepkit.models.dense``).
- ``mnist_cnn``: a convolutional network (``deepkit.models.convolutional``).
"""

from deepkit.models.convolutional import mnist_cnn
from deepkit.models.dense import churn_ann, mlp, mnist_mlp

__all__ = ["churn_ann", "mlp", "mnist_cnn", "mnist_mlp"]
