"""Lazy submodules: ``package.name`` imports ``package.name`` on first access."""

import importlib


def lazy_submodules(package, names):
    """Return ``(__getattr__, __dir__)`` for a package whose ``names`` load on first use."""

    def __getattr__(name):
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__():
        return sorted(set(importlib.import_module(package).__dict__) | set(names))

    return __getattr__, __dir__
