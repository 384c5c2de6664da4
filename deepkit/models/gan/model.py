"""The ``GAN`` Keras model: a generator and a discriminator with their settings, the two
optimizers, sampling, and saving.

With ``ema_decay`` d the GAN keeps ``generator_ema``, a copy of G whose weights follow
G's as an exponential moving average (Karras et al. 2018; Yazici et al. 2019),

    w_ema <- d w_ema + (1 - d) w        after every G update, w_ema = w at the start,

and ``generate`` samples with it: the average of the last ~1 / (1 - d) generators
smooths out the oscillation of the adversarial game. Training never reads it.

The adversarial step is ``AdversarialTraining`` (``deepkit.models.gan.training``). A saved
GAN (``save_weights``, ``.keras``, Keras's ``BackupAndRestore``) holds both optimizers and
the position of the noise generator, so a GAN restored after epoch e trains on exactly as
it would have without the interruption.

(One concept, the GAN model, over about 300 lines: its settings, sampling and
saving; its adversarial step is ``training.py``.)
"""

import keras
import numpy as np

from deepkit.hyperparameters import GAN_DEFAULTS, check_gan
from deepkit.models._checks import check_optional_seed, is_count
from deepkit.models.gan.checks import (
    IMAGE_RANGES,
    check_images,
    check_labels,
    check_pair,
    final_activation,
)
from deepkit.models.gan.training import AdversarialTraining
from deepkit.validation import InputError, check_int

NOISE_STATE = "noise_generator_state"  # the key of the noise generator's position in a saved GAN


def _is_dataset(x):
    import tensorflow as tf

    return isinstance(x, tf.data.Dataset | tf.distribute.DistributedDataset)


def _frozen_copy(model):
    """A copy of ``model`` (its own variables, equal to ``model``'s now), not trainable."""
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    copy.trainable = False
    return copy


