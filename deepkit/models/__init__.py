"""Builders that return real, compiled ``keras.Sequential`` models.

- ``mlp``, ``churn_ann``: dense networks (``deepkit.models.dense``).
- ``mnist_mlp``, ``mnist_cnn``: the MNIST networks (``deepkit.models.mnist``).
"""

from deepkit.models.dense import churn_ann, mlp
from deepkit.models.mnist import mnist_cnn, mnist_mlp

__all__ = ["churn_ann", "mlp", "mnist_cnn", "mnist_mlp"]
