"""MNIST read as sequences by an LSTM (or GRU, SimpleRNN), step by step, with deepkit's public API.

Run it with ``python recipes/rnn.py [--cell lstm|gru|simple] [--epochs N] [--limit N] [--path FILE]``.
Each image is 28 timesteps of 28 pixels (its rows). Anchors: Keras's hierarchical-RNN MNIST
example reported 0.9864 after 5 epochs; the goal here is 0.990 for LSTM and GRU.
"""

import argparse

from deepkit.recipes import mnist_steps, rnn
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--cell", choices=rnn.CELLS, default="lstm")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument(
    "--path", default=None, help="an MNIST .npz or IDX folder (default: Keras's cache)"
)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# Prepare the data: scale pixels to [0, 1]; each image (28, 28) is a sequence of 28 rows.
(x_train, y_train), (x_test, y_test) = mnist_steps.load(args.limit, args.path)
x_train, x_test = rnn.sequences(x_train), rnn.sequences(x_test)
print("x_train shape:", x_train.shape, "(images, timesteps, features)")

# Build the model: one recurrent layer of 128 units reads the rows; its last state
# goes to a Dense softmax over the 10 digits.
set_seed(args.seed)
model = rnn.build_model(args.cell, 128, seed=args.seed)
model.summary()

# Train: batch 128, 10% of the training images held out; stop when their accuracy
# has not improved for 3 epochs (the best weights are kept).
model, history, seconds = mnist_steps.fit(
    model,
    x_train,
    y_train,
    engine="keras",
    epochs=args.epochs,
    batch_size=128,
    validation_split=0.1,
    patience=3,
    seed=args.seed,
    verbose=2,
)
epochs = len(history["loss"])
print(f"trained {epochs} epochs in {seconds:.1f} s ({seconds / epochs:.1f} s/epoch)")

# Evaluate on the test images.
accuracy, matrix, predicted = mnist_steps.evaluate(model, x_test, y_test)
print("Test accuracy:", round(accuracy, 4), " (goal for LSTM and GRU: 0.990)")
print(format_confusion_matrix(matrix, range(10)))
