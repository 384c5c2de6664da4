"""Merge layers: one output from a list of inputs (mirror keras/src/layers/merging/;
``Dot`` is in ``dot.py``).

Each is called on a list of tensors, ``Add()([x0, x1])``. With g = dLoss/dy:

- Add: y = sum_i x_i; dx_i = g.
- Subtract (two inputs): y = x0 - x1; dx0 = g, dx1 = -g.
- Multiply: y = prod_i x_i; dx_i = g prod_{j != i} x_j.
- Average: y = (sum_i x_i) / n; dx_i = g / n.
- Maximum, Minimum: y = the largest (smallest) x_i, element by element; its
  gradient goes to the input that won the element, the earliest one on ties
  (TensorFlow's rule for a chain of two-input maximum and minimum ops).
- Concatenate(axis=-1): y = [x0, x1, ...] along ``axis``; dx_i = g's slice of x_i.

The elementwise layers take inputs of one rank, any axis of size 1 broadcast
against the others (Keras's rule); each input's gradient is summed over the axes
where it was broadcast. Inputs of different ranks, which Keras reshapes, are
refused.
"""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError


def _sum(inputs):
    output = inputs[0]
    for x in inputs[1:]:
        output = output + x
    return output


def _unbroadcast(grad, shape):
    """``grad`` summed over the axes where an input of ``shape`` was broadcast."""
    axes = tuple(i for i, (n, m) in enumerate(zip(shape, grad.shape)) if n == 1 and m != 1)
    return grad.sum(axis=axes, keepdims=True) if axes else grad


class Merge(Layer):
    """Base of the elementwise merge layers: checks the list of inputs, broadcasts
    their shapes, and reduces each gradient back to its input's shape."""

    min_inputs, max_inputs = 1, None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    def _check(self, input_shape):
        name = type(self).__name__
        if not isinstance(input_shape, list) or not all(isinstance(s, tuple) for s in input_shape):
            raise InputError(f"{name} {self.name!r} must be called on a list of inputs")
        count = len(input_shape)
        if count < self.min_inputs or (self.max_inputs is not None and count > self.max_inputs):
            wanted = (
                f"exactly {self.max_inputs}"
                if self.min_inputs == self.max_inputs
                else f"at least {self.min_inputs}"
            )
            raise InputError(f"{name} {self.name!r} takes {wanted} inputs, got {count}")

    def _check_ranks(self, input_shape):
        if len({len(s) for s in input_shape}) > 1:
            raise InputError(
                f"{type(self).__name__} {self.name!r}: inputs of different ranks "
                f"{input_shape} are not implemented by the NumPy reference (reshape them "
                "to one rank)"
            )

    def build(self, input_shape):
        self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        self._check_ranks(input_shape)
        output = []
        for dims in zip(*input_shape):
            known = {d for d in dims if d is not None} - {1}
            if len(known) > 1:
                raise InputError(
                    f"{type(self).__name__} {self.name!r}: incompatible input shapes {input_shape}"
                )
            output.append(None if None in dims and not known else known.pop() if known else 1)
        return (None,) + tuple(output[1:])

    def call(self, inputs, training=False):
        self._shapes = [x.shape for x in inputs]
        self._inputs = inputs
        return self.merge(list(inputs))

    def backward(self, grad):
        if not self.propagate:
            return None
        return [_unbroadcast(g, s) for g, s in zip(self.input_grads(grad), self._shapes)]

    def merge(self, inputs):
        raise NotImplementedError

    def input_grads(self, grad):
        """dLoss/dx_i for each input, before reducing over broadcast axes."""
        raise NotImplementedError


@register
class Add(Merge):
    """y = sum_i x_i."""

    def merge(self, inputs):
        return _sum(inputs)

    def input_grads(self, grad):
        return [grad] * len(self._shapes)


@register
class Subtract(Merge):
    """y = x0 - x1."""

    min_inputs = max_inputs = 2

    def merge(self, inputs):
        return inputs[0] - inputs[1]

    def input_grads(self, grad):
        return [grad, -grad]


@register
class Multiply(Merge):
    """y = prod_i x_i."""

    def merge(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output * x
        return output

    def input_grads(self, grad):
        grads = []
        for i in range(len(self._inputs)):
            g = grad
            for j, x in enumerate(self._inputs):
                if j != i:
                    g = g * x
            grads.append(g)
        return grads


@register
class Average(Merge):
    """y = (sum_i x_i) / n."""

    def merge(self, inputs):
        return _sum(inputs) / inputs[0].dtype.type(len(inputs))

    def input_grads(self, grad):
        return [grad / grad.dtype.type(len(self._shapes))] * len(self._shapes)


class _Extremum(Merge):
    """The elementwise maximum or minimum; each element's gradient to the earliest winner."""

    extremum = None  # np.maximum or np.minimum
    beats = None  # np.greater or np.less: a later input wins only when strictly better

    def merge(self, inputs):
        output, *rest = np.broadcast_arrays(*inputs)
        winner = np.zeros(output.shape, np.min_scalar_type(len(inputs) - 1))
        for i, x in enumerate(rest, 1):
            # a later input that wins takes the larger index i; one that loses leaves it
            np.maximum(winner, self.beats(x, output) * winner.dtype.type(i), out=winner)
            output = self.extremum(output, x)
        self._winner = winner
        return output

    def input_grads(self, grad):
        return [grad * (self._winner == i) for i in range(len(self._shapes))]


@register
class Maximum(_Extremum):
    """y = max_i x_i, element by element."""

    extremum, beats = staticmethod(np.maximum), staticmethod(np.greater)


@register
class Minimum(_Extremum):
    """y = min_i x_i, element by element."""

    extremum, beats = staticmethod(np.minimum), staticmethod(np.less)


@register
class Concatenate(Merge):
    """y = [x0, x1, ...] along ``axis`` (the last by default); the other axes must agree.

    Args:
        axis: the axis to concatenate along, not the batch axis.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _axis(self, rank):
        axis = self.axis % rank if -rank <= self.axis < rank else None
        if not axis:
            raise InputError(
                f"Concatenate {self.name!r}: axis={self.axis} is not a non-batch axis of "
                f"inputs of rank {rank}"
            )
        return axis

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        self._check_ranks(input_shape)
        axis = self._axis(len(input_shape[0]))
        output = list(input_shape[0])
        for i, dims in enumerate(zip(*input_shape)):
            if i == axis:
                output[i] = None if None in dims else sum(dims)
            elif len({d for d in dims if d is not None}) > 1:
                raise InputError(
                    f"Concatenate {self.name!r} needs inputs of one shape except along "
                    f"axis {self.axis}, got {input_shape}"
                )
        return (None,) + tuple(output[1:])

    def merge(self, inputs):
        return np.concatenate(inputs, axis=self.axis)

    def input_grads(self, grad):
        ends = np.cumsum([s[self.axis] for s in self._shapes])[:-1]
        return np.split(grad, ends, axis=self.axis)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
