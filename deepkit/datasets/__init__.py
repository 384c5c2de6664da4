"""Datasets of the three tutorials, loaded offline where possible.

- ``load_churn``: the bank churn table of T3, shipped inside the package.
- ``load_mnist``: MNIST in Keras's layout, from a path, Keras's cache, or a download.
- ``load_digits``: scikit-learn's 8x8 digits, the stand-in for T2's course data.
"""

import importlib

_LOADERS = {
    "load_churn": "churn",
    "validate_churn_frame": "churn",
    "CHURN_COLUMNS": "churn",
    "load_mnist": "mnist",
    "load_digits": "digits",
}

__all__ = sorted(_LOADERS)


def __getattr__(name):
    if name in _LOADERS:
        module = importlib.import_module(f"{__name__}.{_LOADERS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'deepkit.datasets' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LOADERS))
