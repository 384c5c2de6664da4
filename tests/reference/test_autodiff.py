"""The computational graph (deepkit.reference.autodiff) and, through it and
finite differences, every hand-written backward pass of the NumPy reference."""

import math

import numpy as np
import pytest

from deepkit import reference as ref
from deepkit.reference import activations, losses
from deepkit.reference.autodiff import Value


def test_t3_worked_example():
    x, y, z = Value(1.0), Value(3.0), Value(-3.0)
    p = x + y
    g = p * z
    g.backward()
    assert g.data == -12.0
    assert (x.grad, y.grad, z.grad) == (-3.0, -3.0, 4.0)
    assert p.grad == -3.0


def test_value_ops_match_finite_differences():
    def f(a, b):
        return (
            ((a * b + 3) ** 2 / (b - 5)).tanh()
            + (a / 4).exp()
            - (b * b).log()
            + (a - b).relu()
            + (a * 0.3).sigmoid()
            - 2 * a
        )

    a, b = Value(0.7), Value(-1.3)
    out = f(a, b)
    out.backward()
    h = 1e-6
    da = (f(Value(0.7 + h), b).data - f(Value(0.7 - h), b).data) / (2 * h)
    db = (f(a, Value(-1.3 + h)).data - f(a, Value(-1.3 - h)).data) / (2 * h)
    assert a.grad == pytest.approx(da, rel=1e-6)
    assert b.grad == pytest.approx(db, rel=1e-6)


def test_gradients_accumulate_when_a_value_is_reused():
    x = Value(2.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 5.0
    y.backward()  # a second backward recomputes, it does not double
    assert x.grad == 5.0


def _values(array):
    return np.array([Value(v) for v in np.ravel(array)], dtype=object).reshape(np.shape(array))


def _grads(values):
    return np.vectorize(lambda v: v.grad, otypes=[float])(values)


def _data(values):
    return np.vectorize(lambda v: v.data, otypes=[float])(values)


def _value_softmax(row):
    m = max(v.data for v in row)
    exps = [(v - m).exp() for v in row]
    total = sum(exps[1:], exps[0])
    return [e / total for e in exps]


VALUE_ACTIVATIONS = {
    "linear": lambda v: v,
    "sigmoid": lambda v: v.sigmoid(),
    "tanh": lambda v: v.tanh(),
    "relu": lambda v: v.relu(),
    "leaky_relu": lambda v: v if v.data > 0 else v * float(np.float32(0.2)),  # as TF's op
    "elu": lambda v: v if v.data > 0 else v.exp() - 1,
}


@pytest.mark.parametrize("name", list(VALUE_ACTIVATIONS) + ["softmax"])
def test_activation_forward_and_backward_match_the_graph(name):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 5)) * 2
    upstream = rng.normal(size=(4, 5))
    act = activations.get(name)
    y = act.forward(x)
    dx = act.backward(x, y, upstream)

    xv = _values(x)
    if name == "softmax":
        yv = np.array([_value_softmax(list(row)) for row in xv], dtype=object)
    else:
        yv = np.vectorize(VALUE_ACTIVATIONS[name], otypes=[object])(xv)
    objective = sum((u * v for u, v in zip(upstream.ravel(), yv.ravel())), Value(0.0))
    objective.backward()
    np.testing.assert_allclose(y, _data(yv), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dx, _grads(xv), rtol=1e-10, atol=1e-12)


def test_sigmoid_is_accurate_for_large_negative_inputs():
    x = np.array([-20.0, -80.0, 0.0, 30.0], dtype="float32")
    expected = 1 / (1 + np.exp(-x.astype("float64")))
    np.testing.assert_allclose(activations.sigmoid(x), expected, rtol=1e-6)
    assert activations.sigmoid(x).dtype == np.float32


def test_dense_backward_matches_the_graph():
    rng = np.random.default_rng(2)
    layer = ref.Dense(3, activation="tanh", dtype="float64")
    layer.build((None, 4))
    layer.set_weights([rng.normal(size=(4, 3)), rng.normal(size=3)])
    x = rng.normal(size=(5, 4))
    upstream = rng.normal(size=(5, 3))
    y = layer(x)
    dx = layer.backprop(upstream)

    xv, kv, bv = _values(x), _values(layer.kernel), _values(layer.bias)
    objective = Value(0.0)
    for n in range(5):
        for j in range(3):
            z = sum((xv[n, i] * kv[i, j] for i in range(4)), bv[j])
            objective = objective + upstream[n, j] * z.tanh()
    objective.backward()
    np.testing.assert_allclose(layer.grads["kernel"], _grads(kv), rtol=1e-10)
    np.testing.assert_allclose(layer.grads["bias"], _grads(bv), rtol=1e-10)
    np.testing.assert_allclose(dx, _grads(xv), rtol=1e-10)
    np.testing.assert_allclose(y, np.tanh(x @ layer.kernel + layer.bias), rtol=1e-12)


def _value_bce(y, p):
    return -(y * p.log() + (1 - y) * (1 - p).log())


