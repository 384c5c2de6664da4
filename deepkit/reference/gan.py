"""The adversarial step of a GAN (Goodfellow et al. 2014) on reference models (mirrors
``deepkit.models.gan.GAN``, a Keras model with its own ``train_step``).

Generator G and discriminator D are reference ``Sequential`` models; D ends in one
logit (linear) or one probability (sigmoid), scored by binary cross-entropy.
One ``train_step`` on a real batch x (labels c when conditional) is

    D step (d_steps times, fresh z each):
        d_loss = BCE(1 - s, D([x, c])) + BCE(0, D([G([z, c]), c]))
        D's gradient = sum of the two backward passes; one d_optimizer update
    G step through D, whose weights stay as they are:
        g_loss = BCE(1, D([G([z, c]), c]))    (non-saturating)  or  -BCE(0, ...)  (minimax)
        dLoss/dG(z) = D's input gradient, image part; backprop it through G; one
        g_optimizer update
    then, with ema_decay d, the moving average that ``generate`` samples with:
        w_ema <- d w_ema + (1 - d) w    for each of G's weights w (w_ema = w at the start)

where [a, c] appends the one-hot label c: as extra features to flat images, as
extra constant channels to (h, w, ch) images, and s is one-sided label smoothing.
``adversarial_step`` takes the noise z as arguments, so a parity test can give
the Keras GAN and the NumPy reference the same numbers; ``train_step`` draws it from
``self.rng``.
"""

import numpy as np

from deepkit.hyperparameters import GAN_DEFAULTS, check_gan
from deepkit.reference import constraints, losses, optimizers
from deepkit.reference.trainer import Trainer, check_finite
from deepkit.validation import InputError

OUTPUT_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}


