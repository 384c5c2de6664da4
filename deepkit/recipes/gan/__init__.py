"""GANs on MNIST (tutorial T3): train a generator against a discriminator, then measure the samples.

    from deepkit.recipes import gan
    result = gan.run(conditional=True, arch="mlp", epochs=30, plot="gan_plots")
    print(result.report())

A generator G turns noise z ~ N(0, I) (with a one-hot digit appended, when
conditional) into an image; a discriminator D scores an image as real or fake.
Each step trains D on real images (target 1 - s) and G's images (target 0), then G
through the frozen D towards D's "real" (the non-saturating loss -log D(G(z)));
``deepkit.models.gan`` holds the networks and the step.

The variants listed in ``variants`` ("base", or levers against mode collapse joined by
"+": ``mbstd``, ``ema``, ``ttur``; see ``training``) train on the training split less a
validation split, and the one whose samples come closest to the validation images
(Fréchet distance) is kept; only then are the test images read, once. Samples are
measured in the penultimate features of a judging MNIST classifier (``classifier``:
deepkit's CNN trained for the run's settings and data and cached under a key of all of
them, or a file the user gives; refused below ``min_classifier_accuracy`` on the
validation images) against held-out images, beside two reference rows measured in the
same run: the real-vs-real ceiling (training images against the held-out ones) and
per-pixel Bernoulli samples of the mean training image (``measures``). Goals on the test
images (``result.GOALS``): a conditional GAN within 2x the Fréchet floor, precision >=
0.85, recall >= 0.70, conditional accuracy >= 97%; an unconditional one precision and
recall >= 0.6, every digit 7-13% of the samples.

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
