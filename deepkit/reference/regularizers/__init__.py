"""Weight and activity regularizers (mirrors keras/src/regularizers/): ``L1``, ``L2``,
``L1L2`` and ``OrthogonalRegularizer`` (``regularizers.py``), and how layers and
models add their penalties to the loss (``penalties.py``)::

    from deepkit import reference as ref

    layer = ref.Dense(8, kernel_regularizer=ref.regularizers.L2(1e-4),
                      activity_regularizer="l1")
"""

from deepkit.reference.regularizers.penalties import (
    WEIGHTS,
    Penalties,
    add_penalty_gradients,
    every_layer,
    forget_activity,
    model_layers,
    penalty,
)
from deepkit.reference.regularizers.regularizers import (
    CLASSES,
    L1,
    L1L2,
    L2,
    NAMES,
    OrthogonalRegularizer,
    Regularizer,
    get,
    serialize,
)
