"""``parity.compare`` on functional models: one forward row per layer call in Keras's
order, several inputs and outputs (lists or dicts), per-output losses with their
weights, a shared layer's gradients summed, nested models; and a weight perturbed in
the NumPy reference after conversion fails exactly the rows that depend on it."""

import re

import keras
import numpy as np
import pytest

from deepkit import parity
from deepkit import reference as ref
from deepkit.parity import keras_float_dtype, nodes
from deepkit.validation import InputError


def _two_branch_model():
    """x -> dense_a and the nested model "inner" (two Dense) -> add -> concatenate -> out."""
    x = keras.Input((4,), name="x")
    a = keras.layers.Dense(5, activation="tanh", name="dense_a")(x)
    inner = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(6, activation="relu", bias_initializer="random_normal"),
            keras.layers.Dense(5, name="inner_out"),
        ],
        name="inner",
    )
    b = inner(x)
    added = keras.layers.Add(name="add")([a, b])
    joined = keras.layers.Concatenate(name="concatenate")([a, added])
    out = keras.layers.Dense(3, activation="softmax", name="out")(joined)
    return keras.Model(x, out)


def _two_output_model(loss_weights):
    """Inputs in_a, in_b; outputs main (sigmoid, from both) and aux (linear, from in_b)."""
    in_a, in_b = keras.Input((3,), name="in_a"), keras.Input((2,), name="in_b")
    h_a = keras.layers.Dense(4, activation="relu", name="dense_a")(in_a)
    h_b = keras.layers.Dense(4, activation="tanh", name="dense_b", kernel_regularizer="l2")(in_b)
    joined = keras.layers.Concatenate(name="concatenate")([h_a, h_b])
    main = keras.layers.Dense(1, activation="sigmoid", name="main")(joined)
    aux = keras.layers.Dense(2, name="aux")(h_b)
    model = keras.Model([in_a, in_b], [main, aux])
    model.compile(
        optimizer="sgd",
        loss={"main": "binary_crossentropy", "aux": "mean_squared_error"},
        loss_weights=loss_weights,
    )
    return model


def _two_output_batch(n=8):
    rng = np.random.default_rng(1)
    x = {"in_a": rng.normal(size=(n, 3)), "in_b": rng.normal(size=(n, 2))}
    y = {"main": rng.integers(0, 2, (n, 1)).astype(float), "aux": rng.normal(size=(n, 2))}
    return x, y


def _shared_layer_model():
    """One Dense called on in_a and on in_b; aux reads the second call, so Keras
    runs that call first (it is deeper)."""
    in_a, in_b = keras.Input((3,), name="in_a"), keras.Input((3,), name="in_b")
    shared = keras.layers.Dense(4, activation="tanh", name="shared")
    s_a, s_b = shared(in_a), shared(in_b)
    joined = keras.layers.Concatenate(name="concatenate")([s_a, s_b])
    main = keras.layers.Dense(1, name="main")(joined)
    aux = keras.layers.Dense(2, name="aux")(s_b)
    return keras.Model([in_a, in_b], [main, aux])


def _labels(report, quantity):
    return [(row.layer, row.weight) for row in report.rows if row.quantity == quantity]


def _failed(report):
    return {(row.quantity, row.layer, row.weight) for row in report.rows if not row.passed}


def _perturb_reference(monkeypatch, layer, weight, delta):
    """Make compare's NumPy reference differ from Keras in one weight entry."""
    convert = ref.from_keras

    def perturbed(keras_model):
        model = convert(keras_model)
        target = next(lay for lay in model.layers if lay.name == layer)
        getattr(target, weight).flat[0] += delta
        return model

    monkeypatch.setattr(ref, "from_keras", perturbed)


def test_two_branch_model_with_add_concatenate_and_a_nested_model_matches_keras():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
    with keras_float_dtype("float64"):
        model = _two_branch_model()
        report = parity.compare(model, x, y, loss="categorical_crossentropy", optimizer="adam")
    assert report.passed, str(report)
    # Keras's order: by decreasing depth (dense_a feeds add, which is deeper than concatenate).
    assert _labels(report, "forward") == [
        ("dense_a", "outputs"),
        ("inner", "outputs"),
        ("add", "outputs"),
        ("concatenate", "outputs"),
        ("out", "outputs"),
    ]
    inner = [layer.name for layer in model.get_layer("inner").layers]
    assert _labels(report, "gradient") == [
        ("dense_a", "kernel"),
        ("dense_a", "bias"),
        (f"inner/{inner[0]}", "kernel"),
        (f"inner/{inner[0]}", "bias"),
        ("inner/inner_out", "kernel"),
        ("inner/inner_out", "bias"),
        ("out", "kernel"),
        ("out", "bias"),
    ]
    assert _labels(report, "step") == _labels(report, "gradient")


