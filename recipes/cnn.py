"""Simple MNIST convnet (after keras-io's example), step by step, with deepkit's public API.

Run it with ``python recipes/cnn.py [--epochs N] [--shift 0.1] [--limit N] [--path FILE] [--seed N]``.
keras-io reports a test accuracy of 0.9922 after 15 epochs of this network.
"""

import argparse

from deepkit.recipes import cnn, mnist_steps
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument(
    "--shift", type=float, default=0.0, help="random shifts of the training images, e.g. 0.1"
)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument(
    "--path", default=None, help="an MNIST .npz or IDX folder (default: Keras's cache)"
)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# Prepare the data: scale images to [0, 1] and give them a channel axis, (28, 28, 1).
(x_train, y_train), (x_test, y_test) = mnist_steps.load(args.limit, args.path)
x_train, x_test = mnist_steps.prepare(x_train, flat=False), mnist_steps.prepare(x_test, flat=False)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

# Build the model: two Conv2D + MaxPooling2D blocks, Flatten, Dropout(0.5), softmax.
set_seed(args.seed)
model = cnn.build_model(dropout=0.5, shift=args.shift, seed=args.seed)
model.summary()

# Train the model: batch size 128, 10% of the training images held out for validation
# (keras-io trains all 15 epochs; here early stopping may end sooner).
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
print(f"trained {len(history['loss'])} epochs in {seconds:.1f} s")

# Evaluate the trained model.
accuracy, matrix, predicted = mnist_steps.evaluate(model, x_test, y_test)
print("Test accuracy:", round(accuracy, 4), " (keras-io: 0.9922)")
print(format_confusion_matrix(matrix, range(10)))
