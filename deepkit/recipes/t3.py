"""Tutorial T3's worked examples: forward propagation with hand-set weights and a computational graph.

    from deepkit.recipes import t3
    print(t3.run().report())

Each toy network is a reference model whose weights are set with ``set_weights``
(kernel columns are the tutorial's per-node weight lists; no biases), run
forward, and run again as the Keras model ``to_keras()`` builds from it:

- input [-1, 2]; hidden node_0 [3, 3], node_1 [1, 5]; output [2, -1]:
  ReLU hidden units give -3. T3's tanh variant is broken code; with tanh hidden
  units the output is 2 tanh(3) - tanh(9) = 0.99010...
- input [3, 5]; node_0_0 [2, 4], node_0_1 [4, -5], node_1_0 [-1, 1],
  node_1_1 [2, 2], output [2, 7]; ReLU hidden, linear output: 364.

The graph: p = x + y, g = p * z at x = 1, y = 3, z = -3 gives g = -12 and, by
backpropagation on the graph (``deepkit.reference.autodiff.Value``),
dg/dx = dg/dy = z = -3, dg/dz = p = 4; TensorFlow's GradientTape checks them.
"""

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from deepkit.report import format_grid
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting

ONE_HIDDEN = {"input": [-1, 2], "hidden": [[3, 3], [1, 5]], "output": [2, -1]}
TWO_HIDDEN = {"input": [3, 5], "hidden": [[[2, 4], [4, -5]], [[-1, 1], [2, 2]]], "output": [2, 7]}


@dataclass
class T3Result:
    """Rows of (example, expected, NumPy reference, Keras)."""

    rows: list

    def report(self):
        header = ["example", "expected", "NumPy reference", "Keras"]
        rows = [
            [name, _show(expected), _show(reference), _show(keras_value)]
            for name, expected, reference, keras_value in self.rows
        ]
        return format_grid(
            header, rows, title="Tutorial T3: forward propagation and a computational graph"
        )

    @property
    def max_error(self):
        """Largest |reference - expected| and |Keras - expected| over all rows."""
        return max(
            max(abs(reference - expected), abs(keras_value - expected))
            for _, expected, reference, keras_value in self.rows
        )


def _show(value):
    return f"{value:.8g}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def kernel(node_weights):
    """Per-node weight lists -> a Keras kernel (inputs, nodes): node j's weights in column j."""
    return np.column_stack([np.asarray(w, dtype="float64") for w in node_weights])


def toy_network(layers, activation):
    """A reference model without biases: ``layers`` lists each layer's per-node weights
    (hidden layers use ``activation``, the single output node is linear)."""
    from deepkit import reference as ref

    n_inputs = len(layers[0][0])
    model = ref.Sequential(
        [ref.Input((n_inputs,))]
        + [ref.Dense(len(nodes), activation=activation, use_bias=False) for nodes in layers[:-1]]
        + [ref.Dense(len(layers[-1]), use_bias=False)],
        name=f"toy_{activation}",
        dtype="float64",
    )
    model.build()
    model.set_weights([kernel(nodes) for nodes in layers])
    return model


def forward(model, inputs):
    """(reference output, Keras output) of ``model`` and ``model.to_keras()`` for one input row."""
    x = np.asarray([inputs], dtype="float64")
    keras_model = model.to_keras()
    return float(model.predict(x)[0, 0]), float(keras_model(x)[0, 0])


def graph_example(x=1.0, y=3.0, z=-3.0):
    """T3's graph p = x + y, g = p z: ``{"g": .., "dg/dx": .., ...}`` by the NumPy reference's
    autodiff, and the same by TensorFlow's GradientTape."""
    import tensorflow as tf

    from deepkit.reference.autodiff import Value

    vx, vy, vz = Value(x), Value(y), Value(z)
    g = (vx + vy) * vz
    g.backward()
    ours = {"g": g.data, "dg/dx": vx.grad, "dg/dy": vy.grad, "dg/dz": vz.grad}
    tx, ty, tz = (tf.Variable(v, dtype=tf.float64) for v in (x, y, z))
    with tf.GradientTape() as tape:
        tg = (tx + ty) * tz
    grads = tape.gradient(tg, [tx, ty, tz])
    theirs = {"g": float(tg), **{f"dg/d{n}": float(d) for n, d in zip("xyz", grads)}}
    return ours, theirs


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """Nothing in T3's examples is random; the seed is accepted like every entry point's."""

    seed: int = seed_setting("seeds Python, NumPy and TensorFlow")


def run(settings=None, /, *, verbose=0, **overrides):
    """Compute every worked example with the NumPy reference and with Keras.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: unused (nothing trains).
        **overrides: settings to change, by name.

    Returns:
        A ``T3Result``.
    """
    seed = Settings.resolve(settings, overrides).seed
    from deepkit.seeding import set_seed

    set_seed(seed)
    rows = []
    one_hidden = [ONE_HIDDEN["hidden"], [ONE_HIDDEN["output"]]]
    for activation, expected in (("relu", -3.0), ("tanh", 2 * math.tanh(3) - math.tanh(9))):
        model = toy_network(one_hidden, activation)
        rows.append(
            (
                f"2-2-1 net, {activation} hidden, input {ONE_HIDDEN['input']}",
                expected,
                *forward(model, ONE_HIDDEN["input"]),
            )
        )
    model = toy_network(TWO_HIDDEN["hidden"] + [[TWO_HIDDEN["output"]]], "relu")
    rows.append(
        (
            f"2-2-2-1 net, relu hidden, input {TWO_HIDDEN['input']}",
            364.0,
            *forward(model, TWO_HIDDEN["input"]),
        )
    )
    ours, theirs = graph_example()
    expected = {"g": -12.0, "dg/dx": -3.0, "dg/dy": -3.0, "dg/dz": 4.0}
    for name, value in expected.items():
        label = "graph g = (x + y) z at x=1, y=3, z=-3" if name == "g" else f"graph {name}"
        rows.append((label, value, ours[name], theirs[name]))
    return T3Result(rows=rows)
