"""GANs on MNIST (tutorial T3): train a generator against a discriminator, then measure the samples.

    from deepkit.recipes import gan
    result = gan.run(conditional=True, arch="mlp", epochs=30, plot="gan_plots")
    print(result.report())

A generator G turns noise z ~ N(0, I) (with a one-hot digit appended, when
conditional) into an image; a discriminator D scores an image as real or fake.
Each step trains D on real images (target 1 - s) and G's images (target 0), then G
through the frozen D towards D's "real" (the non-saturating loss -log D(G(z)));
``deepkit.models.gan`` holds the networks and the step.

The quality table measures the generated digits in the penultimate features of a
judging MNIST classifier (``classifier``: deepkit's CNN trained for the run's
settings and data and cached under a key of all of them, or a file the user gives;
scored on the test images and refused below ``min_classifier_accuracy``), beside two
reference points measured in the same run: MNIST test images (the floor: real
against real) and per-pixel Bernoulli samples of the mean training image
(``measures``). Goals: conditional accuracy >= 97%, every digit 7-13% of
unconditional samples, Fréchet distance within 10x the floor, precision and recall
>= 0.7.

Each epoch's order depends on (seed, epoch) alone, and every training (the classifier's,
the GAN's) is a stage of the run's checkpoint: with ``checkpoint_dir`` a killed run
resumes to the weights and logs of an uninterrupted one, bit for bit (``training``).

The package: ``settings`` (``Settings``), ``recipe`` (``run``), ``classifier`` (the judging
classifier and its cache), ``measures`` (the sample measures), ``sample_quality`` (what
they compute: Fréchet distance, precision and recall, digit shares), ``training`` (the
GAN's training), ``plots`` (the sample grids), ``result`` (``GanResult``).
"""

from deepkit.recipes.gan.measures import BASELINE, FLOOR
from deepkit.recipes.gan.recipe import run
from deepkit.recipes.gan.result import GanResult
from deepkit.recipes.gan.settings import Settings
from deepkit.recipes.gan.training import to_gan_range

__all__ = ["BASELINE", "FLOOR", "GanResult", "Settings", "run", "to_gan_range"]
