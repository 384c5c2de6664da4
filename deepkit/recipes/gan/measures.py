"""Measuring generated digits against real ones in the judging classifier's features.

Every feature set is compared with the same ``n`` real training images, drawn
once (``n = min(samples, training images, test images)``), with the measures
of ``sample_quality`` (Fréchet distance, precision and recall, the
share of each digit, conditional accuracy). Two reference rows frame the
GAN's: MNIST test images (the floor: real against real) and per-pixel
Bernoulli samples of the mean training image (a baseline any GAN should beat).
The GAN's samples come from the same noise (seed ``seed + 1``) at every
measure, and a conditional GAN is asked for each digit equally often.
"""

import numpy as np

FLOOR, BASELINE = "MNIST train vs test", "Bernoulli(mean image)"


class SampleMeasures:
    """The measures of the recipe's sample sets against one fixed set of real digits.

    Args:
        classifier: the judging classifier (a Keras model ending in a softmax layer).
        x_train: the uint8 training images; ``n`` of them, drawn with ``seed``, are the reals.
        n: images per measured set.
        conditional: whether the GAN is asked for digits (``i % 10`` for sample i).
        seed: draws the real images; ``seed + 1`` the GAN's noise.

    Example:

    >>> measures = SampleMeasures(classifier, x_train, 1000, conditional=True, seed=0)
    >>> rows = measures.references(x_train, x_test, y_test)
    >>> rows["GAN"] = measures.of(gan)
    """

    def __init__(self, classifier, x_train, n, *, conditional, seed):
        from deepkit.recipes.gan.sample_quality import SampleQuality

        self.n, self.seed = n, seed
        real = x_train[np.random.default_rng(seed).permutation(len(x_train))[:n]]
        self.quality = SampleQuality(classifier, real / 255)
        self.requested = np.arange(n) % 10 if conditional else None

    def references(self, x_train, x_test, y_test):
        """The floor (the first ``n`` test images) and the Bernoulli baseline.

        Args:
            x_train: the uint8 training images (their mean image makes the baseline).
            x_test: the uint8 test images.
            y_test: their labels.

        Returns:
            ``{FLOOR: measures, BASELINE: measures}``.
        """
        from deepkit.recipes.gan.sample_quality import bernoulli_baseline

        n = self.n
        return {
            FLOOR: self.quality.measure(x_test[:n] / 255, y_test[:n]),
            BASELINE: self.quality.measure(bernoulli_baseline(x_train / 255, n, self.seed)),
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
