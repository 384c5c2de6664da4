"""A GAN on MNIST digits (tutorial T3), step by step, with deepkit's public API.

Run it with ``python recipes/gan.py [--conditional] [--epochs N] [--limit N] [--path FILE]``.
T3: "a generator turns random numbers into an image, a discriminator returns the
probability that an image is real; a double feedback loop."
"""

import argparse

import numpy as np

from deepkit.models.gan import build_gan
from deepkit.recipes import gan as recipe
from deepkit.recipes import mnist_steps
from deepkit.sample_quality import SampleQuality, bernoulli_baseline, format_quality
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--conditional", action="store_true", help="feed digit labels to both nets")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz (default: Keras's cache)")
parser.add_argument("--classifier", default=recipe.DEFAULT_CLASSIFIER, help="MNIST CNN .keras")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

# The data: real digits, scaled to [-1, 1], the range of the generator's tanh output.
(x_train, y_train), (x_test, y_test) = mnist_steps.load(args.limit, args.path)
x = recipe.to_gan_range(x_train, "mlp")
print("real images:", x.shape, "in", (x.min(), x.max()))

# The two networks. The generator: 100 random numbers (+ a one-hot digit) -> 256 -> 512 -> 784
# pixels (tanh). The discriminator: 784 pixels (+ the digit) -> 512 -> 256 -> one logit, the
# log-odds that the image is real (its sigmoid is T3's probability).
set_seed(args.seed)
num_classes = 10 if args.conditional else None
gan = build_gan("mlp", num_classes=num_classes, seed=args.seed)
gan.generator.summary()
gan.discriminator.summary()

# The double feedback loop, one batch at a time: the discriminator learns to tell real from
# generated images (real -> 1, fake -> 0); then the generator learns, through the frozen
# discriminator, to make images it calls real (the non-saturating loss -log D(G(z))).
history = gan.fit(x, y_train if args.conditional else None, batch_size=128,
                  epochs=args.epochs, verbose=2)  # fmt: skip
print("final d_loss, g_loss:", history.history["d_loss"][-1], history.history["g_loss"][-1])

# How good are the samples? Measured in the features of deepkit's MNIST CNN, beside real test
# digits (the floor) and per-pixel Bernoulli samples of the mean image (a simple baseline).
classifier, where = recipe.load_classifier(args.classifier, x_train, y_train, 3, args.seed, 0)
print("classifier:", where)
n = min(10000, len(x_train), len(x_test))
quality = SampleQuality(classifier, x_train[:n] / 255)
requested = np.arange(n) % 10 if args.conditional else None
samples = (gan.generate(n, labels=requested, seed=1) + 1) / 2
print(format_quality({
    recipe.FLOOR: quality.measure(x_test[:n] / 255, y_test[:n]),
    recipe.BASELINE: quality.measure(bernoulli_baseline(x_train / 255, n, args.seed)),
    f"GAN after {args.epochs} epochs": quality.measure(samples, requested),
}, recipe.FLOOR))  # fmt: skip
