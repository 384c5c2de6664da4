"""Merge layers: one output from a list of inputs (mirror keras/src/layers/merging/).

Each is called on a list of tensors, ``Add()([x0, x1])``. With g = dLoss/dy:

- Add: y = sum_i x_i; dx_i = g.
- Subtract (two inputs): y = x0 - x1; dx0 = g, dx1 = -g.
- Multiply: y = prod_i x_i; dx_i = g prod_{j != i} x_j.
- Average: y = (sum_i x_i) / n; dx_i = g / n.
- Maximum, Minimum: y = the largest (smallest) x_i, element by element; its
  gradient goes to the input that won the element, the earliest one on ties
  (TensorFlow's rule for a chain of two-input maximum and minimum ops).
- Concatenate(axis=-1): y = [x0, x1, ...] along ``axis``; dx_i = g's slice of x_i.
- Dot(axes, normalize=False), two inputs: the batchwise dot product of x0's axis a0
  with x1's axis a1; y's shape is x0's without a0, then x1's without its batch axis
  and a1, (batch, 1) when nothing else is left. With ``normalize``, each input is
  first scaled to unit L2 norm along its axis, v min(1 / ||v||, 1 / eps), eps = 1e-7.

The elementwise layers take inputs of one rank, any axis of size 1 broadcast
against the others (Keras's rule); each input's gradient is summed over the axes
where it was broadcast. Inputs of different ranks, which Keras reshapes, are
refused.
"""

import numpy as np

from deepkit.reference.layers.base import Layer, register
from deepkit.validation import InputError

EPSILON = 1e-7


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

    pick = None  # np.argmax or np.argmin (both return the first winner on ties)

    def merge(self, inputs):
        stacked = np.stack(np.broadcast_arrays(*inputs))
        self._winner = self.pick(stacked, axis=0)
        return np.take_along_axis(stacked, self._winner[None], axis=0)[0]

    def input_grads(self, grad):
        zero = grad.dtype.type(0)
        return [np.where(self._winner == i, grad, zero) for i in range(len(self._shapes))]


@register
class Maximum(_Extremum):
    """y = max_i x_i, element by element."""

    pick = staticmethod(np.argmax)


@register
class Minimum(_Extremum):
    """y = min_i x_i, element by element."""

    pick = staticmethod(np.argmin)


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


def _normalize(x, axis):
    """(x scaled to unit L2 norm along ``axis``, the scale min(1 / ||x||, 1 / eps))."""
    cap = x.dtype.type(1 / EPSILON)
    with np.errstate(divide="ignore"):
        scale = np.minimum(1 / np.sqrt((x * x).sum(axis=axis, keepdims=True)), cap)
    return x * scale, scale


def _normalize_grad(unit, scale, grad, axis):
    """dLoss/dx from dLoss/d(unit), unit = x * scale: (g - unit (g . unit)) * scale
    where the norm is above eps, g * scale where the scale is capped."""
    cap = scale.dtype.type(1 / EPSILON)
    projected = grad - unit * (grad * unit).sum(axis=axis, keepdims=True)
    return np.where(scale < cap, projected, grad) * scale


@register
class Dot(Merge):
    """The batchwise dot product of two inputs along ``axes`` (see the module docstring).

    Args:
        axes: one axis for both inputs, or a pair (a0, a1); never the batch axis.
        normalize: scale both inputs to unit L2 norm along their axis first, so
            the product is the cosine similarity.
    """

    min_inputs = max_inputs = 2

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        pair = (axes, axes) if isinstance(axes, (int, np.integer)) else tuple(axes)
        if len(pair) != 2 or not all(isinstance(a, (int, np.integer)) for a in pair):
            raise InputError(f"Dot axes must be an int or a pair of ints, got {axes!r}")
        self.axes = axes if isinstance(axes, (int, np.integer)) else list(pair)
        self.normalize = bool(normalize)

    def _pair(self, shapes):
        pair = (self.axes, self.axes) if isinstance(self.axes, (int, np.integer)) else self.axes
        axes = []
        for axis, shape in zip(pair, shapes):
            if not -len(shape) <= axis < len(shape) or axis % len(shape) == 0:
                raise InputError(
                    f"Dot {self.name!r}: axes={self.axes} must name non-batch axes of "
                    f"inputs of shapes {shapes}"
                )
            axes.append(axis % len(shape))
        return axes

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        (a0, a1), (s0, s1) = self._pair(input_shape), input_shape
        if None not in (s0[a0], s1[a1]) and s0[a0] != s1[a1]:
            raise InputError(
                f"Dot {self.name!r}: axis {a0} of {s0} and axis {a1} of {s1} differ in size"
            )
        output = [d for i, d in enumerate(s0) if i != a0]
        output += [d for i, d in enumerate(s1) if i not in (0, a1)]
        return (None,) + (tuple(output[1:]) or (1,))

    def merge(self, inputs):
        x0, x1 = inputs
        a0, a1 = self._pair([x0.shape, x1.shape])
        if self.normalize:
            (x0, self._scale0), (x1, self._scale1) = _normalize(x0, a0), _normalize(x1, a1)
            self._units = x0, x1
        # x0 -> (batch, P, k), x1 -> (batch, k, Q): one batched matrix product.
        m0, m1 = np.moveaxis(x0, a0, -1), np.moveaxis(x1, a1, 1)
        self._moved = m0, m1
        b, k = len(x0), m0.shape[-1]
        output = m0.reshape(b, -1, k) @ m1.reshape(b, k, -1)
        shape = m0.shape[1:-1] + m1.shape[2:]
        return output.reshape((b,) + (shape or (1,)))

    def input_grads(self, grad):
        m0, m1 = self._moved
        b, k = len(m0), m0.shape[-1]
        g = grad.reshape(b, int(np.prod(m0.shape[1:-1])), int(np.prod(m1.shape[2:])))
        g0 = (g @ m1.reshape(b, k, -1).transpose(0, 2, 1)).reshape(m0.shape)
        g1 = (m0.reshape(b, -1, k).transpose(0, 2, 1) @ g).reshape(m1.shape)
        a0, a1 = self._pair(self._shapes)
        g0, g1 = np.moveaxis(g0, -1, a0), np.moveaxis(g1, 1, a1)
        if self.normalize:
            g0 = _normalize_grad(self._units[0], self._scale0, g0, a0)
            g1 = _normalize_grad(self._units[1], self._scale1, g1, a1)
        return [g0, g1]

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}
