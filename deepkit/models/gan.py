"""Generative adversarial networks (Goodfellow et al. 2014) and their MLP / DCGAN builders.

A generator G turns noise z ~ N(0, I) (with a one-hot label appended in the
conditional variant) into an image; a discriminator D scores an image (with
the label appended) as real or fake. ``GAN.train_step`` alternates

    D step (``d_steps`` times):  d_loss = BCE(1 - s, D(x)) + BCE(0, D(G(z)))
    G step, D frozen:            g_loss = BCE(1, D(G(z)))          (non-saturating)
                            or   g_loss = -BCE(0, D(G(z)))         ("minimax", 2014's log(1 - D))

where ``s`` is the one-sided label smoothing. D ends in one logit (the
builders' choice, scored with ``from_logits=True``) or one sigmoid probability.
The conditional GAN appends one-hot labels to the noise and to D's input:
as extra features to flat images, as extra constant channels to (h, w, c)
images; the fake images of a batch get the real images' labels.

A saved GAN (``save_weights``, ``.keras``, Keras's ``BackupAndRestore``) holds
both optimizers and the position of the noise generator, so a GAN restored
after epoch e trains on exactly as it would have without the interruption.
"""

import keras
import numpy as np
from keras import ops

from deepkit.hyperparameters import GAN_DEFAULTS, check_gan
from deepkit.models._checks import (
    check_counts,
    check_learning_rate,
    check_optional_seed,
    is_count,
)
from deepkit.validation import InputError, check_choice, check_float, check_int

NOISE_STATE = "noise_generator_state"  # the key of the noise generator's position in a saved GAN


def _is_dataset(x):
    import tensorflow as tf

    return isinstance(x, tf.data.Dataset | tf.distribute.DistributedDataset)


def _one_hot(labels, num_classes, dtype):
    return ops.one_hot(ops.cast(labels, "int32"), num_classes, dtype=dtype)


def _final_activation(model):
    activation = getattr(model.layers[-1], "activation", None)
    return getattr(activation, "__name__", "linear")


