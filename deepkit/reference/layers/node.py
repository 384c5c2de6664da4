"""Symbolic tensors and the calls that make them: the functional API's graph (mirrors
keras/src/backend/common/keras_tensor.py and keras/src/ops/node.py).

Calling a layer (or a model) on ``KerasTensor``s, which ``Input`` returns, computes
nothing. It records one ``Node``: the layer, the tensors it was called on, and the
tensors it returns, their shapes from ``compute_output_shape``. A model walks these
nodes back from its outputs (``deepkit.reference.models.graph``). Nothing is stored
on the layer, so a layer can be called several times (one set of weights, shared)
and a model's graph is exactly what its outputs depend on.
"""

from deepkit.validation import InputError


class KerasTensor:
    """A symbolic tensor: its ``shape`` (batch axis first, None where unknown) and
    the ``node`` whose output ``index`` it is."""

    def __init__(self, shape, node, index=0):
        self.shape = tuple(shape)
        self.node, self.index = node, index

    @property
    def ndim(self):
        return len(self.shape)

    def __repr__(self):
        return f"<KerasTensor shape={self.shape} from {self.node.layer.name!r}>"


class Node:
    """One call of ``layer`` on symbolic inputs.

    Attributes:
        layer: the layer or model called.
        inputs: the input tensors, a list (empty for an ``Input``'s node).
        many: whether the layer was called on a list of tensors (a merge layer,
            a model with several inputs) rather than on one tensor.
        outputs: the output tensors, a list.
    """

    def __init__(self, layer, inputs, output_shapes):
        self.layer = layer
        self.many = isinstance(inputs, (list, tuple))
        self.inputs = list(inputs) if self.many else [] if inputs is None else [inputs]
        self.outputs = [KerasTensor(shape, self, i) for i, shape in enumerate(output_shapes)]

    @property
    def input_shapes(self):
        """The input shapes as the layer's ``build`` takes them: a list when ``many``."""
        shapes = [tensor.shape for tensor in self.inputs]
        return shapes if self.many else shapes[0]


def is_symbolic(inputs):
    """Whether ``inputs`` (one value or a list) holds a ``KerasTensor``."""
    if isinstance(inputs, KerasTensor):
        return True
    return isinstance(inputs, (list, tuple)) and any(isinstance(x, KerasTensor) for x in inputs)


def call(layer, inputs):
    """The output tensor(s) of ``layer`` called on symbolic ``inputs``: one tensor, or a
    list when ``compute_output_shape`` gives a list of shapes (a model with several
    outputs)."""
    if isinstance(inputs, (list, tuple)) and not all(isinstance(x, KerasTensor) for x in inputs):
        raise InputError(
            f"layer {layer.name!r} was called on a list mixing symbolic tensors (from Input) "
            "and arrays; call it on tensors only"
        )
    many = isinstance(inputs, (list, tuple))
    shape = layer.compute_output_shape([x.shape for x in inputs] if many else inputs.shape)
    several = isinstance(shape, list)
    node = Node(layer, inputs, shape if several else [shape])
    return list(node.outputs) if several else node.outputs[0]
