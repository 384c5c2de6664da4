"""Parity of the NumPy reference with Keras on Sequential models (functional ones are in
test_functional.py): forward outputs, loss, every parameter gradient (tf.GradientTape),
one optimizer step, and a 10-step ``fit`` trajectory; tight in float64, practical in
float32; random architectures, activations, losses and optimizers (hypothesis); and the
report's error ratio and the batch checks."""

import re

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepkit import parity
from deepkit import reference as ref
from deepkit.parity import keras_float_dtype

TOLERANCE = {"float64": 1e-7, "float32": 1e-5}


def _keras_mlp(sizes, hidden, last, dtype, initializer="glorot_uniform"):
    with keras_float_dtype(dtype):
        layers = [keras.Input((sizes[0],))]
        layers += [
            keras.layers.Dense(
                n,
                activation=hidden,
                bias_initializer="random_normal",
                kernel_initializer=initializer,
            )
            for n in sizes[1:-1]
        ]
        layers.append(
            keras.layers.Dense(sizes[-1], activation=last, bias_initializer="random_normal")
        )
        return keras.Sequential(layers)


def _data(n, inputs, outputs, loss, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, inputs))
    if loss == "sparse_categorical_crossentropy":
        return x, rng.integers(0, outputs, n)
    if loss == "categorical_crossentropy":
        return x, np.eye(outputs)[rng.integers(0, outputs, n)]
    if loss == "binary_crossentropy":
        return x, rng.integers(0, 2, (n, outputs)).astype(float)
    return x, rng.normal(size=(n, outputs))


@pytest.fixture(scope="module", params=["float64", "float32"])
def churn_keras(request):
    """The churn network 11-6-6-1, shared by the optimizer cases of one dtype."""
    return request.param, _keras_mlp([11, 6, 6, 1], "relu", "sigmoid", request.param)


@pytest.mark.parametrize(
    "optimizer",
    [
        "adam",
        "sgd",
        "rmsprop",
        "adagrad",
        keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
        keras.optimizers.RMSprop(momentum=0.5, centered=True),
    ],
    ids=["adam", "sgd", "rmsprop", "adagrad", "sgd-nesterov", "rmsprop-centered"],
)
def test_churn_net_matches_keras(churn_keras, optimizer):
    dtype, keras_model = churn_keras
    x, y = _data(32, 11, 1, "binary_crossentropy")
    with keras_float_dtype(dtype):
        report = parity.compare(keras_model, x, y, loss="binary_crossentropy", optimizer=optimizer)
    quantities = {row.quantity for row in report.rows}
    assert quantities == {"forward", "loss", "gradient", "step"}
    assert len([r for r in report.rows if r.quantity == "gradient"]) == 6
    assert report.dtype == dtype
    assert report.passed and report.rtol == TOLERANCE[dtype], str(report)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(
    "last,loss,outputs",
    [
        ("softmax", "categorical_crossentropy", 4),
        ("softmax", "sparse_categorical_crossentropy", 4),
        ("linear", "mean_squared_error", 2),
        ("sigmoid", "mean_squared_error", 1),
    ],
)
def test_other_heads_match_keras(dtype, last, loss, outputs):
    keras_model = _keras_mlp([5, 7, outputs], "tanh", last, dtype)
    x, y = _data(16, 5, outputs, loss, seed=1)
    with keras_float_dtype(dtype):
        report = parity.compare(keras_model, x, y, loss=loss, optimizer="adam")
    assert report.passed and report.rtol == TOLERANCE[dtype], str(report)


@pytest.mark.parametrize(
    "hidden,last,loss,outputs",
    [
        ("tanh", "softmax", "categorical_crossentropy", 3),
        ("elu", "sigmoid", "binary_crossentropy", 1),
        ("relu", "linear", "mean_squared_error", 2),
    ],
)
def test_activation_layers_match_keras(hidden, last, loss, outputs):
    """Standalone Activation layers (a final sigmoid/softmax one included: Keras scores
    the loss from its logits too) in the forward pass, gradients and a step."""
    with keras_float_dtype("float64"):
        keras_model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(5, bias_initializer="random_normal"),
                keras.layers.Activation(hidden),
                keras.layers.Dense(outputs),
                keras.layers.Activation(last),
            ]
        )
    x, y = _data(12, 4, outputs, loss, seed=3)
    with keras_float_dtype("float64"):
        report = parity.compare(keras_model, x, y, loss=loss, optimizer="adam")
    forward = [r.layer for r in report.rows if r.quantity == "forward"]
    assert forward == [layer.name for layer in keras_model.layers]
    assert [type(layer).__name__ for layer in ref.from_keras(keras_model).layers] == [
        "Dense",
        "Activation",
        "Dense",
        "Activation",
    ]
    assert report.passed, str(report)


