"""A scalar reverse-mode autodiff in the style of micrograd (karpathy/micrograd,
micrograd/engine.py): the computational graph of tutorial T3.

Each ``Value`` holds ``data``, ``grad``, its parents ``_prev`` and a
``_backward`` closure applying the local chain rule; ``backward()`` sorts the
graph topologically and runs the closures from the output back, accumulating
with ``+=`` so a value used twice gets both contributions. The tests use it to
check every hand-written backward pass of ``deepkit.reference``. T3's example::

    x, y, z = Value(1.0), Value(3.0), Value(-3.0)
    g = (x + y) * z          # -12
    g.backward()             # x.grad == y.grad == -3, z.grad == 4
"""

import math


class Value:
    """A scalar node of a computational graph."""

    __slots__ = ("data", "grad", "_prev", "_backward", "op")

    def __init__(self, data, _prev=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self._prev = tuple(_prev)
        self._backward = lambda: None
        self.op = op

    def __add__(self, other):
        other = _value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = _value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** supports int or float exponents only")
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def _backward():
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    def _unary(self, data, local_grad, op):
        out = Value(data, (self,), op)

        def _backward():
            self.grad += local_grad * out.grad

        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self):
        return self._unary(math.log(self.data), 1 / self.data, "log")

    def tanh(self):
        t = math.tanh(self.data)
        return self._unary(t, 1 - t * t, "tanh")

    def relu(self):
        return self._unary(max(self.data, 0.0), float(self.data > 0), "relu")

    def sigmoid(self):
        s = (
            1 / (1 + math.exp(-self.data))
            if self.data >= 0
            else (math.exp(self.data) / (1 + math.exp(self.data)))
        )
        return self._unary(s, s * (1 - s), "sigmoid")

    def backward(self):
        """Set ``grad`` of every node to d(self)/d(node)."""
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent in node._prev:
                    visit(parent)
                order.append(node)

        visit(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-_value(other))

    def __rsub__(self, other):
        return _value(other) + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * _value(other) ** -1

    def __rtruediv__(self, other):
        return _value(other) * self**-1

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


def _value(x):
    return x if isinstance(x, Value) else Value(x)
