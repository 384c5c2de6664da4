"""The generator and discriminator networks of a GAN: the 2014 MLP pair (flat images) and
keras-io's DCGAN pair ((28, 28, 1) images), each an uncompiled ``keras.Sequential``.

A generator takes noise z (latent_dim wide, with a one-hot label of ``num_classes``
appended when conditional) to images; a discriminator takes images (with the label
appended: extra features or extra channels) to one logit. Layer i of a pair built with
``seed`` is initialized with ``seed + i`` (i counts the layers with weights).

``minibatch_std=True`` puts a ``MinibatchStdDev`` in a discriminator before its last
hidden layer (its logit, when it has none), as Karras et al. (2018) put it before their
discriminator's last block: the layers after it can weigh the batch's spread against
the image.
"""

import keras

from deepkit.models._checks import check_counts, check_optional_seed
from deepkit.models.gan.layers import MinibatchStdDev
from deepkit.validation import InputError, check_int


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


def _initializer(seed, index):
    """Glorot uniform seeded with ``seed + index`` (unseeded when ``seed`` is None)."""
    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + index)


def check_flag(value, name):
    """``value`` if it is True or False (``InputError`` otherwise)."""
    if not isinstance(value, bool):
        raise InputError(f"{name} must be True or False, got {value!r}")
    return value


def _with_minibatch_std(layers, minibatch_std):
    """``layers`` (a discriminator's weighted layers, the logit last) with a
    ``MinibatchStdDev`` before the last of them but the logit, when ``minibatch_std``."""
    if not minibatch_std:
        return layers
    at = max(len(layers) - 2, 0)
    return [*layers[:at], MinibatchStdDev(name="d_minibatch_std"), *layers[at:]]


def _dense(units, activation, seed, index, name):
    return keras.layers.Dense(
        units, activation, kernel_initializer=_initializer(seed, index), name=name
    )


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


def mlp_discriminator(
    image_dim=784, num_classes=None, hidden=(512, 256), seed=None, minibatch_std=False
):
    """image (+ one-hot) -> Dense(h, leaky_relu)... -> Dense(1): one logit (real if > 0).

    Args:
        image_dim: pixels per image, an int >= 1.
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        hidden: the hidden layers' widths, ints >= 1.
        seed: an int in [0, 2**32 - 1] seeding the initializers, or None.
        minibatch_std: a ``MinibatchStdDev`` before the last hidden layer.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.
    """
    _, extra, seed = _check_pair_settings(None, num_classes, seed)
    image_dim = check_int(image_dim, "image_dim", min_value=1)
    hidden = _check_widths(hidden, "hidden")
    minibatch_std = check_flag(minibatch_std, "minibatch_std")
    layers = [
        _dense(units, "leaky_relu", seed, i, f"d_dense{i + 1}") for i, units in enumerate(hidden)
    ]
    layers.append(_dense(1, None, seed, len(hidden), "d_logit"))
    layers = _with_minibatch_std(layers, minibatch_std)
    return keras.Sequential([keras.Input((image_dim + extra,)), *layers], name="mlp_discriminator")


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
    layers = [
        keras.Input((latent_dim + extra,)),
        _dense(7 * 7 * filters[0], "leaky_relu", seed, 0, "g_dense"),
        keras.layers.Reshape((7, 7, filters[0])),
    ]
    for i, width in enumerate(filters):
        layers.append(
            keras.layers.Conv2DTranspose(
                width, 4, strides=2, padding="same", activation="leaky_relu",
                kernel_initializer=_initializer(seed, i + 1), name=f"g_up{i + 1}",
            )
        )  # fmt: skip
    layers.append(
        keras.layers.Conv2D(
            1, 7, padding="same", activation="tanh",
            kernel_initializer=_initializer(seed, len(filters) + 1), name="g_image",
        )
    )  # fmt: skip
    return keras.Sequential(layers, name="dcgan_generator")


def dcgan_discriminator(num_classes=None, filters=(64, 128), seed=None, minibatch_std=False):
    """(28, 28, 1 + num_classes) -> Conv2D(f, 3, strides 2, leaky) per ``filters`` ->
    GlobalMaxPooling2D -> Dense(1): one logit.

    Args:
        num_classes: None, or the number of classes (an int >= 2) of a conditional GAN.
        filters: the convolutions' widths, ints >= 1 (at least one).
        seed: an int in [0, 2**32 - 1] seeding the initializers, or None.
        minibatch_std: a ``MinibatchStdDev`` (one more channel) before the last convolution.

    Returns:
        An uncompiled ``keras.Sequential``.

    Raises:
        InputError: for a bad argument, before any layer is built.
    """
    _, extra, seed = _check_pair_settings(None, num_classes, seed)
    filters = check_counts(filters, "filters")
    minibatch_std = check_flag(minibatch_std, "minibatch_std")
    convolutions = [
        keras.layers.Conv2D(
            width, 3, strides=2, padding="same", activation="leaky_relu",
            kernel_initializer=_initializer(seed, i), name=f"d_conv{i + 1}",
        )
        for i, width in enumerate(filters)
    ]  # fmt: skip
    logit = _dense(1, None, seed, len(filters), "d_logit")
    *convolutions, _ = _with_minibatch_std([*convolutions, logit], minibatch_std)
    return keras.Sequential(
        [keras.Input((28, 28, 1 + extra)), *convolutions, keras.layers.GlobalMaxPooling2D(), logit],
        name="dcgan_discriminator",
    )
