"""Training the GAN: its variant, and the adversarial pair of steps on batches ordered by
(seed, epoch).

A variant is "base" or a set of levers against mode collapse joined by "+" ("mbstd+ema"):

- ``mbstd``: a minibatch standard deviation feature in D (Karras et al. 2018);
- ``ema``: samples from the moving average of G's weights (decay ``ema_decay``);
- ``ttur``: D's own learning rate, ``d_learning_rate`` (Heusel et al. 2017).

``train_gan`` runs ``deepkit.training.fit`` on the GAN (the one path of every Keras
training in deepkit), passing the run's checkpoint stage: the stage saves every epoch
(both nets' weights, both optimizers, the noise generator's position, the epoch's logs)
and a killed run resumes after the last saved epoch to the weights and logs of an
uninterrupted run, bit for bit. At the end of every epoch ``EpochEnd`` draws the sample
grid and, every ``measure_every`` epochs, adds the sample measures to the epoch's logs,
so that Keras's progress shows them and the checkpoint keeps them. ``train_reference_gan``
trains the GAN's NumPy reference instead (``engine="numpy"``: nothing saved on the way) and
copies its weights back into the Keras GAN at the end.
"""

import itertools
import os
import time

import numpy as np

from deepkit.recipes.gan.measures import as_logs


def to_gan_range(x_uint8, arch):
    """uint8 images (n, 28, 28) as float32 in [-1, 1], the generator's tanh range.

    Args:
        x_uint8: the images.
        arch: ``"mlp"`` (flat rows of 784) or ``"dcgan"`` (n, 28, 28, 1).

    Returns:
        The float32 array.
    """
    x = np.asarray(x_uint8, "float32") / 127.5 - 1.0
    return x.reshape(len(x), -1) if arch == "mlp" else x[..., None]


LEVERS = ("mbstd", "ema", "ttur")
VARIANTS = ("base",) + tuple(
    "+".join(chosen) for size in (1, 2, 3) for chosen in itertools.combinations(LEVERS, size)
)


def levers(variant):
    """The levers of ``variant`` (one of ``VARIANTS``), a set of names from ``LEVERS``."""
    return set() if variant == "base" else set(variant.split("+"))


def build(settings, variant="base"):
    """The recipe's compiled GAN of ``variant``, its weights and noise drawn from ``settings.seed``.

    Args:
        settings: the recipe's ``Settings`` (arch, latent_dim, conditional, learning_rate,
            label_smoothing, d_steps, ema_decay, d_learning_rate, seed).
        variant: one of ``VARIANTS``.

    Returns:
        A compiled ``deepkit.models.gan.GAN`` (``build_gan``).
    """
    from deepkit.models.gan import build_gan
    from deepkit.seeding import set_seed

    s, on = settings, levers(variant)
    set_seed(s.seed)
    return build_gan(
        s.arch,
        latent_dim=s.latent_dim,
        num_classes=10 if s.conditional else None,
        learning_rate=s.learning_rate,
        label_smoothing=s.label_smoothing,
        d_steps=s.d_steps,
        ema_decay=s.ema_decay if "ema" in on else None,
        minibatch_std="mbstd" in on,
        d_learning_rate=s.d_learning_rate if "ttur" in on else None,
        seed=s.seed,
    )


def plot_folder(settings, variant):
    """Where the sample grids of ``variant`` go: a folder of its own in ``settings.plot``
    (None without ``plot``)."""
    return None if settings.plot is None else os.path.join(settings.plot, variant)