@keras.saving.register_keras_serializable(package="deepkit")
class GAN(AdversarialTraining, keras.Model):
    """Generator and discriminator trained adversarially; ``num_classes`` makes it conditional.

    ``generator`` maps (batch, latent_dim + num_classes) to images;
    ``discriminator`` maps images (with num_classes extra features or channels)
    to (batch, 1). Train with ``compile(d_optimizer, g_optimizer)`` then
    ``fit(images)`` or ``fit(images, labels)``; sample with ``generate``.

    Args:
        generator: a Keras model from noise (with the one-hot label appended) to images.
        discriminator: a Keras model from images (with the label appended) to one
            logit or one sigmoid probability.
        latent_dim: the size of the noise z.
        num_classes: the classes of a conditional GAN, or ``None`` for an unconditional one.
        label_smoothing: the one-sided smoothing ``s`` of the real labels, 1 -> 1 - s, in [0, 1).
        d_steps: discriminator steps per generator step.
        generator_loss: ``"non_saturating"`` or ``"minimax"``.
        ema_decay: None, or the decay d in [0, 1) of ``generator_ema``, the moving average
            of G's weights that ``generate`` samples with.
        seed: seeds the noise generator (``None``: unseeded).
        **kwargs: passed to ``keras.Model``.

    Raises:
        InputError: a bad setting, or a generator and discriminator whose shapes do
            not fit together.

    Example:

    ```python
    gan = GAN(mlp_generator(64), mlp_discriminator(), latent_dim=64, seed=0)
    gan.compile(keras.optimizers.Adam(2e-4, 0.5), keras.optimizers.Adam(2e-4, 0.5))
    gan.fit(images, batch_size=128, epochs=10)
    samples = gan.generate(16, seed=0)
    ```
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim,
        num_classes=GAN_DEFAULTS.num_classes,
        label_smoothing=GAN_DEFAULTS.label_smoothing,
        d_steps=GAN_DEFAULTS.d_steps,
        generator_loss=GAN_DEFAULTS.generator_loss,
        ema_decay=GAN_DEFAULTS.ema_decay,
        seed=None,
        **kwargs,
    ):
        check_gan(latent_dim, num_classes, label_smoothing, d_steps, generator_loss, ema_decay)
        seed = check_optional_seed(seed)
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.label_smoothing = float(label_smoothing)
        self.d_steps = int(d_steps)
        self.generator_loss = generator_loss
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.seed = seed
        check_pair(generator, discriminator, self.latent_dim, self.num_classes)
        self.generator_ema = None if ema_decay is None else _frozen_copy(generator)
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    @property
    def sampler(self):
        """The generator ``generate`` samples with: ``generator_ema`` when kept, else G."""
        return self.generator if self.generator_ema is None else self.generator_ema

    @property
    def image_shape(self):
        """The shape of one generated image."""
        return tuple(self.generator.output_shape[1:])

    @property
    def image_range(self):
        """The generator's output range: (-1, 1) for tanh, (0, 1) for sigmoid, else None."""
        return IMAGE_RANGES.get(final_activation(self.generator))

    @property
    def d_from_logits(self):
        """True when the discriminator ends in a linear unit (a logit)."""
        return final_activation(self.discriminator) == "linear"

    def check_data(self, images, labels=None):
        """Check training data before any work.

        Args:
            images: images of the generator's shape and range.
            labels: for a conditional GAN, integer labels in [0, num_classes).

        Returns:
            ``(images, labels)`` as arrays (``labels`` ``None`` when unconditional).

        Raises:
            InputError: naming the problem (shape, range, non-finite values, labels).
        """
        images = check_images(images, self.image_shape, final_activation(self.generator))
        return images, check_labels(labels, len(images), self.num_classes)

    # -- compile / fit --------------------------------------------------------------------------

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss=None, **kwargs):
        """Set the two optimizers and the loss.

        ``model.optimizer`` is None: Keras's default one would be built and saved for
        nothing (``BackupAndRestore`` builds it on restore).

        Args:
            d_optimizer: the discriminator's optimizer (a name or Keras object).
            g_optimizer: the generator's optimizer, another object than ``d_optimizer``.
            loss: defaults to BinaryCrossentropy in D's dtype, from logits when D ends in
                a linear unit (a sigmoid D: from its probabilities).
            **kwargs: passed to ``keras.Model.compile``.

        Raises:
            InputError: one optimizer object given twice, or a loss whose
                ``from_logits`` does not match the discriminator's last activation.
        """
        super().compile(optimizer=None, **kwargs)
        self.d_optimizer = keras.optimizers.get(d_optimizer)
        self.g_optimizer = keras.optimizers.get(g_optimizer)
        if self.d_optimizer is self.g_optimizer:
            raise InputError("d_optimizer and g_optimizer must be two optimizer objects")
        if loss is None:
            loss = keras.losses.BinaryCrossentropy(
                from_logits=self.d_from_logits, dtype=self.discriminator.compute_dtype
            )
        self.loss_fn = keras.losses.get(loss)
        from_logits = getattr(self.loss_fn, "_fn_kwargs", {}).get("from_logits")
        if from_logits is not None and from_logits != self.d_from_logits:
            raise InputError(
                f"loss from_logits={from_logits} but the discriminator ends in"
                f" {final_activation(self.discriminator)!r}"
            )
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def fit(self, x=None, y=None, **kwargs):
        """``fit(images)`` or, conditional, ``fit(images, labels)``; checked before training.

        Args:
            x: the images, or a ``tf.data.Dataset`` of (images, labels) batches, taken
                as it is (an unconditional GAN ignores the labels).
            y: the labels of a conditional GAN.
            **kwargs: passed to ``keras.Model.fit``.

        Returns:
            Keras's ``History``.

        Raises:
            InputError: bad images or labels (see ``check_data``), before training.
        """
        if not _is_dataset(x):
            x, y = self.check_data(x, y)
        return super().fit(x, y, **kwargs)

    @property
    def metrics(self):
        """The mean d_loss and g_loss trackers."""
        return [self.d_loss_tracker, self.g_loss_tracker]

    # -- sampling -------------------------------------------------------------------------------

    def call(self, inputs, training=False):
        """G(inputs).

        Args:
            inputs: noise, with the one-hot label already appended (conditional).
            training: Keras's training flag.

        Returns:
            The generated images.
        """
        return self.generator(inputs, training=training)

    def generate(self, n, labels=None, seed=None, batch_size=1000):
        """``n`` images (numpy, the generator's range) from N(0, I) noise drawn with ``seed``,
        by ``sampler`` (the moving average of G's weights when ``ema_decay`` is set).

        Args:
            n: how many images, an int >= 1.
            labels: for a conditional GAN, ``n`` ints in [0, num_classes); else None.
            seed: the noise's seed, an int in [0, 2**32 - 1], or None.
            batch_size: images per generator call, an int >= 1.

        Returns:
            A NumPy array of ``n`` images.

        Raises:
            InputError: for a bad argument, before any image is generated.
        """
        if not is_count(n):
            raise InputError(f"n must be a positive int, got {n!r}")
        n = int(n)
        seed = check_optional_seed(seed)
        batch_size = check_int(batch_size, "batch_size", min_value=1)
        labels = check_labels(labels, n, self.num_classes)
        noise = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        inputs = np.asarray(self._g_input(noise, labels))
        chunks = [
            np.asarray(self.sampler(inputs[i : i + batch_size], training=False))
            for i in range(0, n, batch_size)
        ]
        return np.concatenate(chunks)

    # -- saving ---------------------------------------------------------------------------------

    def save_own_variables(self, store):
        """Save the weights and the noise generator's position (``seed_generator.state``).

        Args:
            store: Keras's variable store.
        """
        super().save_own_variables(store)
        store[NOISE_STATE] = self.seed_generator.state.numpy()

    def load_own_variables(self, store):
        """Restore the weights and the noise generator's position.

        Args:
            store: Keras's variable store; one saved without the position leaves it as it is.
        """
        if NOISE_STATE in store.keys():
            self.seed_generator.state.assign(np.asarray(store[NOISE_STATE]))
        super().load_own_variables({k: store[k] for k in store.keys() if k != NOISE_STATE})

    def get_config(self):
        return {
            **super().get_config(),
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "label_smoothing": self.label_smoothing,
            "d_steps": self.d_steps,
            "generator_loss": self.generator_loss,
            "ema_decay": self.ema_decay,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    def get_compile_config(self):
        if not getattr(self, "compiled", False):
            return None
        return {
            "d_optimizer": keras.saving.serialize_keras_object(self.d_optimizer),
            "g_optimizer": keras.saving.serialize_keras_object(self.g_optimizer),
            "loss": keras.saving.serialize_keras_object(self.loss_fn),
        }

    def compile_from_config(self, config):
        self.compile(
            d_optimizer=keras.saving.deserialize_keras_object(config["d_optimizer"]),
            g_optimizer=keras.saving.deserialize_keras_object(config["g_optimizer"]),
            loss=keras.saving.deserialize_keras_object(config["loss"]),
        )
