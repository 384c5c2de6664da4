"""The recurrent family: reference layers of SimpleRNN, LSTM, GRU and Bidirectional against Keras,
the Orthogonal initializer, and the rnn_classifier / rnn_forecaster builders.

Weights are copied from Keras, never re-drawn from a shared seed; dropout masks are
injected on both sides (Keras: the cell's get_dropout_mask / get_recurrent_dropout_mask
return the same keep-mask * 1/(1-rate)). Tight checks in float64 (rtol 1e-7), practical
ones in float32 (rtol 1e-5); the hand-written BPTT is also checked by central differences.
"""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

from deepkit import parity
from deepkit import reference as ref
from deepkit.models.rnn import rnn_classifier, rnn_forecaster
from deepkit.parity import keras_float_dtype
from deepkit.reference.initializers import Orthogonal
from deepkit.reference.layers import GRU, LAYERS, LSTM, Bidirectional, SimpleRNN
from deepkit.validation import InputError

CELLS = {"simple": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
GATES = {"simple": 1, "lstm": 4, "gru": 3}
OPTIONS = [
    {},
    {"return_sequences": True},
    {"go_backwards": True},
    {"return_sequences": True, "go_backwards": True},
    {"activation": "relu", "use_bias": False},
]


def keras_layer_for(cell, units, **options):
    """A Keras recurrent layer with a random bias (so bias gradients are not trivial)."""
    if options.get("use_bias", True):
        options.setdefault("bias_initializer", "random_normal")
    return CELLS[cell](units, **options)


def reference_of(keras_layer, input_shape, dtype="float64"):
    """The standalone NumPy reference of a built Keras layer, with its weights; it propagates to inputs."""
    layer = LAYERS[type(keras_layer).__name__].from_keras(keras_layer)
    layer.dtype = dtype
    layer.build((None,) + tuple(input_shape))
    layer.set_weights(keras_layer.get_weights())
    return layer


def inject_masks(keras_layer, reference, input_keep, state_keep):
    """The same dropout keep-masks on both sides (Keras's cell returns keep / (1 - rate))."""
    cell = keras_layer.cell
    reference.fixed_dropout_mask, reference.fixed_recurrent_dropout_mask = input_keep, state_keep

    def scaled(keep, rate):
        values = [tf.constant(k * (1 / (1 - rate)), cell.compute_dtype) for k in keep]
        return values[0] if len(values) == 1 else values

    cell.get_dropout_mask = lambda _: scaled(input_keep, cell.dropout)
    cell.get_recurrent_dropout_mask = lambda _: scaled(state_keep, cell.recurrent_dropout)


def random_keeps(rng, cell, layer_config, batch, features, units):
    """Keep-masks of the shapes Keras draws: one per gate when recurrent_dropout > 0."""
    count = GATES[cell] if layer_config.get("recurrent_dropout") else 1
    input_keep = rng.random((count, batch, features)) >= layer_config.get("dropout", 0)
    state_keep = rng.random((count, batch, units)) >= layer_config.get("recurrent_dropout", 0)
    return input_keep, state_keep


def keras_forward_and_grads(keras_layer, x, dy, training=False):
    """Keras outputs and the gradients of sum(outputs * dy) w.r.t. the inputs and weights."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = keras_layer(x, training=training)
        objective = tf.reduce_sum(y * dy)
    grads = tape.gradient(objective, [x] + keras_layer.trainable_weights)
    return y.numpy(), [g.numpy() for g in grads]


def assert_layer_matches_keras(keras_layer, x, training=False, masks=None, rtol=1e-7):
    """Forward outputs, dLoss/dx and every weight gradient of the NumPy reference against the tape."""
    keras_layer.build(x.shape)
    layer = reference_of(keras_layer, x.shape[1:], x.dtype.name)
    if masks is not None:
        inject_masks(keras_layer, layer, *masks)
    y = layer(x, training=training)
    dy = np.random.default_rng(5).normal(size=y.shape).astype(x.dtype)
    keras_y, keras_grads = keras_forward_and_grads(keras_layer, x, dy, training)
    reference_grads = [layer.backprop(dy)] + layer.gradients
    assert y.shape == keras_y.shape == layer.compute_output_shape(x.shape)
    report = parity.ParityReport(x.dtype.name, rtol)
    report.add("forward", [("layer", "outputs", y, keras_y)])
    report.add("gradient", [("layer", "inputs", reference_grads[0], keras_grads[0])])
    report.add(
        "gradient",
        [
            ("layer", name, g, k)
            for name, g, k in zip(layer.weight_names, reference_grads[1:], keras_grads[1:])
        ],
    )
    assert len(reference_grads) == len(keras_grads)
    assert report.passed, str(report)
    return layer


@pytest.fixture
def float64():
    with keras_float_dtype("float64"):
        yield


# -- single layers against tf.GradientTape ---------------------------------------------------


@pytest.mark.parametrize("options", OPTIONS, ids=str)
@pytest.mark.parametrize("cell", CELLS)
def test_layer_forward_and_gradients_float64(float64, cell, options):
    x = np.random.default_rng(1).normal(size=(3, 5, 4))
    assert_layer_matches_keras(keras_layer_for(cell, 6, **options), x)


DROPOUTS = [
    {"dropout": 0.3},
    {"recurrent_dropout": 0.4},
    {"dropout": 0.3, "recurrent_dropout": 0.4, "go_backwards": True},
]


@pytest.mark.parametrize("config", DROPOUTS, ids=str)
@pytest.mark.parametrize("cell", CELLS)
def test_layer_dropout_with_injected_masks_float64(float64, cell, config):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 5, 4))
    masks = random_keeps(rng, cell, config, 3, 4, 6)
    layer = assert_layer_matches_keras(
        keras_layer_for(cell, 6, return_sequences=True, **config), x, True, masks
    )
    # one mask per sequence, reused at every timestep: a dropped input feature gets no gradient
    if config.get("dropout") and not config.get("recurrent_dropout"):
        dropped = ~masks[0][0][:, None, :]
        assert dropped.any()
        assert np.all(layer.backprop(np.ones((3, 5, 6)))[np.broadcast_to(dropped, x.shape)] == 0)


def test_dropout_is_off_at_inference_and_drawn_once_per_sequence(float64):
    layer = LSTM(4, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)
    layer.dtype = "float64"
    layer.rng = np.random.default_rng(0)
    x = np.random.default_rng(1).normal(size=(8, 6, 3))
    layer(x, training=True)
    assert layer.dropout_mask.shape == (4, 8, 3)  # one per gate with recurrent dropout
    assert layer.recurrent_dropout_mask.shape == (4, 8, 4)
    assert set(np.unique(layer.dropout_mask)) == {0.0, 2.0}
    layer(x, training=False)
    assert layer.dropout_mask is None and layer.recurrent_dropout_mask is None


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul"])
@pytest.mark.parametrize("cell, return_sequences", [("lstm", True), ("gru", False)])
def test_bidirectional_forward_and_gradients_float64(float64, merge_mode, cell, return_sequences):
    x = np.random.default_rng(3).normal(size=(3, 5, 4))
    wrapper = keras.layers.Bidirectional(
        keras_layer_for(cell, 5, return_sequences=return_sequences), merge_mode=merge_mode
    )
    assert_layer_matches_keras(wrapper, x)


def test_layer_forward_and_gradients_float32():
    x = np.random.default_rng(4).normal(size=(4, 7, 3)).astype("float32")
    for cell in CELLS:
        assert_layer_matches_keras(keras_layer_for(cell, 5, return_sequences=True), x, rtol=1e-5)


@settings(max_examples=8, deadline=None)
@given(
    cell=st.sampled_from(list(CELLS)),
    timesteps=st.integers(1, 6),
    features=st.integers(1, 4),
    units=st.integers(1, 5),
    return_sequences=st.booleans(),
    go_backwards=st.booleans(),
    bidirectional=st.booleans(),
    dropout=st.sampled_from([0.0, 0.25]),
    recurrent_dropout=st.sampled_from([0.0, 0.25]),
    seed=st.integers(0, 2**16),
)
def test_random_recurrent_layers_match_keras(
    cell,
    timesteps,
    features,
    units,
    return_sequences,
    go_backwards,
    bidirectional,
    dropout,
    recurrent_dropout,
    seed,
):
    rng = np.random.default_rng(seed)
    config = {"dropout": dropout, "recurrent_dropout": recurrent_dropout}
    with keras_float_dtype("float64"):
        layer = keras_layer_for(
            cell,
            units,
            return_sequences=return_sequences,
            # Keras's Bidirectional cannot wrap a go_backwards layer (both copies go backwards)
            go_backwards=go_backwards and not bidirectional,
            **config,
        )
        x = rng.normal(size=(3, timesteps, features))
        if bidirectional:
            assert_layer_matches_keras(keras.layers.Bidirectional(layer), x)
        else:
            masks = random_keeps(rng, cell, config, 3, features, units)
            assert_layer_matches_keras(layer, x, training=True, masks=masks)


# -- backprop through time by central differences ------------------------------------------


def numerical_gradient(f, array, eps=1e-6):
    """Central differences of the scalar f() w.r.t. every entry of ``array`` (changed in place)."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = f()
        array[index] = saved - eps
        minus = f()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("cell", ["SimpleRNN", "LSTM", "GRU"])
def test_bptt_matches_finite_differences(cell):
    rng = np.random.default_rng(6)
    layer = LAYERS[cell](3, return_sequences=True, bias_initializer="random_normal")
    layer.dtype, layer.rng = "float64", rng
    x = rng.normal(size=(2, 4, 2))
    layer.build((None, 4, 2))
    dy = rng.normal(size=(2, 4, 3))

    def objective():
        return float(np.sum(layer(x) * dy))

    objective()
    dx = layer.backprop(dy)
    analytic = [g.copy() for g in layer.gradients]
    np.testing.assert_allclose(dx, numerical_gradient(objective, x), rtol=1e-6, atol=1e-9)
    for name, weight, grad in zip(layer.weight_names, layer.weights, analytic):
        np.testing.assert_allclose(
            grad, numerical_gradient(objective, weight), rtol=1e-6, atol=1e-9, err_msg=name
        )


# -- whole models through from_keras: loss, gradients, one step, a 3-epoch fit ----------------


# Three stacks that between them hold every cell, option and merge mode (one Keras
# compile per stack keeps the file fast). The first Dense makes dLoss/d(recurrent inputs)
# part of its kernel gradient, since a reference model's first layer does not propagate.
STACKS = {
    "cells": lambda: [
        keras_layer_for("lstm", 5, return_sequences=True, go_backwards=True),
        keras_layer_for("gru", 4, return_sequences=True),
        keras_layer_for("simple", 3),
    ],
    "bidirectional": lambda: [
        keras.layers.Bidirectional(keras_layer_for("gru", 4, return_sequences=True)),
        keras.layers.Bidirectional(
            keras_layer_for("simple", 3, return_sequences=True), merge_mode="ave"
        ),
        keras.layers.Bidirectional(keras_layer_for("lstm", 3), merge_mode="mul"),
    ],
    "options": lambda: [
        keras_layer_for("simple", 4, activation="relu", use_bias=False, return_sequences=True),
        keras.layers.Bidirectional(keras_layer_for("lstm", 3, unit_forget_bias=False), "sum"),
    ],
    # single layers for the fits (each Keras fit traces the whole stack once)
    "lstm_dropout": lambda: [keras_layer_for("lstm", 5, dropout=0.2, recurrent_dropout=0.3)],
    "simple_gru_dropout": lambda: [
        keras_layer_for("simple", 4, recurrent_dropout=0.3, return_sequences=True),
        keras_layer_for("gru", 4, dropout=0.25, go_backwards=True),
    ],
    "bidirectional_simple": lambda: [keras.layers.Bidirectional(keras_layer_for("simple", 3))],
}


def keras_stack(stack, dtype):
    """Input (6, 3) -> Dense -> the stack's recurrent layers -> Dense softmax, with Adam."""
    with keras_float_dtype(dtype):
        layers = [keras.Input((6, 3)), keras.layers.Dense(3, activation="tanh")]
        model = keras.Sequential(
            layers + STACKS[stack]() + [keras.layers.Dense(4, activation="softmax")]
        )
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("stack", ["cells", "bidirectional", "options"])
def test_model_loss_gradients_and_step_match_keras(dtype, stack):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(8, 6, 3)).astype(dtype)
    y = rng.integers(0, 4, size=8)
    with keras_float_dtype(dtype):  # Keras's loss and optimizer in the model's dtype
        report = parity.compare(keras_stack(stack, dtype), x, y)
    assert report.rtol == parity.TOLERANCE[dtype]
    assert {r.quantity for r in report.rows} == {"forward", "loss", "gradient", "step"}
    assert report.passed, str(report)


