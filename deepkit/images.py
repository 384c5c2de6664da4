"""A folder of pictures, one sub-folder per class, checked before any work.

The layout is that of ``keras.utils.image_dataset_from_directory``::

    pictures/
        cats/   001.jpg 002.png ...
        dogs/   a.jpg b/c.jpg ...        (sub-folders of a class belong to it)

and the listing is Keras's too: the classes are the sub-folders in sorted order,
label ``i`` for the ``i``-th; each class's pictures are found by walking its folder
(sorted), keeping the names ending in ``IMAGE_EXTENSIONS``. ``scan`` then opens every
file's header (PIL, no decoding of the pixels) so that what would fail in the middle
of training fails now, in one line (``InputError``):

- a folder that is missing, empty, or holds no class folders;
- a single class (a classifier needs two);
- a class folder holding no files;
- files that are not pictures (another extension, or a picture that cannot be
  read), named and counted;
- pictures smaller than the least input of the network (``min_side``), named with
  the least.

Bad files and too small pictures are left out only when asked (``skip_bad=True``,
``--skip-bad-images``); a class left without pictures is then refused. Hidden files
(``.DS_Store``) and files at the top of the folder are not pictures of any class and
are ignored, as Keras ignores them.

``split`` carves a validation set by seed (stratified, ``deepkit.training.carve_validation``);
``list_pictures`` lists the files and folders given to ``deepkit predict images``.
Nothing here imports TensorFlow.
"""

import dataclasses
import hashlib
import os
from pathlib import Path

import numpy as np

from deepkit.validation import InputError

# The extensions keras.utils.image_dataset_from_directory keeps (its ALLOWLIST_FORMATS).
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# The formats TensorFlow's decode_image reads, as PIL names them.
DECODABLE = ("BMP", "GIF", "JPEG", "PNG")
NAMED = 5  # the bad files a message names; the others are counted


@dataclasses.dataclass(frozen=True)
class ImageFolder:
    """The pictures of a checked folder.

    Attributes:
        directory: the folder.
        class_names: the class folders' names, in label order.
        paths: each picture's path (a tuple of str), class by class.
        labels: each picture's label, an int in ``range(len(class_names))``.
        skipped: ``(path, reason)`` of each file left out (``skip_bad=True``).
    """

    directory: str
    class_names: tuple
    paths: tuple
    labels: tuple
    skipped: tuple = ()

    def counts(self):
        """``{class name: pictures}``."""
        found = np.bincount(np.asarray(self.labels, dtype=int), minlength=len(self.class_names))
        return dict(zip(self.class_names, found.tolist()))

    def digest(self):
        """A SHA-256 of the listing (names, labels, sizes): a checkpoint's record of the data."""
        digest = hashlib.sha256()
        for path, label in zip(self.paths, self.labels):
            relative = os.path.relpath(path, self.directory)
            digest.update(f"{relative}\0{label}\0{os.path.getsize(path)}\n".encode())
        return digest.hexdigest()


def _walk(folder):
    """The files under ``folder``, as Keras lists them: folders sorted, files sorted."""
    for root, dirs, files in sorted(os.walk(folder), key=lambda entry: entry[0]):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in sorted(files):
            if not name.startswith("."):
                yield os.path.join(root, name)


def check_picture(path):
    """A file's picture size, or why it is not a picture Keras's loader reads.

    Only the file's header and structure are read (PIL's ``open`` and ``verify``,
    which checks a PNG's checksums), not its pixels.

    Args:
        path: a file.

    Returns:
        ``((width, height), None)`` for a readable picture, else ``(None, reason)``
        (``"not a picture (.txt)"``, ``"unreadable: ..."``).
    """
    from PIL import Image, UnidentifiedImageError

    extension = Path(path).suffix.lower()
    if extension not in IMAGE_EXTENSIONS:
        return None, f"not a picture ({extension or 'no extension'})"
    try:
        with Image.open(path) as image:
            size, kind = image.size, image.format
            image.verify()
    except UnidentifiedImageError:
        return None, "unreadable: not an image PIL can identify"
    except (OSError, SyntaxError, ValueError) as error:
        return None, f"unreadable: {' '.join(str(error).split()) or type(error).__name__}"
    if kind not in DECODABLE:
        return None, f"unreadable: a {kind} file, which Keras's loader does not decode"
    return size, None


def _listed(found, directory=None):
    """``found`` ``(path, reason)`` pairs as one phrase: the first few named (relative to
    ``directory`` if given), all counted."""
    names = [
        f"{os.path.relpath(path, directory) if directory else path} ({reason})"
        for path, reason in found[:NAMED]
    ]
    more = f" and {len(found) - NAMED} more" if len(found) > NAMED else ""
    return ", ".join(names) + more


