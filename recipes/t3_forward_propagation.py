"""Tutorial T3's worked examples: forward propagation by hand, and a computational graph.

Run:  python recipes/t3_forward_propagation.py
"""

import math

import numpy as np

from deepkit.recipes import t3
from deepkit.reference.autodiff import Value

# 1. Input [-1, 2]; hidden node_0 weights [3, 3], node_1 [1, 5]; output weights [2, -1].
#    A reference model without biases; set_weights takes Keras kernels (inputs, nodes).
x = np.array([[-1.0, 2.0]])
for activation in ("relu", "tanh"):
    model = t3.toy_network([[[3, 3], [1, 5]], [[2, -1]]], activation)
    print(f"{activation} hidden units: output {model.predict(x)[0, 0]:.6f}")
print(f"(expected: -3 with ReLU, 2 tanh(3) - tanh(9) = {2 * math.tanh(3) - math.tanh(9):.6f})")

# 2. Two hidden layers: input [3, 5]; node_0_0 [2, 4], node_0_1 [4, -5];
#    node_1_0 [-1, 1], node_1_1 [2, 2]; output [2, 7]. ReLU hidden, linear output.
deep = t3.toy_network([[[2, 4], [4, -5]], [[-1, 1], [2, 2]], [[2, 7]]], "relu")
print(f"two hidden layers: output {deep.predict(np.array([[3.0, 5.0]]))[0, 0]:g}  (expected 364)")

# 3. The computational graph p = x + y, g = p * z, and backpropagation on it.
x_, y_, z_ = Value(1.0), Value(3.0), Value(-3.0)
p = x_ + y_
g = p * z_
g.backward()
print(
    f"p = {p.data:g}, g = {g.data:g}; dg/dx = {x_.grad:g}, dg/dy = {y_.grad:g}, "
    f"dg/dp = {p.grad:g}, dg/dz = {z_.grad:g}"
)

# 4. Everything again, checked against Keras models with the same weights.
print(t3.run().report())
