"""Twin layers. Each module registers its classes in ``LAYERS`` (keyed by the
Keras class name) when imported; add a layer module's import line below."""

from deepkit.reference.layers.base import LAYERS, Layer, register
from deepkit.reference.layers.convolutional import Conv2D
from deepkit.reference.layers.core import Activation, Dense, Input, InputLayer
from deepkit.reference.layers.pooling import MaxPooling2D
from deepkit.reference.layers.regularization import Dropout
from deepkit.reference.layers.reshaping import Flatten
from deepkit.reference.layers.rnn import GRU, LSTM, Bidirectional, SimpleRNN
