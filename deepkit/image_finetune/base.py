"""The pretrained network a fine-tune starts from, built or loaded, with its refusals.

A ``keras.applications`` network is built without its top at the settings' input size,
its weights ``imagenet`` (from Keras's cache, downloaded if absent and online), a weights
file, or none; a ``.keras`` file is loaded in Keras's safe mode and takes its own input
size and channels. What cannot work is refused in one line: ``imagenet`` weights neither
cached nor downloadable (naming the file Keras looks for and where), a weights file of
another architecture, a ``.keras`` base that does not take pictures.
"""

import os
import warnings

from deepkit.image_finetune.settings import DEFAULT_SIZE
from deepkit.validation import InputError


def keras_cache():
    """The folder where Keras keeps (and looks for) downloaded weights: ``~/.keras/models``
    (``$KERAS_HOME/models`` if set)."""
    try:
        from keras.src.backend.config import keras_home

        home = keras_home()
    except ImportError:
        home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.join(home, "models")


def build_base(settings):
    """The base network of ``settings``, and the input its pictures take.

    Args:
        settings: a ``Settings`` with its ``base`` given.

    Returns:
        ``(base, (height, width), channels)``: a ``keras.applications`` network without
        its top, or the ``.keras`` file's model (loaded in safe mode).

    Raises:
        InputError: ``imagenet`` weights neither cached nor downloadable (naming where
            Keras looks), a weights file that does not fit the architecture, or a
            ``.keras`` base whose input does not fit ``image_size`` or pictures.
    """
    from deepkit import applications, finetune

    s = settings
    if s.application is None:
        base = finetune.load_base(s.base, safe_mode=True)
        shape = tuple(base.input_shape[1:])
        if len(shape) != 3 or shape[-1] not in (1, 3, 4):
            raise InputError(f"base {s.base} takes inputs of shape {shape}, not pictures")
        height, width, channels = shape
        if height is None or width is None:
            if s.image_size is None:
                raise InputError(f"base {s.base} takes pictures of any size: give image_size")
            height = width = s.image_size
        elif s.image_size is not None and (height, width) != (s.image_size,) * 2:
            raise InputError(
                f"base {s.base} takes {height}x{width} pictures; image_size={s.image_size} "
                "differs (leave it out)"
            )
        return base, (height, width), channels
    size = s.image_size or DEFAULT_SIZE
    weights = {None: "imagenet", "none": None}.get(s.weights, s.weights)
    try:
        with warnings.catch_warnings():
            # a file of another network: Keras warns once per layer it skips, then raises
            warnings.filterwarnings("ignore", message="Skipping nested container")
            base = applications.application(s.application, (size, size, 3), weights=weights)
    except (ValueError, KeyError, OSError) as error:
        if weights in (None, "imagenet"):
            raise
        detail = " ".join(str(error).split())[:200]
        raise InputError(
            f"weights {s.weights} do not fit keras.applications.{s.application} at "
            f"{size}x{size}x3 without its top ({detail})"
        ) from None
    except Exception as error:  # Keras's get_file raises a bare Exception when offline
        if weights != "imagenet" or "URL fetch failure" not in str(error):
            raise
        url = str(error).split("URL fetch failure on ", 1)[1].split(": ", 1)[0]
        name = url.rsplit("/", 1)[-1]
        raise InputError(
            f"keras.applications.{s.application}: the imagenet weights are not in Keras's "
            f"cache ({keras_cache()}/{name}) and cannot be downloaded (offline?): put that "
            "file there, or give --weights FILE (a weights file of this architecture), "
            "or --weights none"
        ) from None
    return base, (size, size), 3