@pytest.mark.parametrize("stack", ["lstm_dropout", "simple_gru_dropout", "bidirectional_simple"])
def test_three_epoch_fit_matches_keras_float64(stack):
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(24, 6, 3)), rng.integers(0, 4, size=24)
    keras_model = keras_stack(stack, "float64")
    reference = ref.from_keras(keras_model)
    features = 3
    for keras_layer, layer in zip(keras_model.layers[1:-1], reference.layers[1:-1]):
        if getattr(layer, "dropout", 0) or getattr(layer, "recurrent_dropout", 0):
            # the same masks for every batch of 8, on both sides
            cell = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple"}[type(layer).__name__]
            config = {"dropout": layer.dropout, "recurrent_dropout": layer.recurrent_dropout}
            masks = random_keeps(rng, cell, config, 8, features, layer.units)
            inject_masks(keras_layer, layer, *masks)
        features = getattr(layer, "units", features)
    with keras_float_dtype("float64"):
        keras_history = keras_model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    history = reference.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], keras_history.history["loss"], rtol=1e-7)
    for ours, theirs in zip(reference.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9)


def test_to_keras_round_trip_keeps_predictions():
    rng = np.random.default_rng(9)
    reference = ref.Sequential(
        [
            ref.Input((5, 2)),
            Bidirectional(LSTM(3, return_sequences=True), merge_mode="sum"),
            GRU(4, go_backwards=True, dropout=0.1),
            ref.Dense(2),
        ],
        seed=0,
        dtype="float64",
    )
    x = rng.normal(size=(4, 5, 2))
    keras_model = reference.to_keras()
    # keras_model(x), not predict: predict compiles with XLA, whose exp differs in float64
    np.testing.assert_allclose(keras_model(x).numpy(), reference.predict(x), rtol=1e-7)
    again = ref.from_keras(keras_model)
    np.testing.assert_allclose(again.predict(x), reference.predict(x), rtol=1e-12)
    assert [type(layer).__name__ for layer in again.layers] == ["Bidirectional", "GRU", "Dense"]