def test_saturated_sigmoid_activation_layer_uses_logits_like_keras():
    with keras_float_dtype("float64"):
        keras_model = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(1), keras.layers.Activation("sigmoid")]
        )
        keras_model.set_weights([np.full((3, 1), 30.0), np.zeros(1)])
        report = parity.compare(
            keras_model,
            np.ones((4, 3)),
            np.zeros((4, 1)),
            loss="binary_crossentropy",
            optimizer="sgd",
        )
    loss = [r for r in report.rows if r.quantity == "loss"][0]
    assert report.passed and loss.max_abs < 1e-9, str(report)
    reference = ref.from_keras(keras_model)
    reference.compile(optimizer="sgd", loss="binary_crossentropy")
    assert reference.compute_gradients(np.ones((4, 3)), np.zeros((4, 1)))[0] == pytest.approx(90.0)


def test_saturated_sigmoid_uses_logits_like_keras():
    """Inside Keras the loss of a sigmoid output comes from its logits, unclipped:
    with huge logits the loss is far above the clipped -log(1e-7) = 16.1."""
    keras_model = _keras_mlp([3, 1], None, "sigmoid", "float64")
    keras_model.set_weights([np.full((3, 1), 30.0), np.zeros(1)])
    x, y = np.ones((4, 3)), np.zeros((4, 1))
    with keras_float_dtype("float64"):
        report = parity.compare(keras_model, x, y, loss="binary_crossentropy", optimizer="sgd")
    reference = ref.from_keras(keras_model)
    reference.compile(optimizer="sgd", loss="binary_crossentropy")
    loss, grads = reference.compute_gradients(x, y)
    assert loss == pytest.approx(90.0, rel=1e-9)
    np.testing.assert_allclose(grads[0], np.ones((3, 1)), rtol=1e-9)  # sigmoid(90) - 0 = 1
    assert report.max_ratio() < 1e-5, str(report)  # 1e-12 relative
    # On plain arrays the loss clips, as keras.losses does.
    assert ref.losses.BinaryCrossentropy()(y, reference.predict(x)) == pytest.approx(
        -np.log(1e-7), rel=1e-6
    )


def test_report_prints_every_layer_and_weight():
    keras_model = _keras_mlp([4, 3, 1], "relu", "sigmoid", "float32")
    x, y = _data(8, 4, 1, "binary_crossentropy")
    text = str(parity.compare(keras_model, x, y, loss="binary_crossentropy", optimizer="adam"))
    names = [layer.name for layer in keras_model.layers]
    for quantity in ("forward", "loss", "gradient", "step"):
        assert quantity in text
    assert text.count("kernel") == 4 and text.count("bias") == 4
    assert all(name in text for name in names)
    with pytest.raises(ValueError, match="loss= and optimizer="):
        parity.compare(keras_model, x, y)


def test_error_ratio_is_allclose_with_the_quantity_scale():
    """ratio = max |a - b| / (atol + rtol |b|), atol = rtol * the quantity's largest |b|:
    a near-zero element is judged on the quantity's scale, not on itself."""
    assert parity.TOLERANCE == TOLERANCE
    report = parity.ParityReport("float32", rtol=1e-5)
    keras_kernel, keras_bias = np.array([0.1, -0.05]), np.array([1e-5, -2e-6])
    report.add(
        "gradient",
        [
            ("dense", "kernel", keras_kernel + [0, 1e-7], keras_kernel),
            ("dense", "bias", keras_bias + [5.6e-9, 0], keras_bias),
        ],
    )
    kernel, bias = report.rows
    assert kernel.ratio == pytest.approx(1e-7 / (1e-6 + 5e-7))
    assert bias.ratio == pytest.approx(5.6e-9 / (1e-6 + 1e-10))  # per-tensor relative: 5.6e-4
    assert bias.max_abs == pytest.approx(5.6e-9) and report.passed
    report.add("step", [("dense", "kernel", [1.0, 2.0 + 5e-5], [1.0, 2.0])])
    assert report.max_ratio("step") == pytest.approx(5e-5 / (2e-5 + 2e-5))
    assert not report.passed and report.max_ratio() == report.max_ratio("step")
    assert "FAIL" in str(report) and "atol = rtol * max |keras|" in str(report)
    report.add("loss", [("model", "loss", 1e-9, 0.0)])  # zero scale: any difference fails
    assert report.max_ratio("loss") == np.inf
    with pytest.raises(ValueError, match=r"step dense/bias: reference shape \(2,\)"):
        report.add("step", [("dense", "bias", [0.0, 0.0], [0.0])])


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_ten_step_fit_trajectory_matches_keras(dtype):
    keras_model = _keras_mlp([11, 6, 6, 1], "relu", "sigmoid", dtype, initializer="uniform")
    x, y = _data(80, 11, 1, "binary_crossentropy", seed=2)
    with keras_float_dtype(dtype):
        keras_model.compile(
            optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
        )
        reference = ref.from_keras(keras_model)
        initial = reference.get_weights()
        keras_history = keras_model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    history = reference.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert reference.optimizer.iterations == 10
    rtol = TOLERANCE[dtype]
    for ours, theirs in zip(reference.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * np.abs(theirs).max())
    assert history.history["loss"][0] == pytest.approx(keras_history.history["loss"][0], rel=rtol)
    assert history.history["accuracy"][0] == pytest.approx(
        keras_history.history["accuracy"][0], abs=1e-6
    )
    # the weights moved far more than the tolerance: the match is not trivial
    moved = max(np.abs(a - b).max() for a, b in zip(reference.get_weights(), initial))
    assert moved > 1e-3


