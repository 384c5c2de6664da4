"""The NumPy reference's functional ``Model`` (deepkit.reference.models) against Keras's:
forward, loss, gradients (tf.GradientTape inside a tf.function, where a final sigmoid or
softmax hands its logits to the loss), one and three optimizer steps and the logs of
``fit``, in float64 (rtol 1e-10) and float32 (rtol 1e-4), for a two-branch model, two
inputs and two weighted outputs, a shared layer, a nested Sequential and a residual
block; then the model built by hand, its data formats, and its refusals."""

import contextlib
import io

import keras
import numpy as np
import pytest

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype

from ._parity import assert_close, batch, keras_gradients, listed

TOLERANCE = {"float64": 1e-10, "float32": 1e-4}
layers = keras.layers


def two_branches():
    """x -> relu and tanh branches -> Add -> Concatenate with the relu branch -> softmax."""
    x = keras.Input((6,), name="x")
    a = layers.Dense(5, activation="relu", bias_initializer="random_normal")(x)
    b = layers.Dense(5, activation="tanh", bias_initializer="random_normal")(x)
    merged = layers.Concatenate()([layers.Add()([a, b]), a])
    model = keras.Model(x, layers.Dense(3, activation="softmax")(merged), name="branches")
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    return model


def two_inputs_two_outputs():
    """Two inputs, a sigmoid and a linear output, losses and loss weights by output name."""
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    h = layers.Dense(5, activation="relu", bias_initializer="random_normal")(a)
    g = layers.Dense(5, activation="tanh", bias_initializer="random_normal")(b)
    flag = layers.Dense(1, activation="sigmoid", name="flag")(layers.Concatenate()([h, g]))
    value = layers.Dense(2, name="value")(layers.Multiply()([h, g]))
    model = keras.Model([a, b], [flag, value], name="two_by_two")
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss={"flag": "binary_crossentropy", "value": "mse"},
        loss_weights={"flag": 0.3, "value": 2.0},
        metrics={"flag": ["accuracy"], "value": ["mae"]},
    )
    return model


def shared_layer():
    """One Dense called on two inputs (a siamese pair), and one called on its own output."""
    left, right = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    shared = layers.Dense(4, activation="tanh", bias_initializer="random_normal", name="shared")
    twice = layers.Dense(4, activation="elu", bias_initializer="random_normal", name="twice")
    distance = layers.Subtract()([shared(left), shared(right)])
    out = layers.Dense(1)(layers.Add()([twice(twice(distance)), distance]))
    model = keras.Model([left, right], out, name="siamese")
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    return model


def nested_sequential():
    """A Sequential inside a functional model, called on two inputs."""
    inner = keras.Sequential(
        [
            keras.Input((4,)),
            layers.Dense(5, activation="relu", bias_initializer="random_normal"),
            layers.Dense(3, activation="tanh"),
        ],
        name="inner",
    )
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    merged = layers.Concatenate()([inner(a), inner(b), a])
    model = keras.Model([a, b], layers.Dense(1, activation="sigmoid")(merged), name="outer")
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    return model


def residual_block():
    """A ResNet-style block: two convolutions added to their input, then a classifier."""
    x = keras.Input((6, 6, 2), name="image")
    h = layers.Conv2D(2, 3, padding="same", activation="relu", bias_initializer="random_normal")(x)
    h = layers.Conv2D(2, 3, padding="same", bias_initializer="random_normal")(h)
    h = layers.Activation("relu")(layers.Add()([x, h]))
    out = layers.Dense(3, activation="softmax")(layers.Flatten()(h))
    model = keras.Model(x, out, name="residual")
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="categorical_crossentropy")
    return model


def outputs_used_inside():
    """A softmax output that also feeds a layer (its loss takes the logits, the layer
    the probabilities) and a nested model with two outputs."""
    x = keras.Input((4,), name="x")
    p = layers.Dense(2, activation="softmax", name="p")(x)
    z = layers.Dense(1, name="z")(layers.Concatenate()([p, x]))
    inner_x = keras.Input((4,))
    inner = keras.Model(
        inner_x, [layers.Dense(3, activation="tanh")(inner_x), layers.Dense(2)(inner_x)]
    )
    w = layers.Dense(1, name="w")(layers.Concatenate()([*inner(x), z]))
    model = keras.Model(x, [p, z, w], name="inside")
    model.compile(
        optimizer=keras.optimizers.Adam(0.1),
        loss=["categorical_crossentropy", "mse", "mse"],
        loss_weights=[1.0, 0.5, 0.25],
    )
    return model