# -- refusals and bad input --------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, setting",
    [
        (keras.layers.LSTM(3, return_state=True), "return_state"),
        (keras.layers.GRU(3, stateful=True), "stateful"),
        (keras.layers.SimpleRNN(3, unroll=True), "unroll"),
        (keras.layers.LSTM(3, dropout=0.2, implementation=1), "implementation=1"),
        (keras.layers.Bidirectional(keras.layers.LSTM(3), merge_mode=None), "merge_mode"),
    ],
)
def test_from_keras_refuses_what_the_reference_does_not_implement(layer, setting):
    with pytest.raises(ValueError, match=setting):
        LAYERS[type(layer).__name__].from_keras(layer)


def test_from_keras_refuses_masking():
    model = keras.Sequential([keras.Input((4, 2)), keras.layers.Masking(0.0), keras.layers.LSTM(3)])
    with pytest.raises(ValueError, match="Masking"):
        ref.from_keras(model)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: LSTM(0), "units must be a positive int, got 0"),
        (lambda: GRU(3, dropout=1.0), r"dropout must be a float in \[0, 1\), got 1.0"),
        (lambda: SimpleRNN(3, recurrent_dropout=-0.1), "recurrent_dropout"),
        (lambda: LSTM(3, stateful=True), "stateful=True"),
        (lambda: LSTM(3, return_state=True), "return_state=True"),
        (lambda: Bidirectional(ref.Dense(3)), "must be a reference SimpleRNN, LSTM or GRU"),
        (lambda: Bidirectional(LSTM(3), merge_mode=None), "merge_mode=None"),
    ],
)
def test_constructors_refuse_bad_settings(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_rank_and_wrong_mask_shape_are_refused():
    layer = LSTM(3, dropout=0.5)
    with pytest.raises(ValueError, match=r"expects inputs \(batch, timesteps, features\)"):
        layer(np.zeros((4, 5)))
    layer.fixed_dropout_mask = np.ones((2, 2), bool)
    with pytest.raises(ValueError, match=r"fixed_dropout_mask has shape \(2, 2\)"):
        layer(np.zeros((4, 5, 2)), training=True)


# -- Orthogonal ------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(6, 6), (8, 3), (3, 8), (2, 3, 5)])
def test_orthogonal_is_orthogonal_like_keras(shape):
    gain = 1.5
    ours = Orthogonal(gain=gain)(shape, "float64", np.random.default_rng(0))
    theirs = keras.initializers.Orthogonal(gain=gain, seed=0)(shape, "float64").numpy()
    for q in (ours, theirs):
        flat = q.reshape(-1, shape[-1])
        small = min(flat.shape)
        gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
        np.testing.assert_allclose(gram, gain**2 * np.eye(small), atol=1e-12)
    assert ours.shape == theirs.shape == shape


def test_orthogonal_entries_have_keras_distribution():
    """Over many 8x8 draws, entries of both have mean 0 and variance gain^2 / 8 (Haar)."""
    ours = np.stack([Orthogonal()((8, 8), "float64", np.random.default_rng(s)) for s in range(300)])
    theirs = np.stack(
        [keras.initializers.Orthogonal(seed=s)((8, 8), "float64").numpy() for s in range(300)]
    )
    for q in (ours, theirs):
        assert abs(q.mean()) < 0.01 and abs(q.var() - 1 / 8) < 0.005
    # the sign fix makes the first column's first entry as often negative as positive
    assert abs((ours[:, 0, 0] > 0).mean() - (theirs[:, 0, 0] > 0).mean()) < 0.15


def test_orthogonal_is_keras_recurrent_default_and_round_trips():
    layer = LSTM(4)
    assert type(layer.recurrent_initializer).__name__ == "Orthogonal"
    keras_init = Orthogonal(gain=2.0, seed=3).to_keras()
    assert keras_init.get_config() == {"gain": 2.0, "seed": 3}
    with pytest.raises(ValueError, match="rank >= 2"):
        Orthogonal()((4,))


# -- builders --------------------------------------------------------------------------------


def test_rnn_classifier_fits_saves_loads_and_has_a_reference(tmp_path):
    model = rnn_classifier("gru", [6, 5], timesteps=7, features=3, num_classes=4, seed=1)
    assert [type(layer).__name__ for layer in model.layers] == ["GRU", "GRU", "Dense"]
    assert model.layers[0].return_sequences and not model.layers[1].return_sequences
    rng = np.random.default_rng(10)
    x, y = rng.normal(size=(16, 7, 3)).astype("float32"), rng.integers(0, 4, size=16)
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    model.save(tmp_path / "gru.keras")
    loaded = keras.models.load_model(tmp_path / "gru.keras")
    np.testing.assert_allclose(loaded(x).numpy(), model(x).numpy(), rtol=1e-6)
    np.testing.assert_allclose(ref.from_keras(model).predict(x), model(x).numpy(), rtol=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "simple"])
