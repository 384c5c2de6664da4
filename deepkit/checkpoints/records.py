"""A folder of records: files written whole, a record written last naming them with their
SHA-256, and every named file checked when the record is read.

Files are never changed in place: new ones are written, then the record naming
them, then the files of the record before it that the new one no longer names
are deleted. So a kill at any instant leaves the last complete record and every
file it names; a file changed by anything else no longer matches its SHA-256,
and the folder is refused in one line naming it.
"""

import hashlib
import json
from pathlib import Path

from deepkit import atomic
from deepkit.checkpoints.layout import EPOCH_RECORD, EPOCHS, FINAL_FILES
from deepkit.validation import InputError


class RecordFolder:
    """The files and records of one checkpoint folder (a stage's).

    Args:
        directory: the folder (str or ``Path``), made if absent.

    Attributes:
        directory: the folder, a ``Path``.

    Raises:
        InputError: if the folder cannot be made.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise InputError(f"checkpoint folder {directory}: {error.strerror}") from None

    def refuse(self, problem, start_over=True):
        """Raise the ``InputError`` naming the folder and ``problem``.

        Args:
            problem: what is wrong, naming the file.
            start_over: whether to advise deleting the folder.

        Raises:
            InputError: always.
        """
        advice = f"; delete the folder {self.directory} to start over" if start_over else ""
        raise InputError(f"checkpoint folder {self.directory}: {problem}{advice}")

    def refuse_model(self, problem):
        """Raise the ``InputError`` of a model that does not fit the saved state.

        Args:
            problem: what does not fit.

        Raises:
            InputError: always.
        """
        self.refuse(
            f"{problem}; build the model the run was started with, or delete the folder "
            f"{self.directory} to start over",
            start_over=False,
        )

    # -- reading -------------------------------------------------------------------------

    def read_record(self, name, kinds):
        """The record ``name``, checked; ``None`` if absent.

        Args:
            name: the record's file name (``epoch.json`` or ``finished.json``).
            kinds: the kinds of file it must name (``"weights"``, ...).

        Returns:
            The record (a dict whose ``"files"`` maps each kind to ``{"name",
            "sha256"}``), or ``None``.

        Raises:
            InputError: if the record is incomplete, or a file it names is missing
                or has another SHA-256.
        """
        path = self.directory / name
        if not path.exists():
            return None
        try:
            record = json.loads(path.read_text())
            files = record["files"]
            for kind in kinds:
                files[kind]
            for entry in files.values():
                entry["sha256"].encode()
                if Path(entry["name"]).is_absolute() or ".." in Path(entry["name"]).parts:
                    raise ValueError(f"{entry['name']} is not a file of the folder")
            if name == EPOCH_RECORD:
                int(record["epoch"]), bool(record["stopped"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            self.refuse(f"{name} is not a complete record ({type(error).__name__}: {error})")
        for entry in files.values():
            file = self.directory / entry["name"]
            if not file.is_file():
                self.refuse(f"{entry['name']}, named by {name}, is missing")
            if sha256(file) != entry["sha256"]:
                self.refuse(f"{entry['name']} is not the file {name} names (another SHA-256)")
        return record

    def read_json(self, record, kind):
        """The content of the JSON file ``kind`` that a checked ``record`` names."""
        name = record["files"][kind]["name"]
        try:
            return json.loads((self.directory / name).read_text())
        except (OSError, ValueError) as error:
            self.refuse(f"{name} cannot be read ({error})")

    def clean(self, record, finished):
        """Delete the leftovers: the temporaries of killed writes, the epoch files
        ``record`` does not name (all of them once the stage ``finished``), and a
        finish's files without its record.

        Args:
            record: the last epoch's record, or ``None``.
            finished: whether the folder holds a finished record.
        """
        atomic.remove_temporaries(self.directory)
        kept = set()
        if record is not None:
            kept = {entry["name"] for entry in record["files"].values()}
        epochs = self.directory / EPOCHS
        if epochs.is_dir():
            for entry in epochs.iterdir():
                if f"{EPOCHS}/{entry.name}" not in kept and entry.is_file():
                    delete(entry)
            if not kept:
                try:
                    epochs.rmdir()
                except OSError:
                    pass
        if finished:
            delete(self.directory / EPOCH_RECORD)
        else:
            for name in FINAL_FILES:
                delete(self.directory / name)

    # -- writing -------------------------------------------------------------------------

    def write_file(self, name, write):
        """Write the file ``name`` with ``write(temporary_path)``, atomically.

        Args:
            name: the file's path in the folder (``epochs/3.weights.h5``).
            write: a function writing the whole file at the path (a str) it is given.

        Returns:
            The file's record entry, ``{"name", "sha256"}``.

        Raises:
            InputError: if the file system refuses the write.
        """
        path = self.directory / name
        try:
            path.parent.mkdir(exist_ok=True)
            with atomic.atomic_write(path) as temporary:
                write(str(temporary))
        except OSError as error:
            self.refuse(f"cannot write {name} ({error.strerror or error})", start_over=False)
        return {"name": name, "sha256": sha256(path)}

    def write(self, name, text):
        """Write the text file ``name``; its record entry (as ``write_file``)."""
        return self.write_file(name, lambda path: Path(path).write_text(text))

    def write_json(self, name, value):
        """Write ``value`` as the JSON file ``name``; its record entry (as ``write_file``)."""
        return self.write(name, json.dumps(value))

    def delete_replaced(self, previous, record):
        """Delete the files of ``previous`` that ``record``, written after it, no longer names.

        Args:
            previous: the record ``record`` replaced, or ``None``.
            record: the record now in the folder.
        """
        if previous is not None:
            kept = {entry["name"] for entry in record["files"].values()}
            for entry in previous["files"].values():
                if entry["name"] not in kept:
                    delete(self.directory / entry["name"])


def sha256(path):
    """The SHA-256 of the file ``path``, in hexadecimal."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def delete(path):
    """Remove the file ``path`` if it exists (the one place files of a folder are deleted)."""
    Path(path).unlink(missing_ok=True)
