"""Dot (mirrors keras/src/layers/merging/dot.py): the batchwise dot product of two inputs.

With x0's axis a0 and x1's axis a1 (of one size k), y's shape is x0's without a0, then
x1's without its batch axis and a1, or (batch, 1) when nothing else is left. Moving
a0 last and a1 first after the batch axis makes it one batched matrix product

    y = X0 X1,   X0: (batch, P, k),  X1: (batch, k, Q);
    dX0 = g X1^T,  dX1 = X0^T g.

With ``normalize``, each input is first scaled to unit L2 norm along its axis,
v^ = v s, s = min(1 / ||v||, 1 / eps), eps = 1e-7 (Keras's ``ops.normalize``), whose
gradient is (g - v^ (g . v^)) s where the norm is above eps, else g s.
"""

import numpy as np

from deepkit.reference.layers.base import register
from deepkit.reference.layers.merge import Merge
from deepkit.validation import InputError

EPSILON = 1e-7


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
    """The batchwise dot product of two inputs along ``axes``.

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
