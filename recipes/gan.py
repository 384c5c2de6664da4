"""
Title: GAN and conditional GAN on MNIST
Source: tutorial T3, "Python deep learning, a quick guide" (generative adversarial networks
on MNIST digits), with the training step of keras-io's "Conditional GAN" (Sayak Paul),
https://keras.io/examples/generative/conditional_gan/
Description: A generator turns random numbers into digits, a discriminator tells them from
real ones; the samples are measured in the features of an MNIST classifier.

The networks of deepkit's ``gan`` recipe (``deepkit run gan``), written out. T3: "a
generator turns random numbers into an image, a discriminator returns the probability that
an image is real; a double feedback loop." Run:
``python recipes/gan.py [--conditional] [--epochs N] [--limit N] [--path FILE]``.
"""

"""
## Setup
"""

import argparse

import keras

from deepkit import training
from deepkit.models.gan import GAN
from deepkit.recipes.gan import classifier as judging
from deepkit.recipes.gan.measures import BASELINE, FLOOR, SampleMeasures
from deepkit.recipes.gan.sample_quality import format_quality
from deepkit.recipes.gan.training import to_gan_range
from deepkit.recipes.mnist_classifier import load
from deepkit.seeding import set_seed

parser = argparse.ArgumentParser(description="GAN and conditional GAN on MNIST")
parser.add_argument("--conditional", action="store_true", help="feed digit labels to both nets")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit", type=int, default=None, help="first N training images only")
parser.add_argument("--path", default=None, help="an MNIST .npz or IDX folder")
parser.add_argument(
    "--min-classifier-accuracy",
    type=float,
    default=0.95,
    help="refuse to measure with a less accurate classifier",
)
args = parser.parse_args()

LATENT_DIM = 100
NUM_CLASSES = 10 if args.conditional else 0
IMAGE_DIM = 28 * 28
BATCH_SIZE = 128
LEARNING_RATE = 2e-4
BETA_1 = 0.5  # DCGAN's Adam (Radford et al. 2016), for both nets
SAMPLES = 10000  # images per quality measure
CLASSIFIER_FILTERS, CLASSIFIER_EPOCHS = (32, 64), 3
SEED = 0

"""
## Prepare the data

Real digits scaled to [-1, 1], the range of the generator's tanh output, as rows of 784
pixels.
"""

(x_train, y_train), (x_test, y_test) = load(args.limit, args.path)
x = to_gan_range(x_train, "mlp")
print("real images:", x.shape, "in", (x.min(), x.max()))

"""
## The two networks

The generator: 100 random numbers (+ a one-hot digit) -> 256 -> 512 -> 784 pixels (tanh).
The discriminator: 784 pixels (+ the digit) -> 512 -> 256 -> one logit, the log-odds that
the image is real (its sigmoid is T3's probability). Each layer's initial weights have a
seed of their own.
"""


def seeded(offset):
    return keras.initializers.GlorotUniform(seed=SEED + offset)


set_seed(SEED)
generator = keras.Sequential(
    [
        keras.Input((LATENT_DIM + NUM_CLASSES,)),
        keras.layers.Dense(256, activation="leaky_relu", kernel_initializer=seeded(0)),
        keras.layers.Dense(512, activation="leaky_relu", kernel_initializer=seeded(1)),
        keras.layers.Dense(IMAGE_DIM, activation="tanh", kernel_initializer=seeded(2)),
    ],
    name="generator",
)
discriminator = keras.Sequential(
    [
        keras.Input((IMAGE_DIM + NUM_CLASSES,)),
        keras.layers.Dense(512, activation="leaky_relu", kernel_initializer=seeded(0)),
        keras.layers.Dense(256, activation="leaky_relu", kernel_initializer=seeded(1)),
        keras.layers.Dense(1, kernel_initializer=seeded(2)),
    ],
    name="discriminator",
)
model = GAN(generator, discriminator, LATENT_DIM, NUM_CLASSES or None, seed=SEED)
model.compile(
    d_optimizer=keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1),
    g_optimizer=keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1),
)
generator.summary()
discriminator.summary()

"""
## Train: the double feedback loop

One batch at a time, the discriminator learns to tell real from generated images (real ->
1, fake -> 0); then the generator learns, through the frozen discriminator, to make images
it calls real (the non-saturating loss -log D(G(z))). The rows of each epoch come in an
order set by (seed, epoch); an unconditional GAN ignores the labels.
"""

model, history = training.fit(
    model, x, y_train, epochs=args.epochs, batch_size=BATCH_SIZE, seed=SEED, verbose=2
)
print("final d_loss, g_loss:", history["d_loss"][-1], history["g_loss"][-1])

"""
## The judge: an MNIST classifier

The samples are measured in the penultimate features of deepkit's MNIST CNN, trained once
for these settings and these training images and kept in ``$KERAS_HOME/deepkit`` under a
key of everything that made it. A weak classifier would make poor digits look good: it is
scored on the test images and refused below the accuracy floor. (This script trains one
GAN and chooses nothing, so it may read the test images now; ``deepkit run gan`` compares
variants on a validation split first and reads them once, after its choice.)
"""

where = judging.locate(
    x_train, y_train, filters=CLASSIFIER_FILTERS, epochs=CLASSIFIER_EPOCHS, seed=SEED
)
judge, origin = judging.obtain(where, x_train, y_train)
accuracy = judging.accuracy_on(judge, x_test, y_test)
print(f"judging classifier: {where.path} ({origin}); test accuracy {accuracy:.4f}")
judging.refuse_if_weak(where.path, accuracy, f"{len(x_test)} test", args.min_classifier_accuracy)

"""
## How good are the samples?

Every set of digits is measured against the real test digits, which no network trained
on, beside two reference points: real training digits (the ceiling: how close real
digits come to other real digits) and per-pixel Bernoulli samples of the mean image (a
simple baseline).
"""

n = min(SAMPLES, len(x_train), len(x_test))
measures = SampleMeasures(judge, x_test, "test", n, conditional=args.conditional, seed=SEED)
rows = measures.references(x_train, y_train)
rows[f"GAN after {args.epochs} epochs"] = measures.of(model)
print(format_quality(rows, FLOOR))
frechet = {name: row["frechet"] for name, row in rows.items()}
print(
    f"Fréchet distance to real digits: Bernoulli noise {frechet[BASELINE]:.3f}, real test "
    f"digits {frechet[FLOOR]:.3f} (to the training digits), the GAN "
    f"{frechet[f'GAN after {args.epochs} epochs']:.3f}"
)
