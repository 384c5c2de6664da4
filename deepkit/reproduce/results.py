"""The entries of ``results.json``: one measured figure each, with where and how it was measured.

An entry is a plain dict (JSON as written):

    name      the measurement (a key of ``MEASURES``: a recipe, or one of its long runs)
    recipe    the recipe module that produced it (``deepkit run RECIPE``)
    figure    what the number is ("test accuracy", ...)
    what      the network and settings that ran, in words
    value     the number (the mean over ``seeds`` when there are several), or a list/dict of them
    values    one value per seed (only when there are several seeds), ``min`` and ``max`` of them
    fmt       how ``render`` prints each number (a ``str.format`` pattern)
    claim     what the tutorial or paper claimed, in words, or None
    command   the command that re-measures it (one seed; run it once per seed)
    seeds     the seeds; ``seconds``: wall time of the runs that produced it
    quick     True when measured by ``--quick`` (few epochs, small data: not comparable to a claim)
    versions  python, numpy, tensorflow, keras, sklearn; ``machine``: cpu count, platform
    measured  UTC time the measurement ended
"""

import json
import os
import platform
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from deepkit.validation import InputError

PACKAGES = {
    "numpy": "numpy",
    "tensorflow": "tensorflow",
    "keras": "keras",
    "sklearn": "scikit-learn",
}


def versions():
    """Versions of Python and the packages the figures depend on.

    Returns:
        A dict of name -> version (None for a package that is not installed).
    """

    def version(distribution):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            return None

    found = {name: version(distribution) for name, distribution in PACKAGES.items()}
    return {"python": platform.python_version(), **found}


def machine():
    """CPU count and platform of this machine.

    Returns:
        ``{"cpu_count": ..., "platform": ...}``.
    """
    return {"cpu_count": os.cpu_count(), "platform": platform.platform()}


def figure(figure, value, *, what, command, seeds, seconds, claim=None, fmt="{:.4f}"):
    """One measured figure (before ``stamp`` adds its name and environment).

    Args:
        figure: the figure's name, e.g. "test accuracy".
        value: the value; a list of one value per seed when ``len(seeds) > 1``: the
            entry keeps them (``values``), their mean (``value``) and range (``min``,
            ``max``).
        what: what ran (network, data, settings).
        command: the command that reproduces it.
        seeds: the seeds it was measured with.
        seconds: the wall-clock seconds of the run.
        claim: the tutorial's claim or the goal, or ``None``.
        fmt: the format the docs print the value with (``None``: as written).

    Returns:
        The entry, a dict.

    Raises:
        ValueError: not one value per seed.
    """
    entry = {"figure": figure, "what": what, "claim": claim, "fmt": fmt}
    if len(seeds) > 1:
        per_seed = [float(v) for v in value]
        if len(per_seed) != len(seeds):
            raise ValueError(f"{figure}: {len(per_seed)} values for {len(seeds)} seeds")
        entry.update(
            value=float(np.mean(per_seed)),
            values=per_seed,
            min=min(per_seed),
            max=max(per_seed),
        )
    else:
        entry["value"] = _plain(value)
    entry.update(command=command, seeds=list(seeds), seconds=round(float(seconds), 1))
    return entry


def _plain(value):
    """NumPy scalars and arrays as JSON's numbers and lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return value


def stamp(entries, name, recipe, quick):
    """Stamp the entries of one measurement.

    Args:
        entries: the measurement's figures.
        name: its name in ``MEASURES``.
        recipe: the recipe it ran.
        quick: whether it was a quick run.

    Returns:
        The entries with their name, recipe, quick flag, versions, machine and time.
    """
    environment = {
        "quick": quick,
        "versions": versions(),
        "machine": machine(),
        "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return [{"name": name, "recipe": recipe, **entry, **environment} for entry in entries]


def load(path):
    """The entries of a results file.

    Args:
        path: the JSON file.

    Returns:
        Its entries ([] if there is no such file).
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InputError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise InputError(f"{path}: expected an object with a list of 'entries'")
    return document["entries"]


def merge(old, new, order):
    """Merge new entries into old ones.

    Args:
        old: the entries so far.
        new: the entries of the measurements run now.
        order: the measurement names, in the table's order.

    Returns:
        ``old`` with every entry of a measurement in ``new`` replaced by ``new``'s,
        ordered by ``order``, keeping each measurement's own order of figures.
    """
    replaced = {entry["name"] for entry in new}
    kept = [entry for entry in old if entry["name"] not in replaced]
    rank = {name: i for i, name in enumerate(order)}
    return sorted(kept + new, key=lambda entry: rank.get(entry["name"], len(rank)))


def save(path, entries):
    """Write entries as JSON.

    Args:
        path: the JSON file.
        entries: the entries.
    """
    document = {"generator": "deepkit reproduce", "entries": entries}
    Path(path).write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", "utf-8")
