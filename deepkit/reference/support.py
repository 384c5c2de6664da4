"""What the NumPy reference hosts, read from its registries: ``supported()`` lists the
Keras layers, losses, metrics, optimizers and learning-rate schedules by kind, and
``support_page()`` writes them as the Markdown page docs/reference-support.md.

Regenerate the page after adding to a registry (from the repository's root)::

    python -c "from deepkit.reference.support import write_page; write_page()"
"""

from pathlib import Path

from deepkit.reference import losses, metrics, optimizers
from deepkit.reference.layers import LAYERS
from deepkit.reference.optimizers.schedules import SCHEDULES

PAGE = Path("docs") / "reference-support.md"


def supported():
    """The Keras class names the NumPy reference hosts, by kind, from its registries.

    Returns:
        ``{"layers": [...], "losses": [...], "metrics": [...], "optimizers": [...],
        "schedules": [...]}``, each list sorted (``keras.layers.Dense`` is ``"Dense"``).
    """
    return {kind: sorted(names) for kind, names in registries().items()}


def _names(registry, value):
    """The keys under which ``registry`` (a name -> class or function map) holds ``value``."""
    return tuple(key for key, held in registry.items() if held == value)


def registries():
    """Each kind's registry: Keras class name -> (the module that implements it here,
    the string names ``compile`` also takes)."""
    return {
        "layers": {name: (cls.__module__, ()) for name, cls in LAYERS.items()},
        "losses": {
            name: (cls.__module__, _names(losses.lookup.LOSSES, cls))
            for name, cls in losses.lookup.CLASSES.items()
        },
        "metrics": {
            name: (metrics.__name__, _names(metrics.STRING_NAMES, name))
            for name in {
                **dict.fromkeys(metrics.KERAS_CLASSES.values()),
                **metrics.CONFUSION_METRICS,
            }
        },
        "optimizers": {
            name: (cls.__module__, _names(optimizers.OPTIMIZERS, cls))
            for name, cls in optimizers.CLASSES.items()
        },
        "schedules": {name: (cls.__module__, ()) for name, cls in SCHEDULES.items()},
    }


# Where Keras keeps each kind.
KERAS_MODULES = {
    "layers": "keras.layers",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "optimizers": "keras.optimizers",
    "schedules": "keras.optimizers.schedules",
}


def support_page():
    """docs/reference-support.md: one table per kind (Keras class, string names, module)."""
    lines = [
        "# What the NumPy reference hosts",
        "",
        "<!-- Generated from the registries by deepkit.reference.support.write_page(); "
        "do not edit. -->",
        "",
        "`deepkit.reference.from_keras` hosts a Keras model built from these layers and "
        "compiled with these losses, metrics, optimizers and learning-rate schedules; it "
        "refuses anything else with one `InputError` that lists every problem. "
        "`deepkit.reference.supported()` returns the same names. A layer that Keras does "
        "not have is one of deepkit's own Keras layers (`deepkit.models`).",
    ]
    for kind, registry in registries().items():
        lines += [
            "",
            f"## {kind.capitalize()} ({len(registry)})",
            "",
            f"| `{KERAS_MODULES[kind]}` | also by name | NumPy reference |",
            "| --- | --- | --- |",
        ]
        for name in sorted(registry):
            module, names = registry[name]
            by_name = ", ".join(f'`"{n}"`' for n in names)
            lines.append(f"| `{name}` | {by_name} | `{module}` |")
    lines += [
        "",
        'A metric is also given as `"accuracy"` (or `"acc"`), which picks binary, '
        "categorical or sparse categorical accuracy by the shapes of the targets and "
        "outputs, as Keras does.",
    ]
    return "\n".join(lines) + "\n"


def write_page(path=PAGE):
    """Write ``support_page()`` to ``path`` (docs/reference-support.md by default)."""
    Path(path).write_text(support_page(), encoding="utf-8")
