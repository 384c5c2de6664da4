"""
Title: MNIST read row by row by an LSTM
Source: Keras's "hierarchical RNN" MNIST example (0.9864 after 5 epochs) and tutorial T3's RNN/LSTM section (../shared/TUTORIALS.md)
Description: Each image is a sequence of 28 rows of 28 pixels, read by one recurrent layer.

The network of deepkit's ``rnn`` recipe (``deepkit run rnn``), written out. The gated
cells keep a path whose gradient does not shrink at every step (the LSTM's additive cell
state c_t = f c_{t-1} + i g, the GRU's interpolation h_t = z h_{t-1} + (1 - z) hh), which a
SimpleRNN lacks. Adam's learning rate decays along a cosine from 3e-3 to 0 over all epochs,
each gradient clipped to norm 1.
Run: ``python recipes/rnn.py [--cell lstm|gru|simple] [--epochs N]``.
"""

"""
## Setup
"""

import argparse
import math

import keras

from deepkit import training
from deepkit.recipes.mnist_classifier import carve, evaluate, load
from deepkit.recipes.rnn import sequences
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description="MNIST read row by row by an LSTM")
parser.add_argument("--cell", choices=["lstm", "gru", "simple"], default="lstm")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz or IDX folder")
args = parser.parse_args()

UNITS = 128
NUM_CLASSES = 10
BATCH_SIZE = 128
LEARNING_RATE = 3e-3  # the peak of the cosine schedule
CLIPNORM = 1.0
SEED = 0
CELLS = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "simple": keras.layers.SimpleRNN}

"""
## Prepare the data

Pixels scaled to [0, 1]; each image (28, 28) is a sequence of 28 rows. A tenth of the
training images is held out to watch the validation accuracy.
"""

(x_train, y_train), (x_test, y_test) = load(args.limit, args.path)
x_train, x_test = sequences(x_train), sequences(x_test)
print(x_train.shape[0], "sequences of", x_train.shape[1], "rows of", x_train.shape[2], "pixels")
(x_fit, y_fit), validation = carve(x_train, y_train, 0.1, SEED)

"""
## Build the model
"""

set_seed(SEED)
model = keras.Sequential(
    [
        keras.Input(shape=(28, 28)),
        CELLS[args.cell](UNITS),
        keras.layers.Dense(NUM_CLASSES, activation="softmax"),
    ]
)
steps = args.epochs * math.ceil(len(x_fit) / BATCH_SIZE)
learning_rate = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=steps)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate, clipnorm=CLIPNORM),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
)
model.summary()

"""
## Train the model
"""

model, history = training.fit(
    model,
    x_fit,
    y_fit,
    epochs=args.epochs,
    batch_size=BATCH_SIZE,
    validation_data=validation,
    seed=SEED,
    verbose=2,
)

"""
## Evaluate the trained model
"""

accuracy, matrix, predicted = evaluate(model, x_test, y_test)
print("Test accuracy:", round(accuracy, 4), " (Keras's hierarchical RNN example: 0.9864)")
print(format_confusion_matrix(matrix, range(NUM_CLASSES)))