def test_a_perturbed_branch_fails_the_forward_rows_downstream_of_it_only(monkeypatch):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)), np.eye(3)[rng.integers(0, 3, 8)]
    with keras_float_dtype("float64"):
        model = _two_branch_model()
        _perturb_reference(monkeypatch, "dense_a", "bias", 0.1)
        report = parity.compare(model, x, y, loss="categorical_crossentropy", optimizer="sgd")
    failed_forward = [
        row.layer for row in report.rows if row.quantity == "forward" and not row.passed
    ]
    assert failed_forward == ["dense_a", "add", "concatenate", "out"]  # not the other branch
    # Every gradient depends on the output, so every gradient and (SGD) step row fails.
    assert not any(row.passed for row in report.rows if row.quantity != "forward")


def test_two_inputs_two_outputs_with_loss_weights_match_keras():
    x, y = _two_output_batch()
    with keras_float_dtype("float64"):
        model = _two_output_model({"main": 1.0, "aux": 0.3})
        report = parity.compare(model, x, y)  # dicts keyed by name, as fit takes them
        listed = parity.compare(model, [x["in_a"], x["in_b"]], [y["main"], y["aux"]])
    assert report.passed, str(report)
    assert _labels(report, "loss") == [("model", "loss"), ("main", "loss"), ("aux", "loss")]
    assert _labels(report, "forward") == [
        ("dense_b", "outputs"),
        ("dense_a", "outputs"),
        ("concatenate", "outputs"),
        ("aux", "outputs"),
        ("main", "outputs"),
    ]
    assert [(r.layer, r.weight, r.max_abs) for r in listed.rows] == [
        (r.layer, r.weight, r.max_abs) for r in report.rows
    ]


def test_an_output_with_loss_weight_zero_leaves_the_total_loss_and_gradients_alone(
    monkeypatch,
):
    """The reference's aux kernel is off by 0.5: its output and its own loss differ, but
    with loss weight 0 the total loss and every gradient still match Keras; after the
    SGD step only that weight differs."""
    x, y = _two_output_batch()
    with keras_float_dtype("float64"):
        model = _two_output_model({"main": 1.0, "aux": 0.0})
        _perturb_reference(monkeypatch, "aux", "kernel", 0.5)
        report = parity.compare(model, x, y)
    assert _failed(report) == {
        ("forward", "aux", "outputs"),
        ("loss", "aux", "loss"),
        ("step", "aux", "kernel"),
    }, str(report)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_shared_layer_has_a_row_per_call_and_one_summed_gradient(dtype):
    rng = np.random.default_rng(2)
    x = [rng.normal(size=(6, 3)), rng.normal(size=(6, 3))]
    y = [rng.normal(size=(6, 1)), rng.normal(size=(6, 2))]
    with keras_float_dtype(dtype):
        model = _shared_layer_model()
        report = parity.compare(model, x, y, loss="mean_squared_error", optimizer="adam")
    assert report.passed and report.rtol == parity.TOLERANCE[dtype], str(report)
    assert _labels(report, "forward") == [
        ("shared", "outputs (call 2)"),  # on in_b: deeper, since aux reads it too
        ("shared", "outputs (call 1)"),
        ("concatenate", "outputs"),
        ("aux", "outputs"),
        ("main", "outputs"),
    ]
    gradient_layers = [layer for layer, _ in _labels(report, "gradient")]
    assert gradient_layers == ["shared", "shared", "main", "main", "aux", "aux"]  # one per weight


def test_keras_nodes_pair_with_the_reference_calls_by_structure_not_position():
    with keras_float_dtype("float64"):
        model = _shared_layer_model()
    reference_model = ref.from_keras(model)
    graph = nodes.keras_graph(model)
    keras_nodes = nodes.keras_nodes(graph)
    reference_nodes = ref.models.graph.map_graph(reference_model.inputs, reference_model.outputs)[0]
    pairs = nodes.pair_nodes(graph, keras_nodes, reference_model, reference_nodes)
    # Keras runs shared's second call (on in_b) first: its pair is the call on in_b.
    assert [[x.node.layer.name for x in node.inputs] for node in pairs[:2]] == [["in_b"], ["in_a"]]
    assert nodes.pair_nodes(graph, keras_nodes, reference_model, reference_nodes[::-1]) == pairs


def test_several_inputs_and_outputs_are_checked_before_any_work(monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the NumPy reference was built before the batch was refused")

    monkeypatch.setattr(ref, "from_keras", no_work)
    with keras_float_dtype("float64"):
        model = _two_output_model(None)
    x, y = _two_output_batch()
    short_b = {**x, "in_b": x["in_b"][:7]}
    nan_aux = {**y, "aux": np.where(np.eye(8, 2) > 0, np.nan, y["aux"])}
    cases = {
        "x['in_a'] has 8 rows but x['in_b'] has 7": (short_b, y),
        "y['aux'] holds nan at index (0, 0)": (x, nan_aux),
        "x is a dict with keys ['in_a']; the model's inputs are named ['in_a', 'in_b']": (
            {"in_a": x["in_a"]},
            y,
        ),
        "the model has 2 outputs (main, aux): y must be a list of 2 arrays": (x, [y["main"]]),
        "the model has 2 inputs (in_a, in_b): x must be a list": (x["in_a"], y),
        "x[1] is an empty batch": ([x["in_a"], x["in_b"][:0]], y),
    }
    for message, (bad_x, bad_y) in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            parity.compare(model, bad_x, bad_y)