class GAN(Trainer):
    """``GAN(generator, discriminator, latent_dim, num_classes=None, ...)``; ``compile(d_optimizer,
    g_optimizer, loss=None)``; ``fit(images)`` or ``fit(images, labels)``; ``generate(n)``."""

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
    ):
        self.generator, self.discriminator = generator, discriminator
        self.latent_dim, self.num_classes = latent_dim, num_classes
        self.label_smoothing, self.d_steps = label_smoothing, d_steps
        self.generator_loss, self.ema_decay = generator_loss, ema_decay
        self.dtype = generator.dtype
        self.rng = np.random.default_rng(seed)
        self._check_models()
        self.ema_weights = None if ema_decay is None else generator.get_weights()

    def _check_models(self):
        check_gan(
            self.latent_dim,
            self.num_classes,
            self.label_smoothing,
            self.d_steps,
            self.generator_loss,
            self.ema_decay,
        )
        if self.discriminator.dtype != self.dtype:
            raise InputError(
                f"generator dtype {self.dtype} differs from discriminator's"
                f" {self.discriminator.dtype}"
            )
        extra = self.num_classes or 0
        g_in = tuple(self.generator.input_shape)
        if len(g_in) != 2 or g_in[1] != self.latent_dim + extra:
            raise InputError(
                f"generator input shape {g_in} does not match latent_dim={self.latent_dim}"
                f" + num_classes={extra}: expected (None, {self.latent_dim + extra})"
            )
        expected = self.image_shape[:-1] + (self.image_shape[-1] + extra,)
        d_in = tuple(self.discriminator.input_shape[1:])
        if d_in != expected:
            raise InputError(
                f"discriminator input shape {d_in} does not match the generator's images"
                f" {self.image_shape} with num_classes={extra} appended: expected {expected}"
            )
        d_out, d_activation = self.discriminator.output_shape, self.discriminator.activation.name
        if tuple(d_out[1:]) != (1,) or d_activation not in ("sigmoid", "linear"):
            raise InputError(
                "the discriminator must output one probability (sigmoid) or one logit (linear)"
                f" per image; got output shape {d_out} with activation {d_activation!r}"
            )

    @property
    def image_shape(self):
        return tuple(self.generator.output_shape[1:])

    # -- what the trainer needs ---------------------------------------------------------------

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss=None):
        """``loss`` defaults to BinaryCrossentropy, from logits when D ends in a linear unit."""
        self.d_optimizer = optimizers.get(d_optimizer)
        self.g_optimizer = optimizers.get(g_optimizer)
        if self.d_optimizer is self.g_optimizer:
            raise InputError("d_optimizer and g_optimizer must be two optimizer objects")
        from_logits = self.discriminator.activation.name == "linear"
        loss = losses.get(loss or losses.BinaryCrossentropy(from_logits=from_logits))
        if not isinstance(loss, losses.BinaryCrossentropy) or loss.from_logits != from_logits:
            raise InputError(
                f"loss must be BinaryCrossentropy(from_logits={from_logits}) for a discriminator"
                f" ending in {self.discriminator.activation.name!r}, got {loss!r}"
            )
        self.discriminator.compile(self.d_optimizer, loss)
        self.optimizer, self.loss, self.metrics, self._metric_fns = self.g_optimizer, loss, [], []

    def _check_x(self, x, what="x"):
        """Images of the generator's shape and inside its output range."""
        x = np.asarray(x, dtype=self.dtype)
        if x.shape[1:] != self.image_shape:
            raise InputError(f"{what} must have shape (n, *{self.image_shape}), got {x.shape}")
        check_finite(x, what)
        low, high = OUTPUT_RANGES.get(self.generator.activation.name, (-np.inf, np.inf))
        if x.min() < low or x.max() > high:
            raise InputError(
                f"{what} must lie in the generator's output range [{low}, {high}]"
                f" ({self.generator.activation.name}), got [{x.min()}, {x.max()}]"
            )
        return x

    def _prepare_y(self, y, n, what="y"):
        """Labels in [0, num_classes) for a conditional GAN, None otherwise."""
        if self.num_classes is None:
            if y is not None:
                raise InputError(f"{what}: labels given to an unconditional GAN")
            return None
        if y is None:
            raise InputError(f"a conditional GAN (num_classes={self.num_classes}) needs labels")
        y = np.asarray(y)
        if (
            y.shape != (n,)
            or y.dtype.kind not in "iu"
            or y.min() < 0
            or y.max() >= self.num_classes
        ):
            raise InputError(
                f"{what} must be {n} ints in [0, {self.num_classes}), got shape {y.shape},"
                f" dtype {y.dtype}, range [{y.min()}, {y.max()}]"
            )
        return y

    def _optimizer_targets(self):
        """None for the trainer's own update and end of ``fit``: each step updates D and G
        with their own optimizers, and, as the Keras GAN's ``fit`` (whose ``model.optimizer``
        is None), ``fit`` swaps no optimizer's moving average into the weights."""
        return [], [], []

    def __call__(self, x, training=False):
        return self.generator(x, training)

    def _forward(self, x, training=False):
        return self.generator._forward(x, training)

    # -- the adversarial step -----------------------------------------------------------------

    def _one_hot(self, labels):
        return np.eye(self.num_classes, dtype=self.dtype)[labels]

    def _g_input(self, noise, labels):
        noise = np.asarray(noise, self.dtype)
        return (
            noise if self.num_classes is None else np.concatenate([noise, self._one_hot(labels)], 1)
        )

    def _d_input(self, images, labels):
        if self.num_classes is None:
            return images
        one_hot = self._one_hot(labels).reshape((len(labels),) + (1,) * (images.ndim - 2) + (-1,))
        one_hot = np.broadcast_to(one_hot, images.shape[:-1] + (self.num_classes,))
        return np.concatenate([images, one_hot], axis=-1)

    def _targets(self, n, value):
        return np.full((n, 1), value, dtype=self.dtype)

    def discriminator_gradients(self, real, labels, noise):
        """(d_loss, gradients of D's trainable weights) on ``real`` and G(``noise``); no update."""
        fake = self.generator(self._g_input(noise, labels), training=True)
        d = self.discriminator
        loss_real, grads_real = d.compute_gradients(
            self._d_input(real, labels), self._targets(len(real), 1.0 - self.label_smoothing)
        )
        loss_fake, grads_fake = d.compute_gradients(
            self._d_input(fake, labels), self._targets(len(fake), 0.0)
        )
        return loss_real + loss_fake, [a + b for a, b in zip(grads_real, grads_fake)]

    def generator_gradients(self, labels, noise):
        """(g_loss, gradients of G's trainable weights): D's input gradient, image part,
        backpropagated through G; D's weights are not updated."""
        fake = self.generator(self._g_input(noise, labels), training=True)
        non_saturating = self.generator_loss == "non_saturating"
        loss, _, d_input_grad = self.discriminator.compute_gradients(
            self._d_input(fake, labels),
            self._targets(len(fake), 1.0 if non_saturating else 0.0),
            return_input_gradients=True,
        )
        sign = 1.0 if non_saturating else -1.0
        image_grad = d_input_grad[..., : self.image_shape[-1]] * np.dtype(self.dtype).type(sign)
        self.generator._backward(image_grad)
        return sign * loss, [g.copy() for g in self.generator.trainable_gradients]

    def discriminator_step(self, real, labels, noise):
        """One D update on ``real`` and G(``noise``); returns d_loss."""
        loss, grads = self.discriminator_gradients(real, labels, noise)
        self.d_optimizer.apply(grads, self.discriminator.trainable_weights)
        constraints.constrain(self.discriminator)
        return loss

    def generator_step(self, labels, noise):
        """One G update through D; returns g_loss."""
        loss, grads = self.generator_gradients(labels, noise)
        self.g_optimizer.apply(grads, self.generator.trainable_weights)
        constraints.constrain(self.generator)
        return loss

    def update_generator_ema(self):
        """w_ema <- d w_ema + (1 - d) w for each of G's weights (nothing without ``ema_decay``)."""
        if self.ema_weights is None:
            return
        decay, rest = np.array([self.ema_decay, 1.0 - self.ema_decay], dtype=self.dtype)
        for average, weight in zip(self.ema_weights, self.generator.weights):
            average[...] = decay * average + rest * weight

    def adversarial_step(self, real, labels, d_noise, g_noise):
        """``d_steps`` D updates (``d_noise[i]`` at step i), one G update (``g_noise``), then
        the moving average of G's weights."""
        if len(d_noise) != self.d_steps:
            raise InputError(f"d_noise must hold d_steps={self.d_steps} arrays, got {len(d_noise)}")
        d_losses = [self.discriminator_step(real, labels, noise) for noise in d_noise]
        g_loss = self.generator_step(labels, g_noise)
        self.update_generator_ema()
        return {"d_loss": float(np.mean(d_losses)), "g_loss": float(g_loss)}

    def train_step(self, x, y=None):
        draw = lambda: self.rng.standard_normal((len(x), self.latent_dim)).astype(self.dtype)  # noqa: E731
        return self.adversarial_step(x, y, [draw() for _ in range(self.d_steps)], draw())

    def test_step(self, x, y=None):
        """d_loss and g_loss on a batch, without any update."""
        noise = self.rng.standard_normal((len(x), self.latent_dim)).astype(self.dtype)
        d_fake = self.discriminator(self._d_input(self.generator(self._g_input(noise, y)), y))
        d_real = self.discriminator(self._d_input(x, y))
        bce = self.loss
        d_loss = bce(self._targets(len(x), 1.0 - self.label_smoothing), d_real)
        d_loss += bce(self._targets(len(x), 0.0), d_fake)
        if self.generator_loss == "non_saturating":
            g_loss = bce(self._targets(len(x), 1.0), d_fake)
        else:
            g_loss = -bce(self._targets(len(x), 0.0), d_fake)
        return {"d_loss": float(d_loss), "g_loss": float(g_loss)}

    def generate(self, n, labels=None, seed=None):
        """``n`` images from N(0, I) noise drawn with ``seed`` (as the Keras GAN: float32 draws),
        with the moving average of G's weights when ``ema_decay`` is set (G's own weights
        are put back after)."""
        if not isinstance(n, int) or n < 1:
            raise InputError(f"n must be a positive int, got {n!r}")
        labels = self._prepare_y(labels, n, "labels")
        noise = np.random.default_rng(seed).standard_normal((n, self.latent_dim)).astype("float32")
        own = self.generator.get_weights()
        if self.ema_weights is not None:
            self.generator.set_weights(self.ema_weights)
        try:
            return self.generator.predict(self._g_input(noise, labels), batch_size=1000)
        finally:
            self.generator.set_weights(own)
