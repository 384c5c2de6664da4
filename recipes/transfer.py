"""Transfer learning on MNIST (after Keras's mnist_transfer_cnn), step by step, with deepkit's public API.

Run it with ``python recipes/transfer.py [--epochs N] [--limit N] [--path FILE] [--seed N]``.

1. Train a convnet on digits 0-4 and save it as a .keras file.
2. Load it, cut its head, freeze the convolutional base, and train a new head
   on digits 5-9 (``deepkit.finetune.finetune``).
Keras's example reported 99.8% test accuracy on 0-4 and 99.2% on 5-9.
``deepkit run transfer`` adds the comparison with training from scratch.
"""

import argparse
import tempfile
from pathlib import Path

from deepkit.finetune import finetune
from deepkit.models import mnist_cnn
from deepkit.recipes import mnist_steps
from deepkit.recipes.transfer import split_digits
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument(
    "--path", default=None, help="an MNIST .npz or IDX folder (default: Keras's cache)"
)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# Prepare the data and split it into two tasks: digits 0-4, and digits 5-9 relabelled 0-4.
(x_train, y_train), (x_test, y_test) = mnist_steps.load(args.limit, args.path)
x_train, x_test = mnist_steps.prepare(x_train, flat=False), mnist_steps.prepare(x_test, flat=False)
x_a, y_a = split_digits(x_train, y_train, 0)
x_b, y_b = split_digits(x_train, y_train, 5)
print(len(x_a), "training images of 0-4;", len(x_b), "of 5-9")

# Step 1: train the convnet on 0-4 (5 classes) and save it.
set_seed(args.seed)
model = mnist_cnn(num_classes=5, seed=args.seed, jit_compile=False)
model.fit(x_a, y_a, batch_size=128, epochs=args.epochs, verbose=2)
accuracy, _, _ = mnist_steps.evaluate(model, *split_digits(x_test, y_test, 0), num_classes=5)
print(f"Test accuracy on 0-4: {accuracy:.4f}  (Keras's example: 0.998)")
path = Path(tempfile.mkdtemp()) / "cnn_digits_0_4.keras"
model.save(path)

# Step 2: load it from disk, freeze the conv base (up to Flatten), train a new softmax head on 5-9.
tuned = finetune(
    path, 5, x_b, y_b, epochs=args.epochs, batch_size=128, dropout=0.5, seed=args.seed, verbose=2
)
tuned.summary()
accuracy, _, _ = mnist_steps.evaluate(tuned, *split_digits(x_test, y_test, 5), num_classes=5)
print(f"Test accuracy on 5-9: {accuracy:.4f}  (Keras's example: 0.992)")
