"""Atomic file writes: a file holds either its old content or its new content, whole.

A process killed while it writes a file in place (SIGKILL, an out-of-memory
kill, a power cut) leaves the file truncated, and whatever reads it next fails
in its own words (an HDF5 message naming no file, a ``JSONDecodeError``). Here the
writer writes a temporary file in the same folder, and only a finished,
flushed file is renamed over the target::

    with atomic_write("run/epochs/3.weights.h5") as temporary:
        model.save_weights(temporary)
    write_json_atomic("run/epoch.json", {"epoch": 3})

The steps, each one needed:

1. the temporary's name keeps the target's suffixes (``.weights.h5``, which
   Keras requires of a weights file; ``.json``) and is marked by
   ``TEMPORARY_MARK``, so leftovers are recognisable (``is_temporary``);
2. when the writer returns, the temporary's data are flushed to the disk
   (``fsync``): a rename may otherwise reach the disk before the data it names;
3. ``os.replace`` renames it over the target, atomically on POSIX (same folder,
   so same file system): a reader sees the old file or the new one, never a mix;
4. the folder is flushed, so the rename itself survives a crash.

If the writer raises, the temporary is removed and the target is untouched. A
kill leaves the target untouched too, plus at most one stray temporary, which
the owner of the folder may delete (``remove_temporaries``) when nobody writes
there.
"""

import contextlib
import json
import os
import secrets
from pathlib import Path

TEMPORARY_MARK = ".partial-"


def temporary_name(path):
    """The name of a temporary file for ``path``: in its folder, with its suffixes.

    Args:
        path: the target file (str or ``Path``).

    Returns:
        A ``Path`` such as ``run/3.partial-4242-9f1c2ab0.weights.h5`` for
        ``run/3.weights.h5``: unique to this process and call.
    """
    path = Path(path)
    suffix = "".join(path.suffixes)
    stem = path.name[: len(path.name) - len(suffix)] if suffix else path.name
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f"{stem}{TEMPORARY_MARK}{token}{suffix}")


def is_temporary(name):
    """Whether the file name ``name`` is one of ``temporary_name``'s (a leftover of a kill).

    Args:
        name: a file name or path.

    Returns:
        bool.
    """
    return TEMPORARY_MARK in Path(name).name


def remove_temporaries(folder):
    """Delete the temporaries that killed writers left in ``folder`` (not in its subfolders).

    Only safe when no other process writes in ``folder`` (its owner holds a lock).

    Args:
        folder: a folder (str or ``Path``); nothing happens if it does not exist.

    Returns:
        The list of the removed names.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        if is_temporary(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            removed.append(entry.name)
    return removed


def _sync(path, directory=False):
    """``fsync`` the file (or folder) ``path``."""
    descriptor = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def atomic_write(path):
    """Write the file ``path`` all at once or not at all.

    Yields the path of a temporary file in the same folder (not yet created);
    the body writes it whole. When the body returns, the temporary is flushed
    to the disk and renamed over ``path``; if the body raises, the temporary is
    removed, ``path`` is left as it was, and the exception propagates.

    Args:
        path: the file to write (str or ``Path``); its folder must exist.

    Yields:
        The temporary file's ``Path``, whose name ends with ``path``'s suffixes.

    Raises:
        FileNotFoundError: if the body returned without creating the temporary.
        OSError: from the file system (no space left, no permission), the
            target then untouched.

    Example:

    >>> with atomic_write("run/3.weights.h5") as temporary:
    ...     model.save_weights(temporary)
    """
    path = Path(path)
    temporary = temporary_name(path)
    try:
        yield temporary
        _sync(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync(path.parent, directory=True)


def write_text_atomic(path, text):
    """Write the string ``text`` (UTF-8) to ``path`` with ``atomic_write``.

    Args:
        path: the file to write.
        text: its whole content.
    """
    with atomic_write(path) as temporary:
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(text)


def write_json_atomic(path, value, **dumps_options):
    """Write ``value`` as JSON to ``path`` with ``atomic_write``.

    The value is converted to text before anything is written, so a value that is
    not JSON leaves ``path`` untouched.

    Args:
        path: the file to write.
        value: JSON values (dicts, lists, str, int, float, bool, None).
        **dumps_options: passed to ``json.dumps`` (``indent``, ``sort_keys``).

    Raises:
        TypeError: if ``value`` holds something JSON cannot write.
    """
    write_text_atomic(path, json.dumps(value, **dumps_options))
