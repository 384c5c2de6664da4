"""Optimizers with Keras 3's exact update rules, options and learning-rate
schedules (mirror keras/src/optimizers).

- ``base``: the ``Optimizer`` class: learning rate or schedule, gradient
  clipping, decoupled weight decay, the weights' moving average, the flat
  buffers and spans a model hands over;
- ``sgd``, ``adagrad``, ``rmsprop``, ``adam``, ``adamax``, ``nadam``, ``lion``,
  ``adadelta``: the update rules (``AdamW`` is Adam with weight decay);
- ``schedules``: the learning-rate schedules of ``keras.optimizers.schedules``;
- ``casting``: Python numbers as Keras's ``ops.cast`` makes them;
- ``lookup``: ``get`` (Keras's names) and ``from_keras``.
"""

from deepkit.reference.optimizers import schedules
from deepkit.reference.optimizers.adadelta import Adadelta
from deepkit.reference.optimizers.adagrad import Adagrad
from deepkit.reference.optimizers.adam import Adam, AdamW
from deepkit.reference.optimizers.adamax import Adamax
from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.casting import keras_cast
from deepkit.reference.optimizers.lion import Lion
from deepkit.reference.optimizers.lookup import CLASSES, OPTIMIZERS, from_keras, get
from deepkit.reference.optimizers.nadam import Nadam
from deepkit.reference.optimizers.rmsprop import RMSprop
from deepkit.reference.optimizers.schedules import LearningRateSchedule
from deepkit.reference.optimizers.sgd import SGD

__all__ = [
    "CLASSES",
    "OPTIMIZERS",
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "LearningRateSchedule",
    "Lion",
    "Nadam",
    "Optimizer",
    "RMSprop",
    "from_keras",
    "get",
    "keras_cast",
    "schedules",
]
