"""Pictures streamed from their files in batches, each network's preprocessing applied.

A picture is read as ``keras.utils.image_dataset_from_directory`` reads it
(``tf.io.read_file``, ``tf.image.decode_image`` to the model's channels, a bilinear
resize to its input size, as float32 pixels in 0-255), then preprocessed the way its
network was trained (``keras.applications.<family>.preprocess_input``, applied in the
``tf.data`` pipeline, so the saved model holds no ``Lambda`` layer), batched and
prefetched. Only the batches under way are in memory.

The training stream orders its pictures as ``deepkit.training.fit`` orders rows: epoch
``e`` reads them in the permutation ``deepkit.distribute.epoch_rows(seed, e)``, a
function of (seed, e) alone, so a fine-tune killed and resumed at epoch ``e`` sees the
batches an uninterrupted one sees. (Keras's own shuffle buffer draws a new order at
every pass over the data, which a new process would start again from the first.)

Augmentation is Keras's random preprocessing layers inside the model (flip, rotation,
zoom, active in training only): their random state is part of the model, which a
checkpoint saves with the weights.
"""

from deepkit.validation import InputError

# keras.applications name -> the module of keras.applications holding its preprocess_input
FAMILIES = {
    **{f"ConvNeXt{s}": "convnext" for s in ("Tiny", "Small", "Base", "Large", "XLarge")},
    **{f"DenseNet{depth}": "densenet" for depth in (121, 169, 201)},
    **{f"EfficientNetB{index}": "efficientnet" for index in range(8)},
    **{f"EfficientNetV2{s}": "efficientnet_v2" for s in ("B0", "B1", "B2", "B3", "S", "M", "L")},
    "InceptionResNetV2": "inception_resnet_v2",
    "InceptionV3": "inception_v3",
    "MobileNet": "mobilenet",
    "MobileNetV2": "mobilenet_v2",
    "MobileNetV3Large": "mobilenet_v3",
    "MobileNetV3Small": "mobilenet_v3",
    "NASNetLarge": "nasnet",
    "NASNetMobile": "nasnet",
    **{f"ResNet{depth}": "resnet" for depth in (50, 101, 152)},
    **{f"ResNet{depth}V2": "resnet_v2" for depth in (50, 101, 152)},
    "VGG16": "vgg16",
    "VGG19": "vgg19",
    "Xception": "xception",
}
# "none": the pixels as read (0-255); "rescale": divided by 255 (Keras's Rescaling(1/255))
PREPROCESSING = ("none", "rescale", *sorted(set(FAMILIES.values())))
COLOR_MODES = {1: "grayscale", 3: "rgb", 4: "rgba"}  # channels -> Keras's color_mode


def family_of(application):
    """The preprocessing family of a ``keras.applications`` network.

    Args:
        application: its name, e.g. ``"MobileNetV2"``.

    Returns:
        The module of ``keras.applications`` whose ``preprocess_input`` it takes,
        e.g. ``"mobilenet_v2"``.

    Example:
        >>> family_of("ResNet50")
        'resnet'
    """
    return FAMILIES[application]


def preprocess(preprocessing):
    """The function a batch of pixels (float32, 0-255) goes through before the model.

    Args:
        preprocessing: one of ``PREPROCESSING``.

    Returns:
        A function of a float32 tensor, for ``tf.data.Dataset.map``.

    Raises:
        InputError: an unknown name.
    """
    if preprocessing not in PREPROCESSING:
        raise InputError(
            f"preprocessing must be one of {', '.join(PREPROCESSING)}, got {preprocessing!r}"
        )
    if preprocessing == "none":
        return lambda images: images
    if preprocessing == "rescale":
        return lambda images: images / 255.0
    import keras

    return getattr(keras.applications, preprocessing).preprocess_input


def decode(path, image_size, channels):
    """One picture from its file, as ``keras.utils.image_dataset_from_directory`` reads it.

    Args:
        path: a string tensor.
        image_size: ``(height, width)`` to resize to (bilinear).
        channels: 1, 3 or 4 (grey pictures are copied to three channels for 3).

    Returns:
        A float32 tensor ``(height, width, channels)`` of pixels in 0-255.
    """
    import tensorflow as tf

    image = tf.image.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
    image = tf.image.resize(image, image_size, method="bilinear")
    image.set_shape((*image_size, channels))
    return image


def stream(paths, labels=None, *, image_size, channels, preprocessing, batch_size, order=None):
    """A ``tf.data`` pipeline of preprocessed batches read from ``paths``.

    Args:
        paths: the pictures' files.
        labels: their integer labels, or ``None`` for pictures alone.
        image_size: ``(height, width)`` of the model's input.
        channels: the model's input channels.
        preprocessing: one of ``PREPROCESSING``.
        batch_size: pictures per batch (the last batch may be smaller).
        order: ``deepkit.distribute.epoch_order(seed)`` to read epoch ``e`` in the
            order ``epoch_rows(seed, e)``; ``None``: in the order given.

    Returns:
        A ``tf.data.Dataset`` of ``images`` or ``(images, labels)`` batches, prefetched.
    """
    import tensorflow as tf

    from deepkit.distribute import epoch_rows

    n = len(paths)
    files = tf.constant([str(path) for path in paths])
    targets = None if labels is None else tf.constant(labels, dtype=tf.int64)
    rows = tf.data.Dataset.range(n)
    if order is not None:
        rows = rows.map(lambda row: epoch_rows(row, order.seed, order.epoch, n))
    prepare = preprocess(preprocessing)
    size = tuple(image_size)

    def read(row):
        image = decode(files[row], size, channels)
        return image if targets is None else (image, targets[row])

    def finish(*batch):
        return prepare(batch[0]) if len(batch) == 1 else (prepare(batch[0]), batch[1])

    batches = rows.map(read, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    batches = batches.batch(batch_size).map(finish, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.prefetch(tf.data.AUTOTUNE)


def augmentation(seed, *, flip=True, rotation=0.1, zoom=0.1):
    """Keras's random preprocessing layers of the transfer-learning guide, seeded.

    Args:
        seed: seeds each layer.
        flip: a horizontal flip half the time.
        rotation: the largest rotation, as a fraction of a full turn (0: none).
        zoom: the largest zoom in or out, as a fraction of the side (0: none).

    Returns:
        A list of layers, for ``deepkit.finetune.new_model(augmentation=...)``.
    """
    import keras

    layers = []
    if flip:
        layers.append(keras.layers.RandomFlip("horizontal", seed=seed, name="augment_flip"))
    if rotation:
        layers.append(keras.layers.RandomRotation(rotation, seed=seed, name="augment_rotation"))
    if zoom:
        layers.append(keras.layers.RandomZoom(zoom, seed=seed, name="augment_zoom"))
    return layers
