"""
Title: Simple MNIST convnet
Source: keras-io, "Simple MNIST convnet" (fchollet), https://keras.io/examples/vision/mnist_convnet/
Description: Two convolution blocks read the digits; about 99% test accuracy on MNIST.

The network of deepkit's ``cnn`` recipe (``deepkit run cnn``), written out. keras-io
reports 0.9922 after 15 epochs; here 10% of the training images are held out and early
stopping may end sooner. Run: ``python recipes/cnn.py [--epochs N] [--limit N] [--path FILE]``.
"""

"""
## Setup
"""

import argparse

import keras

from deepkit import training
from deepkit.recipes.mnist_classifier import carve, evaluate, load, prepare
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description="Simple MNIST convnet")
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz or IDX folder")
args = parser.parse_args()

NUM_CLASSES = 10
INPUT_SHAPE = (28, 28, 1)
BATCH_SIZE = 128
SEED = 0

"""
## Prepare the data

Pixels scaled to [0, 1], each image given a channel axis: (28, 28, 1).
"""

(x_train, y_train), (x_test, y_test) = load(args.limit, args.path)
x_train, x_test = prepare(x_train, flat=False), prepare(x_test, flat=False)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples,", x_test.shape[0], "test samples")

"""
## Build the model
"""

set_seed(SEED)
model = keras.Sequential(
    [
        keras.Input(shape=INPUT_SHAPE),
        keras.layers.Conv2D(32, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2),
        keras.layers.Conv2D(64, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(NUM_CLASSES, activation="softmax"),
    ]
)
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()

"""
## Train the model

Rows in an order set by (seed, epoch); early stopping on the held-out images' accuracy.
"""

(x_fit, y_fit), validation = carve(x_train, y_train, 0.1, SEED)
model, history = training.fit(
    model,
    x_fit,
    y_fit,
    epochs=args.epochs,
    batch_size=BATCH_SIZE,
    validation_data=validation,
    patience=3,
    monitor="val_accuracy",
    seed=SEED,
    verbose=2,
)

"""
## Evaluate the trained model
"""

accuracy, matrix, predicted = evaluate(model, x_test, y_test)
print("Test accuracy:", round(accuracy, 4), " (keras-io: 0.9922)")
print(format_confusion_matrix(matrix, range(NUM_CLASSES)))
