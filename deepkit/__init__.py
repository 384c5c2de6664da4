"""deepkit: classic deep learning recipes on Keras 3, each with a NumPy reference.

Submodules load on first use, so ``import deepkit`` stays fast and does not
import TensorFlow until a model is needed. It also keeps TensorFlow's
start-up lines about missing CUDA drivers out of the output
(``deepkit._quiet_tensorflow``; set ``TF_CPP_MIN_LOG_LEVEL`` yourself to see them)::

    import deepkit
    result = deepkit.recipes.churn.run()
"""

from deepkit import _quiet_tensorflow
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
    "recipes",
    "reference",
    "report",
    "saving",
    "seeding",
    "training",
)


_quiet_tensorflow.install()
__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)
