"""deepkit: classic deep learning recipes on Keras 3, each with a NumPy twin.

Submodules load on first use, so ``import deepkit`` stays fast and does not
import TensorFlow until a model is needed::

    import deepkit
    result = deepkit.recipes.churn.run()
"""

from deepkit._lazy import lazy_submodules

__version__ = "0.1.0"

_SUBMODULES = (
    "benchmarks",
    "checkpoints",
    "datasets",
    "distribute",
    "finetune",
    "models",
    "parity",
    "preprocessing",
    "recipes",
    "reference",
    "report",
    "sample_quality",
    "saving",
    "seeding",
    "training",
)


__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)
