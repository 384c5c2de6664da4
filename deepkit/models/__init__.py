"""Builders that return real, compiled ``keras.Sequential`` / ``keras.Model`` objects.

- ``mlp``, ``churn_ann``: dense networks (``deepkit.models.dense``).
- ``mnist_mlp``, ``mnist_cnn``: the MNIST networks (``deepkit.models.mnist``).
"""

import importlib

_BUILDERS = {
    "mlp": "dense",
    "churn_ann": "dense",
    "mnist_mlp": "mnist",
    "mnist_cnn": "mnist",
}

__all__ = sorted(_BUILDERS)


def __getattr__(name):
    if name in _BUILDERS:
        module = importlib.import_module(f"{__name__}.{_BUILDERS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module 'deepkit.models' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_BUILDERS))