def test_rnn_classifier_cells_bidirectional_and_seed(cell):
    make = lambda: rnn_classifier(  # noqa: E731
        cell, 4, timesteps=5, features=2, num_classes=3, bidirectional=True, dropout=0.1, seed=3
    )
    first, second = make(), make()
    assert type(first.layers[0]).__name__ == "Bidirectional"
    assert first.layers[0].forward_layer.dropout == 0.1
    assert first.output_shape == (None, 3) and first.loss == "sparse_categorical_crossentropy"
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)  # the same seed, the same initial weights


def test_shift_moves_the_sequence_as_an_image_in_training_only():
    model = rnn_classifier("gru", 4, timesteps=6, features=5, num_classes=3, shift=0.3, seed=2)
    names = [type(layer).__name__ for layer in model.layers]
    assert names == ["Reshape", "RandomTranslation", "Reshape", "GRU", "Dense"]
    translation = model.get_layer("shift")
    assert (translation.height_factor, translation.width_factor) == (0.3, 0.3)
    plain = rnn_classifier("gru", 4, timesteps=6, features=5, num_classes=3, seed=2)
    plain.set_weights(model.get_weights())
    x = np.random.default_rng(12).random((8, 6, 5)).astype("float32")
    np.testing.assert_array_equal(model(x, training=False), plain(x, training=False))
    moved = model.layers[2](translation(model.layers[0](x), training=True))
    assert moved.shape == x.shape and not np.allclose(moved, x)  # some rows and columns moved
    # the NumPy reference hosts the whole network and, at inference, equals it
    np.testing.assert_allclose(ref.from_keras(model).predict(x), plain(x).numpy(), rtol=1e-5)


