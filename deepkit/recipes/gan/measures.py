"""Measuring generated digits against held-out real ones in the judging classifier's features.

A set of digits is measured against ``n`` real images no GAN trained on: the validation
images carved from the training split while the variants are compared, the test images
once the choice is made. The measures are ``sample_quality``'s (Fréchet distance,
precision and recall, the share of each digit, conditional accuracy). Two reference rows
frame a GAN's:

- the ceiling, ``n`` training images (drawn with ``seed``) against the held-out ones: real
  against real. Its Fréchet distance is the floor no generator is expected to go below,
  its precision and recall what a perfect copy of the training images reaches with the
  same k and features;
- per-pixel Bernoulli samples of the mean training image, a baseline any GAN should beat.

The GAN's samples come from the same noise (seed ``seed + 1``) at every measure, and a
conditional GAN is asked for each digit equally often.
"""

import numpy as np

BASELINE = "Bernoulli(mean image)"


def ceiling_name(part):
    """The name of the real-against-real row of the held-out ``part`` ("validation", "test")."""
    return f"MNIST train vs {part}"


FLOOR = ceiling_name("test")


class SampleMeasures:
    """The measures of the recipe's sample sets against one fixed set of held-out digits.

    Args:
        classifier: the judging classifier (a Keras model ending in a softmax layer).
        held_out: uint8 images none of the GANs trained on; the first ``n`` are the reals.
        part: what they are, ``"validation"`` or ``"test"`` (names the ceiling's row).
        n: images per measured set.
        conditional: whether the GAN is asked for digits (``i % 10`` for sample i).
        seed: draws the ceiling's training images; ``seed + 1`` the GAN's noise.

    Example:

    >>> measures = SampleMeasures(classifier, x_val, "validation", 1000, conditional=True, seed=0)
    >>> rows = measures.references(x_fit, y_fit)
    >>> rows["GAN"] = measures.of(gan)
    """

    def __init__(self, classifier, held_out, part, n, *, conditional, seed):
        from deepkit.recipes.gan.sample_quality import SampleQuality

        self.n, self.seed, self.ceiling = n, seed, ceiling_name(part)
        self.quality = SampleQuality(classifier, held_out[:n] / 255)
        self.requested = np.arange(n) % 10 if conditional else None

    def references(self, x_train, y_train):
        """The ceiling (``n`` training images against the held-out ones) and the baseline.

        Args:
            x_train: the uint8 images the GANs train on (their mean image makes the baseline).
            y_train: their labels.

        Returns:
            ``{ceiling row: measures, BASELINE: measures}``.
        """
        from deepkit.recipes.gan.sample_quality import bernoulli_baseline

        rows = np.random.default_rng(self.seed).permutation(len(x_train))[: self.n]
        return {
            self.ceiling: self.quality.measure(x_train[rows] / 255, y_train[rows]),
            BASELINE: self.quality.measure(bernoulli_baseline(x_train / 255, self.n, self.seed)),
        }

    def of(self, gan):
        """The measures of ``n`` of ``gan``'s samples.

        Args:
            gan: a GAN with ``generate(n, labels=, seed=)`` giving images in [-1, 1].

        Returns:
            A dict of ``sample_quality`` measures.
        """
        images = (gan.generate(self.n, labels=self.requested, seed=self.seed + 1) + 1) / 2
        return self.quality.measure(images, self.requested)


def as_logs(measures):
    """A measure dict as numbers for an epoch's logs: the digit shares as their min and max.

    Args:
        measures: a dict of ``SampleMeasures.of``.

    Returns:
        A dict of floats.
    """
    shares = measures["shares"]
    kept = {name: value for name, value in measures.items() if name != "shares"}
    return {**kept, "min_share": shares.min(), "max_share": shares.max()}