@keras.saving.register_keras_serializable(package="deepkit")
class GAN(keras.Model):
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
        seed=None,
        **kwargs,
    ):
        check_gan(latent_dim, num_classes, label_smoothing, d_steps, generator_loss)
        seed = check_optional_seed(seed)
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.label_smoothing = float(label_smoothing)
        self.d_steps = int(d_steps)
        self.generator_loss = generator_loss
        self.seed = seed
        self._check_models()
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    # -- validation -----------------------------------------------------------------------------

    def _check_models(self):
        """Refuse model shapes that do not fit together (``InputError``), before any training."""
        extra = self.num_classes or 0
        g_in = tuple(self.generator.input_shape)
        if len(g_in) != 2 or g_in[1] != self.latent_dim + extra:
            raise InputError(
                f"generator input shape {g_in} does not match latent_dim={self.latent_dim}"
                f" + num_classes={extra}: expected (None, {self.latent_dim + extra})"
            )
        image_shape = tuple(self.generator.output_shape[1:])
        expected = image_shape[:-1] + (image_shape[-1] + extra,)
        d_in = tuple(self.discriminator.input_shape[1:])
        if d_in != expected:
            raise InputError(
                f"discriminator input shape {d_in} does not match the generator's images"
                f" {image_shape} with num_classes={extra} appended: expected {expected}"
            )
        d_out = tuple(self.discriminator.output_shape)
        d_activation = _final_activation(self.discriminator)
        if d_out[1:] != (1,) or d_activation not in ("sigmoid", "linear"):
            raise InputError(
                "the discriminator must output one probability (sigmoid) or one logit (linear)"
                f" per image; got output shape {d_out} with activation {d_activation!r}"
            )

    @property
    def image_shape(self):
        """The shape of one generated image."""
        return tuple(self.generator.output_shape[1:])

    @property
    def image_range(self):
        """The generator's output range: (-1, 1) for tanh, (0, 1) for sigmoid, else None."""
        return {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(_final_activation(self.generator))

    @property
    def d_from_logits(self):
        """True when the discriminator ends in a linear unit (a logit)."""
        return _final_activation(self.discriminator) == "linear"

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
        images = np.asarray(images)
        if images.dtype.kind not in "biuf":
            raise InputError(f"images must hold numbers, got dtype {images.dtype}")
        if images.ndim == 0 or len(images) == 0:
            raise InputError(f"no images to train on (shape {images.shape})")
        if images.shape[1:] != self.image_shape:
            raise InputError(
                f"images must have shape (n, {', '.join(map(str, self.image_shape))}) like the"
                f" generator's output, got {images.shape}"
            )
        if not np.all(np.isfinite(images)):
            raise InputError("images contain NaN or inf")
        if self.image_range is not None:
            low, high = self.image_range
            if images.min() < low or images.max() > high:
                raise InputError(
                    f"images must lie in the generator's output range [{low}, {high}]"
                    f" ({_final_activation(self.generator)}); got values in"
                    f" [{images.min()}, {images.max()}]"
                )
        if self.num_classes is None:
            if labels is not None:
                raise InputError("labels given to an unconditional GAN (num_classes=None)")
            return images, None
        if labels is None:
            raise InputError(f"a conditional GAN (num_classes={self.num_classes}) needs labels")
        labels = np.asarray(labels)
        if labels.shape != (len(images),):
            raise InputError(f"labels must have shape ({len(images)},), got {labels.shape}")
        if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
            raise InputError(f"labels must be ints in [0, {self.num_classes}), got {labels[:5]}")
        if labels.max() >= self.num_classes:
            raise InputError(f"labels must be in [0, {self.num_classes}), got {labels.max()}")
        return images, labels

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
                f" {_final_activation(self.discriminator)!r}"
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

    # -- the adversarial step -------------------------------------------------------------------

    def _g_input(self, noise, labels):
        if self.num_classes is None:
            return noise
        return ops.concatenate([noise, _one_hot(labels, self.num_classes, noise.dtype)], axis=-1)

    def _d_input(self, images, labels):
        if self.num_classes is None:
            return images
        one_hot = _one_hot(labels, self.num_classes, images.dtype)
        if len(self.image_shape) > 1:
            spatial = (1,) * (len(self.image_shape) - 1)
            one_hot = ops.reshape(one_hot, (-1, *spatial, self.num_classes))
            one_hot = ops.broadcast_to(
                one_hot, (ops.shape(images)[0], *self.image_shape[:-1], self.num_classes)
            )
        return ops.concatenate([images, one_hot], axis=-1)

    def _d_loss(self, real, fake, labels, training):
        """BCE(1 - s, D(real)) + BCE(0, D(fake))."""
        d_real = self.discriminator(self._d_input(real, labels), training=training)
        d_fake = self.discriminator(self._d_input(fake, labels), training=training)
        real_target = ops.full(ops.shape(d_real), 1.0 - self.label_smoothing, d_real.dtype)
        return self.loss_fn(real_target, d_real) + self.loss_fn(ops.zeros_like(d_fake), d_fake)

    def _g_loss(self, fake, labels, training):
        """BCE(1, D(fake)) (non-saturating) or -BCE(0, D(fake)) (minimax)."""
        d_fake = self.discriminator(self._d_input(fake, labels), training=training)
        if self.generator_loss == "non_saturating":
            return self.loss_fn(ops.ones_like(d_fake), d_fake)
        return -self.loss_fn(ops.zeros_like(d_fake), d_fake)

    def discriminator_gradients(self, real, labels, noise):
        """D's loss and gradients on a real batch and G(``noise``); no update.

        Args:
            real: a batch of real images.
            labels: their labels (conditional), or ``None``.
            noise: the noise G turns into the fake batch.

        Returns:
            ``(d_loss, gradients of D's trainable weights)``.
        """
        import tensorflow as tf

        fake = self.generator(self._g_input(noise, labels), training=True)
        with tf.GradientTape() as tape:
            d_loss = self._d_loss(real, fake, labels, training=True)
        return d_loss, tape.gradient(d_loss, self.discriminator.trainable_weights)

    def generator_gradients(self, labels, noise):
        """G's loss and gradients through D; no update.

        Args:
            labels: the labels of the fake batch (conditional), or ``None``.
            noise: the noise G turns into the fake batch.

        Returns:
            ``(g_loss, gradients of G's trainable weights)``.
        """
        import tensorflow as tf

        with tf.GradientTape() as tape:
            fake = self.generator(self._g_input(noise, labels), training=True)
            g_loss = self._g_loss(fake, labels, training=True)
        return g_loss, tape.gradient(g_loss, self.generator.trainable_weights)

    def discriminator_step(self, real, labels, noise):
        """One D update on a real batch and G(noise).

        Args:
            real: a batch of real images.
            labels: their labels (conditional), or ``None``.
            noise: the noise G turns into the fake batch.

        Returns:
            d_loss before the update.
        """
        d_loss, grads = self.discriminator_gradients(real, labels, noise)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
        return d_loss

    def generator_step(self, labels, noise):
        """One G update through D (D's weights untouched).

        Args:
            labels: the labels of the fake batch (conditional), or ``None``.
            noise: the noise G turns into the fake batch.

        Returns:
            g_loss before the update.
        """
        g_loss, grads = self.generator_gradients(labels, noise)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return g_loss

    def adversarial_step(self, real, labels, d_noise, g_noise):
        """``d_steps`` D updates then one G update.

        The noise is injected so the NumPy reference can replay the step; ``train_step`` draws it.

        Args:
            real: a batch of real images.
            labels: their labels (conditional), or ``None``.
            d_noise: one noise batch per D step (``d_noise[i]`` for step i).
            g_noise: the noise of the G step.

        Returns:
            ``{"d_loss": mean over the D steps, "g_loss": g_loss}``.
        """
        d_losses = [self.discriminator_step(real, labels, noise) for noise in d_noise]
        g_loss = self.generator_step(labels, g_noise)
        return {"d_loss": ops.mean(ops.stack(d_losses)), "g_loss": g_loss}

    def draw_noise(self, batch_size, dtype="float32"):
        """Noise z ~ N(0, I) from the GAN's seeded noise generator.

        Args:
            batch_size: the rows to draw.
            dtype: their dtype.

        Returns:
            A tensor of shape (batch_size, latent_dim).
        """
        return keras.random.normal(
            (batch_size, self.latent_dim), dtype=dtype, seed=self.seed_generator
        )

    def train_step(self, data):
        """One adversarial step on a batch, with noise drawn from the noise generator.

        Args:
            data: a batch of images, or of (images, labels).

        Returns:
            The running means ``{"d_loss": ..., "g_loss": ...}``.
        """
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        batch_size = ops.shape(real)[0]
        d_noise = [self.draw_noise(batch_size, real.dtype) for _ in range(self.d_steps)]
        logs = self.adversarial_step(real, labels, d_noise, self.draw_noise(batch_size, real.dtype))
        self.d_loss_tracker.update_state(logs["d_loss"])
        self.g_loss_tracker.update_state(logs["g_loss"])
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        """d_loss and g_loss on a batch with fresh noise, no update (what ``evaluate`` reports).

        Args:
            data: a batch of images, or of (images, labels).

        Returns:
            The running means ``{"d_loss": ..., "g_loss": ...}``.
        """
        real, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        noise = self.draw_noise(ops.shape(real)[0], real.dtype)
        fake = self.generator(self._g_input(noise, labels), training=False)
        self.d_loss_tracker.update_state(self._d_loss(real, fake, labels, training=False))
        self.g_loss_tracker.update_state(self._g_loss(fake, labels, training=False))
        return {m.name: m.result() for m in self.metrics}

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
        """``n`` images (numpy, the generator's range) from N(0, I) noise drawn with ``seed``.

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
        if self.num_classes is not None:
            if labels is None:
                raise InputError(f"a conditional GAN (num_classes={self.num_classes}) needs labels")
            labels = np.asarray(labels)
            if (
                labels.shape != (n,)
                or not np.issubdtype(labels.dtype, np.integer)
                or labels.min() < 0
                or labels.max() >= self.num_classes
            ):
                raise InputError(
                    f"labels must be {n} ints in [0, {self.num_classes}), got shape {labels.shape}"
                )
        elif labels is not None:
            raise InputError("labels given to an unconditional GAN (num_classes=None)")
        noise = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        inputs = self._g_input(noise, labels) if labels is not None else noise
        inputs = np.asarray(inputs)
        chunks = [
            np.asarray(self.generator(inputs[i : i + batch_size], training=False))
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


# -- builders -----------------------------------------------------------------------------------


def _check_pair_settings(latent_dim, num_classes, seed):
    """``(latent_dim, extra input features, seed)`` of a generator or discriminator builder,
    checked: ``latent_dim`` an int >= 1 (None: not asked), ``num_classes`` None or an int
    >= 2, ``seed`` None or an int in [0, 2**32 - 1]."""
    if latent_dim is not None:
        latent_dim = check_int(latent_dim, "latent_dim", min_value=1)
    extra = 0 if num_classes is None else check_int(num_classes, "num_classes", min_value=2)
    return latent_dim, extra, check_optional_seed(seed)


def _check_widths(widths, name):
    """``widths`` (a sequence of ints >= 1, possibly empty) as a list of Python ints."""
    if isinstance(widths, (list, tuple)) and len(widths) == 0:
        return []
    return check_counts(widths, name, "a list of positive ints")


def _dense(units, activation, seed, index, name):
    initializer = keras.initializers.GlorotUniform(seed=None if seed is None else seed + index)
    return keras.layers.Dense(units, activation, kernel_initializer=initializer, name=name)


def mlp_generator(
    latent_dim=100, num_classes=None, hidden=(256, 512), image_dim=784, output="tanh", seed=None
):
    """The 2014 kind: z (+ one-hot) -> Dense(h, leaky_relu)... -> Dense(image_dim, ``output``).

    Args:
        latent_dim: the noise's width, an int >= 1.
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        hidden: the hidden layers' widths, ints >= 1.
        image_dim: pixels per image, an int >= 1.
        output: the image activation, "tanh" or "sigmoid".
        seed: an int in [0, 2**32 - 1] seeding the initializers, or None.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.
    """
    latent_dim, extra, seed = _check_pair_settings(latent_dim, num_classes, seed)
    hidden = _check_widths(hidden, "hidden")
    image_dim = check_int(image_dim, "image_dim", min_value=1)
    if output not in ("tanh", "sigmoid"):
        raise InputError(f"output must be 'tanh' or 'sigmoid', got {output!r}")
    layers = [keras.Input((latent_dim + extra,))]
    for i, units in enumerate(hidden):
        layers.append(_dense(units, "leaky_relu", seed, i, f"g_dense{i + 1}"))
    layers.append(_dense(image_dim, output, seed, len(hidden), "g_image"))
    return keras.Sequential(layers, name="mlp_generator")


def mlp_discriminator(image_dim=784, num_classes=None, hidden=(512, 256), seed=None):
    """image (+ one-hot) -> Dense(h, leaky_relu)... -> Dense(1): one logit (real if > 0).

    Args:
        image_dim: pixels per image, an int >= 1.
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        hidden: the hidden layers' widths, ints >= 1.
        seed: an int in [0, 2**32 - 1] seeding the initializers, or None.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.
    """
    _, extra, seed = _check_pair_settings(None, num_classes, seed)
    image_dim = check_int(image_dim, "image_dim", min_value=1)
    hidden = _check_widths(hidden, "hidden")
    layers = [keras.Input((image_dim + extra,))]
    for i, units in enumerate(hidden):
        layers.append(_dense(units, "leaky_relu", seed, i, f"d_dense{i + 1}"))
    layers.append(_dense(1, None, seed, len(hidden), "d_logit"))
    return keras.Sequential(layers, name="mlp_discriminator")


def dcgan_generator(latent_dim=100, num_classes=None, filters=(128, 64), seed=None):
    """keras-io's DCGAN shape: Dense(7*7*f0, leaky) -> (7, 7, f0) -> Conv2DTranspose(f, 4,
    strides 2, leaky) per ``filters`` (7 -> 14 -> 28) -> Conv2D(1, 7, tanh): (28, 28, 1).

    Args:
        latent_dim: the noise's width, an int >= 1.
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        filters: the two upsampling convolutions' widths, ints >= 1.
        seed: an int in [0, 2**32 - 1] seeding the initializers, or None.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.
    """
    latent_dim, extra, seed = _check_pair_settings(latent_dim, num_classes, seed)
    filters = check_counts(filters, "filters", "two positive ints (7 -> 14 -> 28 pixels)")
    if len(filters) != 2:
        raise InputError(
            f"filters must be two positive ints (7 -> 14 -> 28 pixels), got {len(filters)}"
        )
    init = keras.initializers.GlorotUniform
    seeded = (lambda i: None) if seed is None else (lambda i: seed + i)
    layers = [
        keras.Input((latent_dim + extra,)),
        _dense(7 * 7 * filters[0], "leaky_relu", seed, 0, "g_dense"),
        keras.layers.Reshape((7, 7, filters[0])),
    ]
    for i, width in enumerate(filters):
        layers.append(
            keras.layers.Conv2DTranspose(
                width, 4, strides=2, padding="same", activation="leaky_relu",
                kernel_initializer=init(seeded(i + 1)), name=f"g_up{i + 1}",
            )
        )  # fmt: skip
    layers.append(
        keras.layers.Conv2D(
            1, 7, padding="same", activation="tanh",
            kernel_initializer=init(seeded(len(filters) + 1)), name="g_image",
        )
    )  # fmt: skip
    return keras.Sequential(layers, name="dcgan_generator")


def dcgan_discriminator(num_classes=None, filters=(64, 128), seed=None):
    """(28, 28, 1 + num_classes) -> Conv2D(f, 3, strides 2, leaky) per ``filters`` ->
    GlobalMaxPooling2D -> Dense(1): one logit.

    Args:
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        filters: the convolutions' widths, ints >= 1 (at least one).
        seed: an int in [0, 2**32 - 1] seeding the initializers, or None.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.
    """
    _, extra, seed = _check_pair_settings(None, num_classes, seed)
    filters = check_counts(filters, "filters")
    init = keras.initializers.GlorotUniform
    layers = [keras.Input((28, 28, 1 + extra))]
    for i, width in enumerate(filters):
        layers.append(
            keras.layers.Conv2D(
                width, 3, strides=2, padding="same", activation="leaky_relu",
                kernel_initializer=init(None if seed is None else seed + i), name=f"d_conv{i + 1}",
            )
        )  # fmt: skip
    layers.append(keras.layers.GlobalMaxPooling2D())
    layers.append(_dense(1, None, seed, len(filters), "d_logit"))
    return keras.Sequential(layers, name="dcgan_discriminator")


def build_gan(
    arch="mlp",
    *,
    latent_dim=100,
    num_classes=GAN_DEFAULTS.num_classes,
    learning_rate=2e-4,
    beta_1=0.5,
    label_smoothing=GAN_DEFAULTS.label_smoothing,
    d_steps=GAN_DEFAULTS.d_steps,
    generator_loss=GAN_DEFAULTS.generator_loss,
    seed=None,
):
    """A compiled ``GAN`` of the ``arch`` ("mlp": flat 784 images, "dcgan": (28, 28, 1)) pair,
    both optimizers Adam(``learning_rate``, ``beta_1``) as in DCGAN (Radford et al. 2016).

    Args:
        arch: "mlp" or "dcgan".
        latent_dim: the noise's width, an int >= 1.
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        learning_rate: both optimizers' learning rate, a number > 0.
        beta_1: Adam's first-moment decay, a number in [0, 1).
        label_smoothing: one-sided label smoothing, in [0, 1).
        d_steps: discriminator steps per generator step, an int >= 1.
        generator_loss: "non_saturating" or "minimax".
        seed: an int in [0, 2**32 - 1] seeding the initializers and the noise, or None.

    Returns:
        A compiled ``GAN``.

    Raises:
        InputError: for any argument out of range, before any layer is built.
    """
    check_choice(arch, "arch", ("mlp", "dcgan"))
    check_gan(latent_dim, num_classes, label_smoothing, d_steps, generator_loss)
    seed = check_optional_seed(seed)
    learning_rate = check_learning_rate(learning_rate)
    beta_1 = check_float(beta_1, "beta_1", 0.0, 1.0, include_max=False)
    if arch == "mlp":
        generator = mlp_generator(latent_dim, num_classes, seed=seed)
        discriminator = mlp_discriminator(num_classes=num_classes, seed=seed)
    elif arch == "dcgan":
        generator = dcgan_generator(latent_dim, num_classes, seed=seed)
        discriminator = dcgan_discriminator(num_classes, seed=seed)
    else:
        raise InputError(f"arch must be 'mlp' or 'dcgan', got {arch!r}")
    gan = GAN(
        generator,
        discriminator,
        latent_dim,
        num_classes,
        label_smoothing=label_smoothing,
        d_steps=d_steps,
        generator_loss=generator_loss,
        seed=seed,
        name=f"{arch}_gan",
    )
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
        g_optimizer=keras.optimizers.Adam(learning_rate, beta_1=beta_1),
    )
    return gan
