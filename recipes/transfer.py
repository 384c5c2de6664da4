"""
Title: Transfer learning on MNIST digits
Source: "Transfer learning toy example", examples/mnist_transfer_cnn.py of keras-team/keras (Keras 2), and the Keras guide "Transfer learning & fine-tuning", https://keras.io/guides/transfer_learning/
Description: A convnet trained on digits 0-4 is frozen and given a new head for digits 5-9.

The steps of deepkit's ``transfer`` recipe (``deepkit run transfer``, which also trains
the same network from scratch for comparison), written out. Keras's example reported
99.8% test accuracy on 0-4 and 99.2% on 5-9. ``deepkit.finetune.finetune`` does the
second half in one call. Run: ``python recipes/transfer.py [--epochs N] [--limit N]
[--path FILE]``.
"""

"""
## Setup
"""

import argparse
import tempfile
from pathlib import Path

import keras

from deepkit import training
from deepkit.recipes.mnist_classifier import evaluate
from deepkit.recipes.transfer import load_tasks
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description="Transfer learning on MNIST digits")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz or IDX folder")
args = parser.parse_args()

NUM_CLASSES = 5
INPUT_SHAPE = (28, 28, 1)
BATCH_SIZE = 128
SEED = 0

"""
## Prepare the data

Two tasks from MNIST: digits 0-4, and digits 5-9 relabelled 0-4, pixels scaled to
[0, 1], each image given a channel axis.
"""

tasks = load_tasks(args.limit, args.path)
(x_a, y_a), (x_b, y_b) = tasks.source, tasks.target
print(len(x_a), "training images of 0-4,", len(x_b), "of 5-9")

"""
## Build the model

keras-io's MNIST convnet with a five-way head: the feature layers (two convolution
blocks, up to ``flatten``), then the classifier (dropout and a softmax layer).
"""

set_seed(SEED)
model = keras.Sequential(
    [
        keras.Input(shape=INPUT_SHAPE),
        keras.layers.Conv2D(32, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2),
        keras.layers.Conv2D(64, kernel_size=3, activation="relu"),
        keras.layers.MaxPooling2D(pool_size=2),
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dropout(0.5),
        keras.layers.Dense(NUM_CLASSES, activation="softmax"),
    ]
)
model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()

"""
## Pretrain on digits 0-4, and save the model

Rows in an order set by (seed, epoch), as every deepkit training.
"""

training.fit(model, x_a, y_a, epochs=args.epochs, batch_size=BATCH_SIZE, seed=SEED, verbose=2)
accuracy, _, _ = evaluate(model, *tasks.source_test, num_classes=NUM_CLASSES)
print(f"Test accuracy on 0-4: {accuracy:.4f}  (Keras's example: 0.998)")

folder = tempfile.TemporaryDirectory(prefix="deepkit_transfer_")
path = Path(folder.name) / "cnn_digits_0_4.keras"
model.save(path)

"""
## Fine-tune on digits 5-9

Load the saved model, keep it up to ``flatten`` and freeze it (called with
``training=False``, as the guide does), put a new head on it and train only that.
"""

base = keras.models.load_model(path)
features = keras.Model(base.inputs, base.get_layer("flatten").output, name="features")
features.trainable = False

inputs = keras.Input(shape=INPUT_SHAPE)
x = features(inputs, training=False)
x = keras.layers.Dropout(0.5)(x)
outputs = keras.layers.Dense(NUM_CLASSES, activation="softmax")(x)
tuned = keras.Model(inputs, outputs, name="finetuned")
tuned.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
tuned.summary()

training.fit(tuned, x_b, y_b, epochs=args.epochs, batch_size=BATCH_SIZE, seed=SEED, verbose=2)
folder.cleanup()

"""
## Evaluate the fine-tuned model
"""

accuracy, _, _ = evaluate(tuned, *tasks.target_test, num_classes=NUM_CLASSES)
print(f"Test accuracy on 5-9: {accuracy:.4f}  (Keras's example: 0.992)")