def test_rnn_forecaster_predicts_the_horizon():
    model = rnn_forecaster("lstm", 8, window=12, features=2, horizon=3, seed=0, learning_rate=0.01)
    assert model.output_shape == (None, 3) and model.loss == "mse"
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    x = np.random.default_rng(11).normal(size=(10, 12, 2)).astype("float32")
    assert model(x).shape == (10, 3)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cell": "rnn"}, "cell must be one of lstm, gru, simple, got 'rnn'"),
        ({"units": 0}, "units must be a positive int or a list of them, got 0"),
        ({"units": []}, r"units must be a positive int or a list of them, got \[\]"),
        ({"timesteps": 0}, "timesteps must be an int >= 1, got 0"),
        ({"features": 2.5}, "features must be an int >= 1, got 2.5"),
        ({"num_classes": 1}, "num_classes must be an int >= 2, got 1"),
        ({"dropout": 1.0}, r"dropout must be in \[0, 1\), got 1.0"),
        ({"recurrent_dropout": -0.1}, "recurrent_dropout must be in"),
        ({"shift": 1.0}, r"shift must be in \[0, 1\), got 1.0"),
        ({"optimizer": keras.optimizers.SGD(), "learning_rate": 0.1}, "optimizer given by name"),
    ],
)
def test_builders_refuse_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rnn_classifier(**kwargs)