class EpochEnd:
    """The end of a GAN epoch: the sample grid (in ``folder``), then the measures when due.

    Args:
        gan: the GAN being trained.
        settings: the recipe's ``Settings``.
        measures: a ``SampleMeasures`` (of the validation images); measured after every
            ``measure_every``-th epoch but the last (the recipe measures the trained GAN itself).
        folder: where the sample grids go (None: no grid).
    """

    def __init__(self, gan, settings, measures, folder=None):
        self.gan, self.settings, self.measures, self.folder = gan, settings, measures, folder

    def __call__(self, epoch, logs, sampler=None):
        """Plot and measure after an epoch.

        Args:
            epoch: the epoch just finished, counted from 0 (Keras's).
            logs: the epoch's logs; the measures, when due, are added to them.
            sampler: what generates the samples, if not the GAN itself (its NumPy
                reference, while that trains).
        """
        from deepkit.recipes.gan.plots import plot_epoch

        s, done, sampler = self.settings, epoch + 1, sampler or self.gan
        if self.folder is not None:
            plot_epoch(sampler, s, done, self.folder)
        if s.measure_every and done % s.measure_every == 0 and done < s.epochs:
            logs.update(as_logs(self.measures.of(sampler)))


def train_gan(gan, x, y, settings, checkpoint=None, *, on_epoch_end=None, verbose=0):
    """Train ``gan`` for ``settings.epochs`` epochs, resumable through ``checkpoint``.

    Args:
        gan: a compiled ``deepkit.models.gan.GAN``.
        x: the images in the generator's range.
        y: their labels (ignored by an unconditional GAN).
        settings: the recipe's ``Settings`` (epochs, batch size, seed).
        checkpoint: the run's stage for the GAN (``None``: nothing kept).
        on_epoch_end: called as ``on_epoch_end(epoch, logs)`` after every epoch, before
            the checkpoint saves the logs (``EpochEnd``).
        verbose: Keras's ``verbose``.

    Returns:
        ``{"epochs": [every epoch's logs, as floats], "seconds": this process's training
        time}``: the results the checkpoint keeps.
    """
    import keras

    from deepkit import training
    from deepkit.checkpoints import NoCheckpoint

    checkpoint = checkpoint or NoCheckpoint()
    logged = list(checkpoint.history)  # the epochs a killed run finished

    def log(epoch, logs):
        if on_epoch_end is not None:
            on_epoch_end(epoch, logs)
        logged[epoch:] = [{name: float(value) for name, value in logs.items()}]

    start = time.perf_counter()
    training.fit(
        gan,
        x,
        y,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        seed=settings.seed,
        verbose=verbose,
        checkpoint=checkpoint,
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=log)],
    )
    return {"epochs": logged, "seconds": time.perf_counter() - start}


def train_reference_gan(gan, x, y, settings, checkpoint=None, *, on_epoch_end=None, verbose=0):
    """Train the NumPy reference of ``gan`` for ``settings.epochs`` epochs, then load its
    weights into ``gan``.

    Args:
        gan: a compiled ``deepkit.models.gan.GAN``.
        x: the images in the generator's range.
        y: their labels (ignored by an unconditional GAN).
        settings: the recipe's ``Settings`` (epochs, batch size, seed).
        checkpoint: the no-folder stage (the reference saves nothing on the way).
        on_epoch_end: called as ``on_epoch_end(epoch, logs, reference)`` after every epoch.
        verbose: the progress display.

    Returns:
        ``{"epochs": [every epoch's logs, as floats], "seconds": training time}``, as
        ``train_gan``'s.
    """
    from deepkit.models.gan import load_reference, to_reference
    from deepkit.reference import Callback

    reference = to_reference(gan, seed=settings.seed)
    logged = []

    class Log(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if on_epoch_end is not None:
                on_epoch_end(epoch, logs, reference)
            logged.append({name: float(value) for name, value in logs.items()})

    start = time.perf_counter()
    reference.fit(
        x,
        y if gan.num_classes is not None else None,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        verbose=verbose,
        callbacks=[Log()],
    )
    seconds = time.perf_counter() - start
    load_reference(gan, reference)
    return {"epochs": logged, "seconds": seconds}


# How a GAN trains on each engine.
TRAINERS = {"keras": train_gan, "numpy": train_reference_gan}