def build(make):
    keras.utils.set_random_seed(2)
    return make()


MODELS = [two_branches, two_inputs_two_outputs, shared_layer, nested_sequential, residual_block]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("make", MODELS, ids=[make.__name__ for make in MODELS])
def test_forward_gradients_and_steps_match_keras(make, dtype):
    matches_keras(make, dtype)


def test_an_output_used_inside_and_a_nested_model_with_two_outputs_match_keras():
    matches_keras(outputs_used_inside, "float64")


def matches_keras(make, dtype):
    """Forward, loss, gradients and three optimizer steps against Keras in ``dtype``."""
    rtol = TOLERANCE[dtype]
    with keras_float_dtype(dtype):
        model = build(make)
        x, y = batch(model, dtype)
        reference = ref.from_keras(model)
        assert reference.dtype == dtype
        assert [layer.name for layer in reference.layers] == [layer.name for layer in model.layers]
        assert_close(listed(reference(x)), listed(model(x)), rtol)

        keras_step = keras_gradients(model)
        keras_loss, keras_grads = keras_step(x, y)
        loss, grads = reference.compute_gradients(x, y, training=False)
        assert_close([loss], [keras_loss], rtol)
        assert_close(grads, [g.numpy() for g in keras_grads], rtol)

        for step in range(3):  # what train_on_batch does, without tracing Keras's train step
            if step:
                keras_loss, keras_grads = keras_step(x, y)
            model.optimizer.apply_gradients(zip(keras_grads, model.trainable_variables))
            assert_close([reference.train_on_batch(x, y)], [keras_loss], rtol)
            assert_close(reference.get_weights(), model.get_weights(), rtol)


def test_every_loss_and_metric_is_logged_like_keras(float64):
    model = build(two_inputs_two_outputs)
    x, y = batch(model, "float64", n=12)
    reference = ref.from_keras(model)
    ours = reference.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    theirs = model.evaluate(x, y, batch_size=4, verbose=0, return_dict=True)
    assert (
        set(ours)
        == set(theirs)
        == {"loss", "flag_loss", "value_loss", "flag_accuracy", "value_mae"}
    )
    assert_close(list(ours.values()), [theirs[key] for key in ours], 1e-10)
    history = reference.fit(x, y, batch_size=4, epochs=1, verbose=0).history
    assert set(history) == set(ours)


