"""``Input``: the symbolic tensor a model starts from (mirrors
keras/src/layers/core/input_layer.py; its ``InputLayer`` class is in ``core.py``)."""

from deepkit.reference.layers.core import InputLayer
from deepkit.reference.layers.node import Node


def Input(shape, dtype=None, name=None):
    """Like ``keras.Input``: a ``KerasTensor`` of shape ``(None, *shape)``, the output
    of an ``InputLayer``.

    It starts a functional model, ``x = Input((4,)); Model(x, Dense(2)(x))``, or a
    ``Sequential``, ``Sequential([Input((4,)), Dense(2)])``.

    Args:
        shape: the shape of one sample (no batch axis).
        dtype: the input's dtype; a model casts its inputs to its own float dtype.
        name: the input layer's name (the key of this input in a dict of inputs).
    """
    layer = InputLayer(shape, dtype=dtype, name=name)
    return Node(layer, None, [(None,) + layer.shape]).outputs[0]
