"""The adversarial step of ``GAN`` (Goodfellow et al. 2014): the conditional inputs, the two
losses, their gradients and updates, ``train_step`` and ``test_step``.

    D step (``d_steps`` times):  d_loss = BCE(1 - s, D(x)) + BCE(0, D(G(z)))
    G step, D frozen:            g_loss = BCE(1, D(G(z)))          (non-saturating)
                            or   g_loss = -BCE(0, D(G(z)))         ("minimax", 2014's log(1 - D))

    then, with ``ema_decay`` d:  w_ema <- d w_ema + (1 - d) w   for each of G's weights w

where ``s`` is the one-sided label smoothing and z ~ N(0, I) the noise. The conditional
GAN appends one-hot labels to the noise and to D's input: as extra features to flat
images, as extra constant channels to (h, w, c) images; the fake images of a batch get
the real images' labels.
"""

import keras
from keras import ops


def _one_hot(labels, num_classes, dtype):
    return ops.one_hot(ops.cast(labels, "int32"), num_classes, dtype=dtype)


class AdversarialTraining:
    """The adversarial step of ``GAN``, a part of it as Keras's ``Trainer`` is a part of
    ``keras.Model``.

    It reads the GAN's ``generator``, ``discriminator``, ``latent_dim``, ``num_classes``,
    ``image_shape``, ``label_smoothing``, ``d_steps``, ``generator_loss``, ``ema_decay``,
    ``generator_ema``, ``seed_generator``, ``loss_fn``, ``d_optimizer``, ``g_optimizer`` and its two loss
    trackers.
    """

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

    def update_generator_ema(self):
        """w_ema <- d w_ema + (1 - d) w for each of G's weights (nothing without ``ema_decay``)."""
        if self.generator_ema is None:
            return
        for average, weight in zip(self.generator_ema.weights, self.generator.weights):
            decay = ops.convert_to_tensor(self.ema_decay, average.dtype)
            rest = ops.convert_to_tensor(1.0 - self.ema_decay, average.dtype)
            average.assign(decay * average + rest * weight)

    def adversarial_step(self, real, labels, d_noise, g_noise):
        """``d_steps`` D updates, one G update, then the moving average of G's weights.

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
        self.update_generator_ema()
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
