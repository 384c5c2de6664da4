"""
Title: MNIST with a multilayer perceptron
Source: tutorial T1, "Implementing an Artificial Neural Network from scratch" (../shared/TUTORIALS.md), and Keras's MNIST MLP
Description: A 784-512-256-10 ReLU network with dropout; T1's 784-32-10 net with ``--config t1``.

The network of deepkit's ``mnist`` recipe (``deepkit run mnist``), written out.
``--config t1`` builds T1's 784-32-10 network (weights ~ N(0, 0.1), SGD at 0.05) with its
output bug fixed: T1 put a ReLU before the softmax and multiplied the output error by the
ReLU derivative; here the output layer is a plain softmax trained with cross-entropy,
whose output error is (p - y). Run: ``python recipes/mnist.py [--config t1] [--epochs N]``.
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

parser = argparse.ArgumentParser(description="MNIST with a multilayer perceptron")
parser.add_argument("--config", choices=["default", "t1"], default="default")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz or IDX folder")
args = parser.parse_args()

NUM_CLASSES = 10
BATCH_SIZE = 128
SEED = 0

"""
## Prepare the data

60,000 training and 10,000 test images of 28x28 grey pixels, scaled to [0, 1] and
flattened to rows of 784.
"""

(x_train, y_train), (x_test, y_test) = load(args.limit, args.path)
x_train, x_test = prepare(x_train, flat=True), prepare(x_test, flat=True)
print(x_train.shape[0], "train samples,", x_test.shape[0], "test samples")

"""
## Build the model
"""

set_seed(SEED)
if args.config == "default":
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(512, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(NUM_CLASSES, activation="softmax"),
        ]
    )
    optimizer = keras.optimizers.Adam(1e-3)
else:  # T1: weights ~ N(0, 0.1), SGD at 0.05
    normal = keras.initializers.RandomNormal(stddev=0.1)
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(32, activation="relu", kernel_initializer=normal),
            keras.layers.Dense(NUM_CLASSES, activation="softmax", kernel_initializer=normal),
        ]
    )
    optimizer = keras.optimizers.SGD(0.05)
model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()

"""
## Train the model
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
print("Test accuracy:", round(accuracy, 4))
print(format_confusion_matrix(matrix, range(NUM_CLASSES)))