HEADS = [
    ("sigmoid", "binary_crossentropy"),
    ("softmax", "categorical_crossentropy"),
    ("softmax", "sparse_categorical_crossentropy"),
    ("linear", "mean_squared_error"),
    ("tanh", "mean_squared_error"),
    # Keras's quirk, mirrored: a sigmoid output with categorical cross-entropy is
    # scored from its logits with a softmax cross-entropy.
    ("sigmoid", "categorical_crossentropy"),
]


OPTIMIZERS = [
    lambda: keras.optimizers.Adam(0.01),
    lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    lambda: keras.optimizers.SGD(0.05, momentum=0.5, nesterov=True),
    lambda: keras.optimizers.RMSprop(),
    lambda: keras.optimizers.Adagrad(0.1),
]


@settings(max_examples=12, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 6), min_size=0, max_size=3),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "elu", "leaky_relu", "linear"]),
    head=st.sampled_from(HEADS),
    outputs=st.integers(2, 4),
    optimizer=st.sampled_from(OPTIMIZERS),
    batch=st.integers(1, 9),
    seed=st.integers(0, 2**16),
)
def test_random_networks_match_keras_in_float64(
    hidden, activation, head, outputs, optimizer, batch, seed
):
    last, loss = head
    outputs = 1 if loss == "binary_crossentropy" else outputs
    keras_model = _keras_mlp([3] + hidden + [outputs], activation, last, "float64")
    x, y = _data(batch, 3, outputs, loss, seed=seed)
    with keras_float_dtype("float64"):
        report = parity.compare(keras_model, x, y, loss=loss, optimizer=optimizer())
    assert report.passed, str(report)


def test_frozen_layers_are_left_alone_like_keras():
    keras_model = _keras_mlp([4, 5, 3, 1], "relu", "sigmoid", "float64")
    keras_model.layers[0].trainable = False
    x, y = _data(8, 4, 1, "binary_crossentropy")
    with keras_float_dtype("float64"):
        report = parity.compare(keras_model, x, y, loss="binary_crossentropy", optimizer="adam")
    gradient_layers = {r.layer for r in report.rows if r.quantity == "gradient"}
    assert keras_model.layers[0].name not in gradient_layers and len(gradient_layers) == 2
    assert report.passed, str(report)
    reference = ref.from_keras(keras_model)
    reference.compile(optimizer="adam", loss="binary_crossentropy")
    frozen = reference.layers[0].get_weights()
    reference.fit(x, y, batch_size=4, epochs=2, verbose=0)
    for before, after in zip(frozen, reference.layers[0].get_weights()):
        np.testing.assert_array_equal(before, after)
    assert not np.allclose(reference.layers[1].kernel, keras_model.layers[1].get_weights()[0])


@settings(max_examples=8, deadline=None)
@given(
    hidden=st.lists(st.integers(1, 8), min_size=1, max_size=2),
    activation=st.sampled_from(["relu", "tanh", "sigmoid", "elu", "leaky_relu"]),
    head=st.sampled_from(HEADS[:4]),
    optimizer=st.sampled_from(OPTIMIZERS),
    seed=st.integers(0, 2**16),
)
def test_random_networks_match_keras_in_float32(hidden, activation, head, optimizer, seed):
    last, loss = head
    outputs = 1 if loss == "binary_crossentropy" else 3
    keras_model = _keras_mlp([4] + hidden + [outputs], activation, last, "float32")
    x, y = _data(16, 4, outputs, loss, seed=seed)
    report = parity.compare(keras_model, x, y, loss=loss, optimizer=optimizer())
    assert report.passed, str(report)


