"""The lock of a run folder: one process at a time, released by the kernel when it ends."""

import json
import os
import sys
import weakref

from deepkit import atomic
from deepkit.checkpoints.layout import LOCK, OWNER
from deepkit.validation import InputError


class FolderLock:
    """This process's lock on a run folder: ``fcntl.flock`` on its ``.lock`` file.

    The kernel releases the lock when the process ends, however it ends, so a
    killed run leaves no stale lock. Within one process the lock is shared by all
    the ``Checkpoint`` objects of the folder and held while one of them lives.
    """

    _held = weakref.WeakValueDictionary()  # resolved folder -> FolderLock

    def __init__(self, folder, descriptor):
        self.folder = folder
        self._finalizer = weakref.finalize(self, os.close, descriptor)

    @classmethod
    def acquire(cls, folder):
        """The lock of ``folder``, taken now or already held by this process.

        Args:
            folder: an existing folder (``Path``).

        Returns:
            A ``FolderLock``; the lock lasts while a reference to it does.

        Raises:
            InputError: if another process holds it (named by its id and command).
        """
        import fcntl

        key = str(folder.resolve())
        held = cls._held.get(key)
        if held is not None:
            return held
        try:
            descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise InputError(f"checkpoint folder {folder}: {error.strerror}") from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            raise InputError(
                f"checkpoint folder {folder} is in use by {_owner(folder)}; "
                "wait for it to end or use another folder"
            ) from None
        lock = cls(folder, descriptor)
        cls._held[key] = lock
        command = " ".join([os.path.basename(sys.executable), *sys.argv])
        try:
            atomic.write_json_atomic(folder / OWNER, {"pid": os.getpid(), "command": command})
        except OSError as error:
            raise InputError(f"checkpoint folder {folder}: {error.strerror or error}") from None
        return lock


def _owner(folder):
    """The process holding ``folder``'s lock, in words."""
    try:
        owner = json.loads((folder / OWNER).read_text())
        return f"process {owner['pid']} ({owner['command']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
