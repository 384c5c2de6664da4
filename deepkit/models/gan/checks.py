"""The GAN's refusals before any work: a generator and a discriminator that do not fit
together, and images or labels that do not fit them.

A generator maps (batch, latent_dim + num_classes) to images; the discriminator takes
those images with ``num_classes`` extra features (flat images) or channels ((h, w, c)
images) and returns one logit (linear) or one probability (sigmoid) per image.
"""

import numpy as np

from deepkit.validation import InputError

IMAGE_RANGES = {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}  # a generator's output range


def final_activation(model):
    """The name of the activation of ``model``'s last layer ("linear" when it has none)."""
    activation = getattr(model.layers[-1], "activation", None)
    return getattr(activation, "__name__", "linear")


def check_pair(generator, discriminator, latent_dim, num_classes):
    """Refuse a generator and discriminator whose shapes do not fit together.

    Args:
        generator: a Keras model from noise (with the one-hot label appended) to images.
        discriminator: a Keras model from images (with the label appended) to one score.
        latent_dim: the size of the noise z.
        num_classes: the classes of a conditional GAN, or ``None``.

    Raises:
        InputError: naming the shape or activation that does not fit.
    """
    extra = num_classes or 0
    g_in = tuple(generator.input_shape)
    if len(g_in) != 2 or g_in[1] != latent_dim + extra:
        raise InputError(
            f"generator input shape {g_in} does not match latent_dim={latent_dim}"
            f" + num_classes={extra}: expected (None, {latent_dim + extra})"
        )
    image_shape = tuple(generator.output_shape[1:])
    expected = image_shape[:-1] + (image_shape[-1] + extra,)
    d_in = tuple(discriminator.input_shape[1:])
    if d_in != expected:
        raise InputError(
            f"discriminator input shape {d_in} does not match the generator's images"
            f" {image_shape} with num_classes={extra} appended: expected {expected}"
        )
    d_out = tuple(discriminator.output_shape)
    d_activation = final_activation(discriminator)
    if d_out[1:] != (1,) or d_activation not in ("sigmoid", "linear"):
        raise InputError(
            "the discriminator must output one probability (sigmoid) or one logit (linear)"
            f" per image; got output shape {d_out} with activation {d_activation!r}"
        )


def check_images(images, image_shape, activation):
    """``images`` as an array of ``image_shape`` images, finite, inside the range of the
    generator's last ``activation`` (tanh: [-1, 1], sigmoid: [0, 1], else any).

    Raises:
        InputError: naming the problem (dtype, emptiness, shape, non-finite values, range).
    """
    images = np.asarray(images)
    if images.dtype.kind not in "biuf":
        raise InputError(f"images must hold numbers, got dtype {images.dtype}")
    if images.ndim == 0 or len(images) == 0:
        raise InputError(f"no images to train on (shape {images.shape})")
    if images.shape[1:] != image_shape:
        raise InputError(
            f"images must have shape (n, {', '.join(map(str, image_shape))}) like the"
            f" generator's output, got {images.shape}"
        )
    if not np.all(np.isfinite(images)):
        raise InputError("images contain NaN or inf")
    if activation in IMAGE_RANGES:
        low, high = IMAGE_RANGES[activation]
        if images.min() < low or images.max() > high:
            raise InputError(
                f"images must lie in the generator's output range [{low}, {high}]"
                f" ({activation}); got values in [{images.min()}, {images.max()}]"
            )
    return images


def check_labels(labels, n, num_classes):
    """``n`` integer labels in [0, ``num_classes``) as an array; ``None`` for an unconditional GAN.

    Raises:
        InputError: labels given to an unconditional GAN, missing for a conditional one,
            or not ``n`` ints in range.
    """
    if num_classes is None:
        if labels is not None:
            raise InputError("labels given to an unconditional GAN (num_classes=None)")
        return None
    if labels is None:
        raise InputError(f"a conditional GAN (num_classes={num_classes}) needs labels")
    labels = np.asarray(labels)
    if (
        labels.shape != (n,)
        or not np.issubdtype(labels.dtype, np.integer)
        or labels.min() < 0
        or labels.max() >= num_classes
    ):
        numeric = labels.size and labels.dtype.kind in "biuf"
        values = f", values in [{labels.min()}, {labels.max()}]" if numeric else ""
        raise InputError(
            f"labels must be {n} ints in [0, {num_classes}), got shape {labels.shape},"
            f" dtype {labels.dtype}{values}"
        )
    return labels