def test_forecaster_refuses_bad_horizon():
    with pytest.raises(ValueError, match="horizon must be an int >= 1, got 0"):
        rnn_forecaster(horizon=0)


def test_lstm_unit_forget_bias_initializes_the_forget_block_to_ones_like_keras():
    keras_layer = keras.layers.LSTM(3, bias_initializer="zeros")
    keras_layer.build((None, 4, 2))
    layer = LSTM(3)
    layer.build((None, 4, 2))
    np.testing.assert_array_equal(layer.bias, keras_layer.get_weights()[2])
    np.testing.assert_array_equal(layer.bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    plain = LSTM(3, unit_forget_bias=False)
    plain.build((None, 4, 2))
    assert not plain.bias.any()
    assert [w.shape for w in layer.weights] == [w.shape for w in keras_layer.get_weights()]


BAD_RNN = [  # (builder, argument, message): 10 cases
    (rnn_classifier, dict(learning_rate=-0.01), "learning_rate must be a number > 0.0, got -0.01"),
    (rnn_classifier, dict(learning_rate=0), "learning_rate must be a number > 0.0, got 0"),
    (rnn_classifier, dict(units=-3), "units must be a positive int or a list of them, got -3"),
    (rnn_classifier, dict(units=[8, 0]), "units must be a positive int or a list of them"),
    (rnn_classifier, dict(dropout=1.5), "dropout must be in [0, 1), got 1.5"),
    (rnn_classifier, dict(recurrent_dropout=float("nan")), "recurrent_dropout must be in [0, 1)"),
    (rnn_classifier, dict(seed=2**32), "seed must be an int >= 0 and <= 4294967295"),
    (rnn_forecaster, dict(learning_rate=-1.0), "learning_rate must be a number > 0.0, got -1.0"),
    (rnn_forecaster, dict(window=0), "window must be an int >= 1, got 0"),
    (rnn_forecaster, dict(seed=-2), "seed must be an int >= 0 and <= 4294967295, got -2"),
]


@pytest.mark.parametrize("build, change, message", BAD_RNN, ids=[m for *_, m in BAD_RNN])
def test_rnn_builders_refuse_nonsense_before_building(no_building, build, change, message):
    with pytest.raises(InputError, match=re.escape(message)):
        build(**change)


def test_rnn_builders_take_numpy_numbers_like_python_ones(tmp_path):
    i = np.int64
    model = rnn_classifier(
        "gru", units=[i(4), i(3)], timesteps=i(5), features=i(2), num_classes=i(3),
        dropout=np.float32(0.25), learning_rate=np.float32(0.01), seed=i(2**32 - 1),
    )  # fmt: skip
    same = rnn_classifier(
        "gru", units=[4, 3], timesteps=5, features=2, num_classes=3, dropout=0.25,
        learning_rate=0.01, seed=2**32 - 1,
    )  # fmt: skip
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_array_equal(a, b)
    model.save(tmp_path / "rnn.keras")  # its config is plain JSON: no NumPy scalars
    assert keras.models.load_model(tmp_path / "rnn.keras").output_shape == (None, 3)
    forecaster = rnn_forecaster("lstm", i(4), window=i(6), features=i(1), horizon=i(2))
    assert forecaster.output_shape == (None, 2)


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_rnn_classifier_refuses_a_bad_seed_as_run_does(seed):
    with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
        rnn_classifier("lstm", 4, 5, 3, 2, seed=seed)


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_rnn_forecaster_refuses_a_bad_seed_as_run_does(seed):
    with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
        rnn_forecaster("gru", 4, 5, 1, 2, seed=seed)