def test_fit_history_with_partial_batches_and_validation_split_matches_keras():
    x, y = _data(84, 5, 3, "sparse_categorical_crossentropy", seed=4)
    keras_model = _keras_mlp([5, 7, 3], "tanh", "softmax", "float64")
    with keras_float_dtype("float64"):
        keras_model.compile(
            optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        reference = ref.from_keras(keras_model)
        keras_history = keras_model.fit(
            x, y, batch_size=8, epochs=3, shuffle=False, validation_split=0.25, verbose=0
        ).history
    history = reference.fit(
        x, y, batch_size=8, epochs=3, shuffle=False, validation_split=0.25, verbose=0
    ).history
    assert set(history) == set(keras_history)
    for key in keras_history:
        np.testing.assert_allclose(history[key], keras_history[key], rtol=1e-12, atol=1e-15)
    for ours, theirs in zip(reference.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-13)


# Bad batches are refused before any work; NaN never passes.


def test_a_bad_batch_is_refused_before_any_work(monkeypatch):
    from deepkit import reference
    from deepkit.validation import InputError

    def no_work(*args, **kwargs):
        raise AssertionError("the NumPy reference was built before the batch was refused")

    monkeypatch.setattr(reference, "from_keras", no_work)
    keras_model = _keras_mlp([3, 2, 1], "relu", "sigmoid", "float32")
    x, y = _data(4, 3, 1, "binary_crossentropy")
    nan_x, inf_y = x.copy(), y.copy()
    nan_x[2, 1] = np.nan
    inf_y[1, 0] = np.inf
    cases = {  # 6 cases
        "x holds nan at index (2, 1); parity needs finite inputs": (nan_x, y),
        "y holds inf at index (1, 0)": (x, inf_y),
        "x is an empty batch (shape (0, 3))": (x[:0], y[:0]),
        "y is an empty batch": (x, []),
        "x has 4 rows but y has 3": (x, y[:3]),
        "x must hold numbers, got dtype <U1": (np.full((4, 3), "a"), y),
    }
    for message, (bad_x, bad_y) in cases.items():
        with pytest.raises(InputError, match=re.escape(message)):
            parity.compare(keras_model, bad_x, bad_y, loss="binary_crossentropy", optimizer="sgd")
    for rtol in (0.0, -1e-5, np.nan, 2.0):
        with pytest.raises(InputError, match="rtol must be a number > 0.0 and <= 1.0"):
            parity.compare(keras_model, x, y, loss="binary_crossentropy", rtol=rtol)


def test_nan_or_inf_on_either_side_fails_its_row_and_only_its_row():
    report = parity.ParityReport("float64", rtol=1e-7)
    report.add(
        "forward",
        [
            ("dense", "outputs", [1.0, 2.0], [1.0, 2.0]),
            ("reference_nan", "outputs", [np.nan, 2.0], [1.0, 2.0]),
            ("keras_nan", "outputs", [1.0, 2.0], [1.0, np.nan]),
            ("both_nan", "outputs", [np.nan, 2.0], [np.nan, 2.0]),
            ("both_inf", "outputs", [np.inf, 2.0], [np.inf, 2.0]),
        ],
    )
    rows = {row.layer: row for row in report.rows}
    assert rows["dense"].passed and rows["dense"].ratio == 0.0
    for name in ("reference_nan", "keras_nan", "both_nan", "both_inf"):
        assert not rows[name].passed and rows[name].ratio == np.inf, name
    assert np.isnan(rows["both_nan"].max_abs) and rows["both_inf"].max_abs == np.inf
    assert not report.passed and report.max_ratio("forward") == np.inf
    assert str(report).count("FAIL") == 5  # the title and the four rows


def test_a_model_whose_outputs_are_nan_fails_parity():
    """Finite inputs, a NaN weight: Keras and the NumPy reference both output NaN, which must fail."""
    keras_model = _keras_mlp([3, 2, 1], "relu", "sigmoid", "float64")
    kernel, *rest = keras_model.get_weights()
    kernel[0, 0] = np.nan
    keras_model.set_weights([kernel, *rest])
    x, y = _data(4, 3, 1, "binary_crossentropy")
    with keras_float_dtype("float64"):
        report = parity.compare(keras_model, x, y, loss="binary_crossentropy", optimizer="sgd")
    assert not report.passed, str(report)
    assert all(not row.passed for row in report.rows if row.quantity in ("forward", "loss"))


def test_gradient_rows_are_labelled_with_the_trainable_weights_only():
    # BatchNormalization's moving statistics are weights without gradients: the rows after
    # it must still name the weight each gradient belongs to.
    import keras

    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    report = parity.compare(model, x, np.array([0, 1] * 4))
    labels = [(row.layer, row.weight) for row in report.rows if row.quantity == "gradient"]
    names = [layer.name for layer in model.layers]
    assert labels == [
        (names[0], "kernel"),
        (names[0], "bias"),
        (names[1], "gamma"),
        (names[1], "beta"),
        (names[2], "kernel"),
        (names[2], "bias"),
    ]
    assert report.passed
