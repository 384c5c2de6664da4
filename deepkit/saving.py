"""Loading ``.keras`` files safely: the one place deepkit opens a model file.

``load_keras(path)`` uses Keras's safe mode, which refuses files that would run
arbitrary code when loaded (a ``Lambda`` layer's pickled bytecode). A missing,
truncated or corrupt file gets one line naming it and the problem. The refusal
names the opt-in (``safe_mode=False``, ``--unsafe`` on the command line) and
that it is only for files whose author the user trusts.
"""

import zipfile
from pathlib import Path

from deepkit.validation import InputError


def load_keras(path, safe_mode=True, compile=True):
    """The Keras model saved in a ``.keras`` file.

    Args:
        path: the ``.keras`` file.
        safe_mode: Keras's safe mode: refuse a file holding code that would run
            when loaded (a ``Lambda`` layer). Turn it off only for files whose
            author you trust.
        compile: restore the model's compile settings, as Keras's ``load_model``.

    Returns:
        The ``keras.Model``.

    Raises:
        InputError: one line naming the file and the problem: missing, not a zip
            archive (truncated?), corrupt, or refused by safe mode.

    Example:

    ```python
    model = deepkit.saving.load_keras("churn.keras")
    ```
    """
    import keras

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such model file")
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not a .keras model file (it is not a zip archive: truncated?)")
    try:
        return keras.models.load_model(path, safe_mode=safe_mode, compile=compile)
    except ValueError as error:
        if "safe_mode" in str(error) or "Lambda" in str(error):
            raise InputError(
                f"{path}: refused: the file holds code that would run when loaded "
                "(a Lambda layer); only if you trust its author, load it with "
                "safe_mode=False (--unsafe on the command line)"
            ) from None
        raise InputError(
            f"{path}: cannot be loaded as a Keras model ({_first_line(error)})"
        ) from None
    except (OSError, KeyError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        raise InputError(f"{path}: corrupt .keras file ({_first_line(error)})") from None


def _first_line(error):
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