LOSS_CASES = {
    # name: (loss, y_true, y_pred, value-graph per-sample loss over rows)
    "binary_crossentropy": (
        losses.BinaryCrossentropy(),
        [[1.0], [0.0], [1.0]],
        [[0.8], [0.3], [0.1]],
        lambda y, p: sum(_value_bce(a, b) for a, b in zip(y, p)) / len(p),
    ),
    "binary_crossentropy_logits": (
        losses.BinaryCrossentropy(from_logits=True),
        [[1.0, 0.0], [0.0, 1.0]],
        [[1.5, -0.2], [-3.0, 0.7]],
        lambda y, z: sum(_value_bce(a, b.sigmoid()) for a, b in zip(y, z)) / len(z),
    ),
    "categorical_crossentropy": (
        losses.CategoricalCrossentropy(),
        [[0, 1, 0], [1, 0, 0]],
        [[0.2, 0.5, 0.4], [0.6, 0.3, 0.3]],  # rows not normalized: Keras divides by the sum
        lambda y, o: -sum(a * (b / sum(o[1:], o[0])).log() for a, b in zip(y, o)),
    ),
    "categorical_crossentropy_logits": (
        losses.CategoricalCrossentropy(from_logits=True),
        [[0, 1, 0], [0.5, 0, 0.5]],
        [[0.2, 2.5, -1.0], [1.0, -0.3, 0.3]],
        lambda y, z: -sum(a * b.log() for a, b in zip(y, _value_softmax(z))),
    ),
    "mean_squared_error": (
        losses.MeanSquaredError(),
        [[1.0, 2.0], [0.0, -1.0]],
        [[0.5, 2.5], [0.3, -2.0]],
        lambda y, p: sum((b - a) ** 2 for a, b in zip(y, p)) / len(p),
    ),
}


@pytest.mark.parametrize("case", list(LOSS_CASES))
def test_loss_value_and_gradient_match_the_graph(case):
    loss, y_true, y_pred, per_sample = LOSS_CASES[case]
    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)
    value, grad = loss.value_and_grad(*loss.prepare(y_true, y_pred))
    pv = _values(y_pred)
    total = sum((per_sample(list(y), list(p)) for y, p in zip(y_true, pv)), Value(0.0))
    mean = total / len(y_true)
    mean.backward()
    assert value == pytest.approx(mean.data, rel=1e-12)
    np.testing.assert_allclose(grad, _grads(pv), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("from_logits", [False, True])
def test_sparse_categorical_crossentropy_matches_the_graph(from_logits):
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    y_true = np.array([2, 0])
    y_pred = (
        np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
        if not from_logits
        else np.array([[0.2, -1.3, 2.5], [0.1, 0.4, -0.8]])
    )
    value, grad = loss.value_and_grad(*loss.prepare(y_true, y_pred))
    pv = _values(y_pred)
    terms = []
    for t, row in zip(y_true, pv):
        logits = list(row) if from_logits else [v.log() for v in row]
        terms.append(-_value_softmax(logits)[t].log())
    mean = sum(terms[1:], terms[0]) / 2
    mean.backward()
    assert value == pytest.approx(mean.data, rel=1e-12)
    np.testing.assert_allclose(grad, _grads(pv), rtol=1e-10, atol=1e-14)


def test_clipped_probabilities_have_zero_gradient():
    loss = losses.BinaryCrossentropy()
    value, grad = loss.value_and_grad(*loss.prepare([[1.0], [0.0]], [[0.0], [1.0]]))
    assert value == pytest.approx(-math.log(1e-7), rel=1e-6)
    assert np.all(grad == 0)


@pytest.mark.parametrize(
    "loss,units,last",
    [
        ("binary_crossentropy", 1, "sigmoid"),
        ("categorical_crossentropy", 3, "softmax"),
        ("sparse_categorical_crossentropy", 3, "softmax"),
        ("mean_squared_error", 2, "linear"),
    ],
)
def test_model_gradients_match_finite_differences(loss, units, last):
    rng = np.random.default_rng(3)
    model = ref.Sequential(
        [
            ref.Input((4,)),
            ref.Dense(5, activation="elu"),
            ref.Dense(4, activation="tanh"),
            ref.Dense(units, activation=last),
        ],
        seed=0,
        dtype="float64",
    )
    model.compile(optimizer="sgd", loss=loss)
    x = rng.normal(size=(6, 4))
    if loss == "sparse_categorical_crossentropy":
        y = rng.integers(0, units, 6)
    elif loss == "categorical_crossentropy":
        y = np.eye(units)[rng.integers(0, units, 6)]
    else:
        y = rng.random((6, units)).round()
    _, grads = model.compute_gradients(x, y)
    h = 1e-6
    for weight, grad in zip(model.weights, grads):
        flat = weight.reshape(-1)
        numeric = np.empty(flat.size)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + h
            up = model.compute_gradients(x, y)[0]
            flat[i] = saved - h
            down = model.compute_gradients(x, y)[0]
            flat[i] = saved
            numeric[i] = (up - down) / (2 * h)
        np.testing.assert_allclose(grad.reshape(-1), numeric, rtol=1e-5, atol=1e-8)
