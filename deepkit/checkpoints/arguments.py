"""A run's arguments kept in its folder: a rerun with other ones is refused instead of
mixing two runs."""

import json

from deepkit.checkpoints.layout import ARGUMENTS
from deepkit.validation import InputError


def check_arguments(folder, arguments):
    """Keep ``arguments`` in a new run folder; refuse them if the folder holds other ones.

    Args:
        folder: the run's ``RecordFolder``.
        arguments: the run's arguments, JSON values.

    Raises:
        InputError: if the folder holds other arguments (each change named), or
            an arguments file that cannot be read.
    """
    saved = folder.directory / ARGUMENTS
    if not saved.exists():
        folder.write(ARGUMENTS, json.dumps(arguments, indent=1, sort_keys=True))
        return
    try:
        previous = json.loads(saved.read_text())
    except (OSError, ValueError) as error:
        folder.refuse(f"{ARGUMENTS} cannot be read ({error})")
    if not isinstance(previous, dict):
        folder.refuse(f"{ARGUMENTS} does not hold a dict of arguments")
    changed = sorted(
        k for k in previous.keys() | arguments.keys() if previous.get(k) != arguments.get(k)
    )
    if changed:
        raise InputError(
            f"checkpoint folder {folder.directory} holds a run with other arguments "
            f"({', '.join(f'{k}: {previous.get(k)!r} then {arguments.get(k)!r}' for k in changed)}); "
            "use another folder or the same arguments"
        )