def scan(directory, *, min_side=None, skip_bad=False, least_name=None):
    """List and check the pictures of ``directory`` (one sub-folder per class).

    Args:
        directory: the folder (str or ``Path``).
        min_side: refuse pictures narrower or lower than this (the least input of the
            network); ``None``: any size.
        skip_bad: leave out files that are not readable pictures, and too small ones,
            instead of refusing the folder.
        least_name: what ``min_side`` is the least of, for the message (e.g.
            ``"keras.applications.MobileNetV2's least input"``).

    Returns:
        An ``ImageFolder``.

    Raises:
        InputError: one line naming the problem (see the module's docstring).

    Example:
        >>> folder = scan("pictures", min_side=32)
        >>> folder.class_names
        ('cats', 'dogs')
    """
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise InputError(
            f"images folder {directory}: {'not a folder' if root.exists() else 'no such folder'}"
        )
    entries = [e for e in sorted(os.listdir(root)) if not e.startswith(".")]
    class_names = tuple(e for e in entries if (root / e).is_dir())
    if not class_names:
        loose = len(entries)
        raise InputError(
            f"images folder {directory} is empty"
            if not loose
            else f"images folder {directory} holds no class folders ({loose} file(s) at its "
            "top): put the pictures of each class in a sub-folder named for the class"
        )
    if len(class_names) == 1:
        raise InputError(
            f"images folder {directory} holds one class folder ({class_names[0]}); "
            "a classifier needs at least two"
        )
    files = {name: list(_walk(root / name)) for name in class_names}
    empty = [name for name in class_names if not files[name]]
    if empty:
        raise InputError(
            f"images folder {directory}: class folder(s) {', '.join(empty)} hold no images"
        )
    paths, labels, bad, small = [], [], [], []
    for label, name in enumerate(class_names):
        for path in files[name]:
            size, reason = check_picture(path)
            if reason is not None:
                bad.append((path, reason))
            elif min_side is not None and min(size) < min_side:
                small.append((path, f"{size[0]}x{size[1]}"))
            else:
                paths.append(path)
                labels.append(label)
    if bad and not skip_bad:
        raise InputError(
            f"images folder {directory}: {len(bad)} file(s) are not pictures Keras can read: "
            f"{_listed(bad, root)}; remove them, or leave them out with --skip-bad-images"
        )
    if small and not skip_bad:
        least = f"{min_side}x{min_side}"
        raise InputError(
            f"images folder {directory}: {len(small)} picture(s) are smaller than "
            f"{least_name or 'the least input'} ({least}): {_listed(small, root)}; "
            "give larger pictures or another base, or leave them out with --skip-bad-images"
        )
    kept = set(labels)
    left_empty = [name for label, name in enumerate(class_names) if label not in kept]
    if left_empty:
        raise InputError(
            f"images folder {directory}: class folder(s) {', '.join(left_empty)} hold no "
            f"readable images large enough ({len(bad) + len(small)} file(s) left out)"
        )
    small = [(path, f"{size}, smaller than {min_side}x{min_side}") for path, size in small]
    return ImageFolder(str(root), class_names, tuple(paths), tuple(labels), tuple(bad + small))


def split(folder, fraction, seed):
    """The pictures of ``folder`` carved into training and validation sets by ``seed``.

    Stratified (each class in both in its proportion), as ``deepkit.finetune.train``
    carves arrays (``deepkit.training.carve_validation``).

    Args:
        folder: an ``ImageFolder``.
        fraction: the validation share, in [0, 1); 0 gives an empty validation set.
        seed: seeds the choice.

    Returns:
        ``((paths, labels), (paths, labels))``: NumPy arrays, training then validation.

    Raises:
        InputError: too few pictures for a validation set holding every class.
    """
    from deepkit.training import carve_validation

    paths, labels = np.asarray(folder.paths), np.asarray(folder.labels, dtype="int64")
    held = int(round(fraction * len(paths)))
    if fraction:
        classes, fewest = len(folder.class_names), int(np.bincount(labels).min())
        if held < classes or len(paths) - held < classes or fewest < 2:
            raise InputError(
                f"validation_split={fraction} of {len(paths)} pictures in {classes} classes "
                f"(the smallest has {fewest}) cannot hold out every class in both sets: give "
                "at least two pictures per class and a validation share of at least "
                "one picture per class, or validation_split=0"
            )
    return carve_validation(paths, labels, fraction, seed=seed, stratify=True)


def list_pictures(sources, *, skip_bad=False):
    """The pictures named by ``sources``: files, and folders walked as Keras walks them.

    Args:
        sources: paths of pictures or of folders of pictures.
        skip_bad: leave out files that are not readable pictures instead of refusing.

    Returns:
        ``(paths, skipped)``: the pictures' paths in order (sources in order, each
        folder sorted), and ``(path, reason)`` of the files left out.

    Raises:
        InputError: a missing source, an empty folder, or bad files (without
            ``skip_bad``), named and counted.
    """
    paths, bad = [], []
    if not sources:
        raise InputError("give at least one picture or folder of pictures")
    for source in sources:
        source = Path(source).expanduser()
        if not source.exists():
            raise InputError(f"{source}: no such file or folder")
        found = list(_walk(source)) if source.is_dir() else [str(source)]
        if not found:
            raise InputError(f"{source}: the folder holds no pictures")
        for path in found:
            _, reason = check_picture(path)
            if reason is None:
                paths.append(path)
            else:
                bad.append((path, reason))
    if bad and not skip_bad:
        raise InputError(
            f"{len(bad)} file(s) are not pictures Keras can read: {_listed(bad)}; "
            "remove them, or leave them out with --skip-bad-images"
        )
    if not paths:
        raise InputError(f"no readable pictures among {', '.join(map(str, sources))}")
    return paths, bad