def test_model_built_by_hand_trains_and_goes_to_keras_and_back(float64):
    a, b = ref.Input((3,), name="a"), ref.Input((2,), name="b")
    shared = ref.Dense(4, activation="relu")
    merged = ref.Concatenate()([shared(a), ref.Dense(4)(b), shared(a)])
    out1 = ref.Dense(1, activation="sigmoid", name="out1")(merged)
    out2 = ref.Dense(2, name="out2")(ref.Average()([shared(a), ref.Dense(4)(b)]))
    model = ref.Model([a, b], [out1, out2], seed=0, dtype="float64")
    assert model.output_names == ["out1", "out2"] and model.input_names == ["a", "b"]
    assert model.output_shape == [(None, 1), (None, 2)]
    model.compile(optimizer="adam", loss=["binary_crossentropy", "mse"], loss_weights=[1.0, 0.5])
    rng = np.random.default_rng(0)
    x = {"a": rng.normal(size=(10, 3)), "b": rng.normal(size=(10, 2))}
    y = {"out1": (rng.random((10, 1)) > 0.5).astype("float64"), "out2": rng.normal(size=(10, 2))}
    history = model.fit(x, y, batch_size=5, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    predictions = model.predict([x["a"], x["b"]], batch_size=4)
    assert [p.shape for p in predictions] == [(10, 1), (10, 2)]

    keras_model = model.to_keras()
    assert isinstance(keras_model, keras.Model) and len(keras_model.outputs) == 2
    for ours, theirs in zip(predictions, keras_model.predict([x["a"], x["b"]], verbose=0)):
        assert_close([ours], [theirs], 1e-12)
    again = ref.from_keras(keras_model)
    assert again.loss_weights == [1.0, 0.5]
    assert_close(model.evaluate(x, y, verbose=0), again.evaluate(x, y, verbose=0), 1e-12)


def test_lists_of_one_input_and_one_output_are_unpacked_as_in_keras(float64):
    """``Model([x], [o])``: Keras calls and predicts with one array, and takes x and y as an
    array or a list of one; the reference trains to the same weights either way."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    inputs = keras.Input((3,))
    model = keras.Model([inputs], [keras.layers.Dense(2)(inputs)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    reference = ref.from_keras(model)
    fit = dict(epochs=2, batch_size=4, shuffle=False, verbose=0)
    keras_losses = model.fit([x], [y], **fit).history["loss"]
    reference_losses = reference.fit([x], [y], **fit).history["loss"]
    np.testing.assert_allclose(reference_losses, keras_losses, rtol=1e-12)
    np.testing.assert_allclose(reference.predict(x), model.predict(x, verbose=0), rtol=1e-12)
    assert isinstance(reference.predict(x), np.ndarray)
    assert reference.evaluate(x, y, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0))


def test_shared_layer_gradient_is_the_sum_over_its_calls():
    x = ref.Input((3,))
    shared = ref.Dense(3, use_bias=False)
    model = ref.Model(x, shared(shared(x)), seed=1, dtype="float64")
    kernel = shared.kernel
    xs = np.random.default_rng(2).normal(size=(4, 3))
    model.compile("sgd", "mse")
    loss, (grad,) = model.compute_gradients(xs, np.zeros((4, 3)))
    # loss = mean((x K K)^2): dloss/dK = x^T G K^T + (x K)^T G, G = 2 x K K / 12
    g = 2 * xs @ kernel @ kernel / 12
    np.testing.assert_allclose(grad, xs.T @ g @ kernel.T + (xs @ kernel).T @ g, rtol=1e-12)


def test_summary_lists_connections():
    x = ref.Input((2,), name="inputs")
    model = ref.Model(x, ref.Add(name="plus")([ref.Dense(2, name="d")(x), x]))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    text = out.getvalue()
    assert "Connected to" in text and "plus (Add)" in text
    assert [line.split()[-1] for line in text.splitlines()[2:5]] == ["-", "inputs", "inputs"]
    assert "Total params: 6" in text


def test_bad_graphs_and_data_are_refused_clearly():
    a, b = ref.Input((2,), name="a"), ref.Input((2,), name="b")
    with pytest.raises(ref.InputError, match="disconnected: Input 'b' is used but is not among"):
        ref.Model(a, ref.Add(name="needs_b")([a, b]))
    with pytest.raises(ref.InputError, match="Model takes Input tensors"):
        ref.Model(a, np.zeros((1, 2)))
    with pytest.raises(ref.InputError, match="mixing symbolic tensors"):
        ref.Add()([a, np.zeros((1, 2))])
    dense = ref.Dense(1)
    ref.Model(a, dense(a))
    with pytest.raises(ref.InputError, match="already belongs to model"):
        ref.Model(b, dense(b))
    model = ref.Model([a, b], [ref.Dense(1, name="p")(a), ref.Dense(1, name="q")(b)])
    with pytest.raises(
        ref.InputError, match=r"loss has 3 entries; the model has 2 outputs \(p, q\)"
    ):
        model.compile("sgd", ["mse"] * 3)
        model.train_on_batch([np.zeros((2, 2))] * 2, [np.zeros((2, 1))] * 2)
    model.compile("sgd", {"p": "mse"})
    with pytest.raises(ref.InputError, match=r"the model has 2 inputs \(a, b\): x must be a list"):
        model.train_on_batch(np.zeros((2, 2)), [np.zeros((2, 1))] * 2)
    with pytest.raises(ref.InputError, match=r"x\[1\] has shape \(2, 3\), the model expects"):
        model.train_on_batch([np.zeros((2, 2)), np.zeros((2, 3))], [np.zeros((2, 1))] * 2)
    with pytest.raises(ref.InputError, match=r"loss names 'r', which the model's outputs"):
        model.compile("sgd", {"r": "mse"})
        model.train_on_batch([np.zeros((2, 2))] * 2, [np.zeros((2, 1))] * 2)
