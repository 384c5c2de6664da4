"""Checks every recipe runs before any work (before data loads, before TensorFlow imports).

Output paths are checked writable first, so a typo in ``--save`` fails in a
second, not after an hour of training::

    save = check_writable(save, ".keras", "save")     # a file: its folder exists and is writable
    folder = check_writable_folder(folder, "checkpoint_dir")  # made if absent
"""

import importlib.util
import os
from pathlib import Path

from deepkit.validation import InputError


def check_writable(path, suffix, name="path"):
    """``path`` as a string, after checking its name ends in ``suffix`` and its folder is writable."""
    path = Path(path).expanduser()
    if path.suffix != suffix:
        raise InputError(f"{name}: {path}: the file name must end in {suffix}")
    if path.is_dir():
        raise InputError(f"{name}: {path} is a folder, not a file")
    if not path.parent.is_dir():
        raise InputError(f"{name}: {path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise InputError(f"{name}: {path} is not writable")
    return str(path)


def check_writable_folder(path, name="folder"):
    """``path`` as a string, after checking it is a writable folder or can be made as one."""
    path = Path(path).expanduser()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{name}: {path} cannot be a folder: {existing} is a file")
    if not os.access(existing, os.W_OK):
        raise InputError(f"{name}: {path} is not writable ({existing} is read-only)")
    return str(path)


def check_plot(path, name="plot", suffix=".png"):
    """``check_writable(path, suffix)`` (a folder if ``suffix`` is None), after checking
    matplotlib is installed."""
    if importlib.util.find_spec("matplotlib") is None:
        raise InputError(f"{name} needs matplotlib: pip install 'deepkit[plot]'")
    if suffix is None:
        return check_writable_folder(path, name)
    return check_writable(path, suffix, name)
