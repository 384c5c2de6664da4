"""The NumPy reference's layers. Each module registers its classes in ``LAYERS``
(keyed by the Keras class name) when imported; add a layer module's import line below."""

from deepkit.reference.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from deepkit.reference.layers.augmentation import (
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
)
from deepkit.reference.layers.base import LAYERS, Layer, register
from deepkit.reference.layers.conv1d import Conv1D
from deepkit.reference.layers.convolutional import Conv2D
from deepkit.reference.layers.convolutional_transpose import Conv1DTranspose, Conv2DTranspose
from deepkit.reference.layers.core import Activation, Dense, Embedding, InputLayer
from deepkit.reference.layers.depthwise import DepthwiseConv2D, SeparableConv2D
from deepkit.reference.layers.dot import Dot
from deepkit.reference.layers.embeddings_numeric import PeriodicEmbedding, PiecewiseLinearEncoding
from deepkit.reference.layers.ensemble import EnsembleAdapter, EnsembleDense
from deepkit.reference.layers.input_layer import Input
from deepkit.reference.layers.merge import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from deepkit.reference.layers.minibatch_stddev import MinibatchStdDev
from deepkit.reference.layers.normalization import BatchNormalization, LayerNormalization
from deepkit.reference.layers.padding import Cropping1D, Cropping2D, ZeroPadding1D, ZeroPadding2D
from deepkit.reference.layers.pooling import (
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    MaxPooling2D,
)
from deepkit.reference.layers.pooling1d import AveragePooling1D, MaxPooling1D
from deepkit.reference.layers.preprocessing import Normalization, Rescaling
from deepkit.reference.layers.regularization import (
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
)
from deepkit.reference.layers.reshaping import (
    Flatten,
    Permute,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
)
from deepkit.reference.layers.rnn import GRU, LSTM, Bidirectional, SimpleRNN
from deepkit.reference.layers.wrappers import TimeDistributed
