"""Tutorial T1, "A simple ANN in Python", on deepkit's NumPy reference.

Run:  python recipes/t1_mnist_from_scratch.py [--epochs N]   (T1's code: 5; its claim: 50)

T1 builds a 784-32-10 network by hand and trains it one image at a time. The
same steps, with T1's three bugs fixed (no ReLU before the softmax output, the
output delta p - y, the validation set kept out of training).
"""

import argparse

from deepkit.recipes import t1

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument(
    "--samples", type=int, default=5000, help="images kept from the pool (T1: 5,000)"
)
parser.add_argument(
    "--path", default=None, help="an MNIST .npz or IDX folder (default: Keras's cache)"
)
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# 1. Data: all 70,000 MNIST images in one pool ("MNIST original"), shuffled; keep
#    5,000, binarize each pixel, split 70% / 15% / 15%.
(train_images, train_labels), validation, (test_images, test_labels) = t1.load(
    "tutorial", n_samples=args.samples, path=args.path, seed=args.seed
)
x_train, x_validation, x_test = (
    t1.binarize(images) for images in (train_images, validation[0], test_images)
)
y_train = t1.one_hot(train_labels)  # a 10-long one-hot row per image
print(f"{len(x_train)} train / {len(x_validation)} validation / {len(x_test)} test images")

# 2. The network: [784, 32, 10], weights ~ Normal(0, 0.1), zero biases, ReLU hidden
#    layer, softmax output; per-sample SGD with learning rate 0.05.
model = t1.t1_network(seed=args.seed)
model.summary()

# 3. Backpropagation, one image at a time (batch_size=1), reshuffled every epoch.
#    Inside fit: forward pass, output delta p - y, backward pass, w -= 0.05 * dw.
model.fit(
    x_train,
    y_train,
    batch_size=1,
    epochs=args.epochs,
    shuffle=True,
    validation_data=(x_validation, t1.one_hot(validation[1])),
    verbose=2,
)

# 4. Test accuracy (argmax), beside T1's claim.
print(
    f"test accuracy after {args.epochs} epochs: {100 * t1.accuracy(model, x_test, test_labels):.2f}%"
    f"   (T1 claims {t1.CLAIM})"
)
