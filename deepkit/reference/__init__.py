"""deepkit.reference: a from-scratch NumPy reference of Keras, proven equal by parity tests.

Same names, arguments, defaults and formulas as Keras::

    from deepkit import reference as ref

    model = ref.Sequential([ref.Input((11,)),
                            ref.Dense(6, activation="relu"),
                            ref.Dense(6, activation="relu"),
                            ref.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=10, epochs=50)

    inputs = ref.Input((11,))                    # the functional API: a graph of layers
    hidden = ref.Dense(6, activation="relu")(inputs)
    merged = ref.Concatenate()([hidden, ref.Dense(6)(inputs)])
    model = ref.Model(inputs, ref.Dense(1, activation="sigmoid")(merged), seed=0)

    reference = ref.from_keras(keras_model)      # same architecture, weights, compile
    keras_again = reference.to_keras()

``from_keras`` refuses what it cannot host with one ``InputError`` that lists
every unsupported layer, argument, loss, metric and compile setting.
"""

from deepkit.reference import (
    activations,
    autodiff,
    callbacks,
    constraints,
    initializers,
    layers,
    losses,
    metrics,
    optimizers,
    regularizers,
    trainer,
)
from deepkit.reference.callbacks import Callback, EarlyStopping, History
from deepkit.reference.dbn import dbn, pretrain
from deepkit.reference.gan import GAN
from deepkit.reference.layers import (
    ELU,
    Activation,
    Add,
    Average,
    AveragePooling1D,
    AveragePooling2D,
    BatchNormalization,
    Concatenate,
    Conv1D,
    Conv1DTranspose,
    Conv2D,
    Conv2DTranspose,
    Cropping1D,
    Cropping2D,
    Dense,
    DepthwiseConv2D,
    Dot,
    Dropout,
    Embedding,
    Flatten,
    GaussianDropout,
    GaussianNoise,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    Input,
    InputLayer,
    Layer,
    LayerNormalization,
    LeakyReLU,
    Maximum,
    MaxPooling1D,
    MaxPooling2D,
    Minimum,
    Multiply,
    Permute,
    PReLU,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    ReLU,
    RepeatVector,
    Rescaling,
    Reshape,
    SeparableConv2D,
    Softmax,
    SpatialDropout1D,
    SpatialDropout2D,
    Subtract,
    TimeDistributed,
    UpSampling1D,
    UpSampling2D,
    ZeroPadding1D,
    ZeroPadding2D,
)
from deepkit.reference.layers.rnn import GRU, LSTM, Bidirectional, SimpleRNN
from deepkit.reference.models import Model, Sequential, from_keras, to_keras
from deepkit.reference.rbm import RBM, MomentumSchedule
from deepkit.reference.support import supported
from deepkit.reference.trainer import Trainer
from deepkit.validation import InputError
