"""The ``keras.applications`` networks: their names, the least input each takes, and a
builder that checks both before TensorFlow loads.

Keras checks a network's input size only once TensorFlow and Keras are loaded, in
``obtain_input_shape`` (keras/src/applications/imagenet_utils.py): a square input
side below the network's ``min_size`` is refused with "Input size must be at least
75x75". ``APPLICATIONS`` copies those minimums, so ``check_application`` refuses an
unknown name or a too small input at once, importing nothing.
``tests/test_applications.py`` checks every entry against the installed Keras.

    check_application("InceptionV3", (32, 32, 3))   # InputError: at least 75x75
    base = application("MobileNetV2", (32, 32, 3), weights="base.weights.h5")
"""

from pathlib import Path

from deepkit.validation import InputError

_SMALLEST_32 = (
    *(f"ConvNeXt{size}" for size in ("Tiny", "Small", "Base", "Large", "XLarge")),
    "DenseNet121",
    "DenseNet169",
    "DenseNet201",
    *(f"EfficientNetB{index}" for index in range(8)),
    *(f"EfficientNetV2{size}" for size in ("B0", "B1", "B2", "B3", "S", "M", "L")),
    "MobileNet",
    "MobileNetV2",
    "MobileNetV3Small",
    "MobileNetV3Large",
    "NASNetMobile",
    "NASNetLarge",
    *(f"ResNet{depth}{version}" for depth in (50, 101, 152) for version in ("", "V2")),
    "VGG16",
    "VGG19",
)
# name -> the least side, in pixels, of the square input the network takes without its top
APPLICATIONS = dict(
    sorted(
        {
            **dict.fromkeys(_SMALLEST_32, 32),
            "InceptionResNetV2": 75,
            "InceptionV3": 75,
            "Xception": 71,
        }.items()
    )
)


def check_application(name, input_shape=None):
    """Raise unless ``name`` is a ``keras.applications`` network that takes ``input_shape``.

    Args:
        name: a network's name, e.g. ``"MobileNetV2"``.
        input_shape: ``(height, width, channels)``, or ``None`` to check the name only.

    Returns:
        The least side of the network's input, in pixels.

    Raises:
        InputError: an unknown name, or an input smaller than the network's least.

    Example:
        >>> check_application("Xception")
        71
    """
    if not isinstance(name, str) or name not in APPLICATIONS:
        raise InputError(
            f"keras.applications has no model named {name!r}; "
            f"the models are {', '.join(APPLICATIONS)}"
        )
    least = APPLICATIONS[name]
    if input_shape is not None:
        height, width = tuple(input_shape)[:2]
        if height < least or width < least:
            raise InputError(
                f"keras.applications.{name} takes inputs of at least {least}x{least}, "
                f"got {height}x{width}"
            )
    return least


def application(name, input_shape, weights=None):
    """A ``keras.applications`` network without its top.

    Args:
        name: one of ``APPLICATIONS``, e.g. ``"MobileNetV2"``.
        input_shape: ``(height, width, 3)``, each side at least the network's least.
        weights: ``None`` (random), a weights file on disk (``.weights.h5``), or
            ``"imagenet"`` (Keras downloads it unless it is already in Keras's cache).

    Returns:
        The ``keras.Model``.

    Raises:
        InputError: an unknown name or a too small input, before TensorFlow loads.
        FileNotFoundError: a weights file that does not exist.

    Example:
        >>> base = application("MobileNetV2", (32, 32, 3))
    """
    check_application(name, input_shape)
    if weights not in (None, "imagenet") and not Path(weights).is_file():
        raise FileNotFoundError(f"weights file not found: {weights}")
    import keras

    return getattr(keras.applications, name)(
        include_top=False,
        weights=None if weights is None else str(weights),
        input_shape=tuple(input_shape),
    )
