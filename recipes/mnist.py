"""MNIST with a multilayer perceptron, step by step, with deepkit's public API.

Run it with ``python recipes/mnist.py [--config t1] [--epochs N] [--limit N] [--path FILE] [--seed N]``.
Each step calls a function that ``deepkit.recipes.mnist.run()`` composes.

``--config t1`` builds tutorial T1's 784-32-10 network (weights ~ N(0, 0.1),
SGD at 0.05) with its output bug fixed: T1 put a ReLU before the softmax and
multiplied the output error by the ReLU derivative; here the output layer is a
plain softmax trained with cross-entropy, whose output error is (p - y).
"""

import argparse

from deepkit.recipes import mnist, mnist_steps
from deepkit.report import format_confusion_matrix
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--config", choices=["default", "t1"], default="default")
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument(
    "--path", default=None, help="an MNIST .npz or IDX folder (default: Keras's cache)"
)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# Prepare the data: 60,000 training and 10,000 test images of 28x28 grey pixels,
# scaled to [0, 1] and flattened to rows of 784.
(x_train, y_train), (x_test, y_test) = mnist_steps.load(
    args.limit, args.path
)  # deepkit.datasets.load_mnist, first N
print("x_train:", x_train.shape, " x_test:", x_test.shape)
x_train, x_test = mnist_steps.prepare(x_train, flat=True), mnist_steps.prepare(x_test, flat=True)

# Build the model.
set_seed(args.seed)
model = mnist.build_model(args.config, seed=args.seed)
model.summary()

# Train it, holding out 10% of the training images to stop early when
# validation accuracy has not improved for 3 epochs.
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

# Evaluate the trained model on the test set.
accuracy, matrix, predicted = mnist_steps.evaluate(model, x_test, y_test)
print(
    f"Test accuracy: {accuracy:.4f}"
    + ("  (T1 claimed 'up to 97%' after 50 epochs)" if args.config == "t1" else "")
)
print(format_confusion_matrix(matrix, range(10)))
