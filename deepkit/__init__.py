"""deepkit: classic deep learning recipes on Keras 3, each with a NumPy twin.

Submodules load on first use, so ``import deepkit`` stays fast and does not
import TensorFlow until a model is needed::

    import deepkit
    result = deepkit.recipes.churn.run()
"""

import importlib

__version__ = "0.1.0"

_SUBMODULES = (
    "benchmarks",
    "datasets",
    "finetune",
    "models",
    "parity",
    "preprocessing",
    "recipes",
    "reference",
    "report",
    "seeding",
)


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'deepkit' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_SUBMODULES))
