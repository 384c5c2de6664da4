"""The twin's Sequential as Keras builds it: construction with an Input, nested
models sharing weights, layers frozen after build, and dLoss/d(inputs); each
against the same thing in Keras (float64, rtol 1e-7)."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype

RTOL = 1e-7


@pytest.fixture(autouse=True)
def keras_in_float64():
    """Keras builds everything in float64 here, including the loss wrapper that
    ``compile`` creates lazily at the first training step (in float32 it would
    round the predictions)."""
    with keras_float_dtype("float64"):
        yield


def _data(n=16, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features))
    return x, (x[:, :1] + 0.3 * x[:, 1:2] > 0).astype("float64")


def _nested_keras():
    """outer = [inner = [Dense(5, tanh), Dense(3, relu)], Dense(1, sigmoid)], float64."""
    with keras_float_dtype("float64"):
        keras.utils.set_random_seed(1)
        inner = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(5, activation="tanh", bias_initializer="random_normal"),
                keras.layers.Dense(3, activation="relu", bias_initializer="random_normal"),
            ],
            name="inner",
        )
        outer = keras.Sequential(
            [keras.Input((4,)), inner, keras.layers.Dense(1, activation="sigmoid")], name="outer"
        )
        outer.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    return outer, inner


def _keras_loss_and_grads(model, x, y, wrt_inputs=False):
    """The loss and its gradients as Keras's ``fit`` sees them: inside a
    tf.function, where a final sigmoid/softmax hands its logits to the loss."""

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=False))
        return loss, tape.gradient(loss, x if wrt_inputs else model.trainable_variables)

    loss, grads = step(tf.constant(x), tf.constant(y))
    return loss.numpy(), grads.numpy() if wrt_inputs else [g.numpy() for g in grads]


def _assert_close(twin_arrays, keras_arrays, rtol=RTOL):
    assert len(twin_arrays) == len(keras_arrays)
    for a, b in zip(twin_arrays, keras_arrays):
        b = np.asarray(b)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(np.abs(b).max(), 1e-12))


def test_input_makes_the_model_built_so_weights_can_be_set_before_any_call():
    model = ref.Sequential([ref.Input((2,)), ref.Dense(2), ref.Dense(1)], seed=0)
    assert model.built and [w.shape for w in model.get_weights()] == [(2, 2), (2,), (2, 1), (1,)]
    new = [np.full(w.shape, i, "float32") for i, w in enumerate(model.get_weights())]
    model.set_weights(new)
    # kernels 0 and 2, biases 1 and 3: [1, 1] @ [[2], [2]] + 3 = 7
    np.testing.assert_array_equal(model(np.ones((1, 2))), [[7.0]])
    model.add(ref.Dense(3))  # adding to a built model rebuilds it and keeps the weights
    assert model.output_shape == (None, 3)
    np.testing.assert_array_equal(model.layers[0].kernel, new[0])


def test_nested_model_forward_gradients_and_step_match_keras():
    outer, inner = _nested_keras()
    twin = ref.from_keras(outer)
    twin_inner = twin.layers[0]
    assert isinstance(twin_inner, ref.Sequential) and twin_inner.name == "inner"
    x, y = _data()
    _assert_close([twin(x)], [outer(x)])

    loss, keras_grads = _keras_loss_and_grads(outer, x, y)
    twin_loss, twin_grads = twin.compute_gradients(x, y)
    _assert_close([twin_loss], [loss])
    _assert_close(twin_grads, keras_grads)

    twin.train_on_batch(x, y)
    outer.train_on_batch(x, y)
    _assert_close(twin.get_weights(), outer.get_weights())
    # The inner model's arrays ARE the outer model's: one set of weights.
    assert twin.weights[0] is twin_inner.weights[0]


def test_frozen_inner_model_stays_put_while_outer_trains_and_then_trains_alone():
    outer, inner = _nested_keras()
    twin = ref.from_keras(outer)
    twin_inner = twin.layers[0]
    x, y = _data(seed=1)

    inner.trainable = False
    twin_inner.trainable = False
    outer.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    before = twin_inner.get_weights()
    assert len(twin.trainable_weights) == len(outer.trainable_weights) == 2
    for _ in range(3):
        twin.train_on_batch(x, y)
        outer.train_on_batch(x, y)
    _assert_close(twin_inner.get_weights(), before, rtol=0)
    _assert_close(twin.get_weights(), outer.get_weights())

    # The inner model trained on its own updates the very arrays the outer model uses.
    inner.trainable = True
    twin_inner.trainable = True
    with keras_float_dtype("float64"):
        inner.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    twin_inner.compile(optimizer=ref.optimizers.SGD(0.1), loss="mse")
    target = np.random.default_rng(2).normal(size=(len(x), 3))
    twin_inner.train_on_batch(x, target)
    inner.train_on_batch(x, target)
    _assert_close(twin_inner.get_weights(), inner.get_weights())
    assert not np.allclose(twin_inner.get_weights()[0], before[0])
    _assert_close(twin.get_weights(), outer.get_weights())
    _assert_close([twin(x)], [outer(x)])


def test_layer_frozen_after_build_and_compile_is_not_updated_like_keras():
    outer, _ = _nested_keras()
    twin = ref.from_keras(outer)
    x, y = _data(seed=3)
    outer.layers[-1].trainable = False
    twin.layers[-1].trainable = False
    outer.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    frozen = twin.layers[-1].get_weights()
    twin.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    outer.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    _assert_close(twin.layers[-1].get_weights(), frozen, rtol=0)
    _assert_close(twin.get_weights(), outer.get_weights())
    # Unfreezing resumes updates with the optimizer state kept for the others.
    twin.layers[-1].trainable = True
    twin.train_on_batch(x, y)
    assert not np.allclose(twin.layers[-1].get_weights()[0], frozen[0])


def _keras_input_gradient(model, x, y):
    return _keras_loss_and_grads(model, x, y, wrt_inputs=True)[1]


@pytest.mark.parametrize("kind", ["dense", "conv", "nested"])
def test_input_gradients_match_tf_gradient_tape(kind):
    rng = np.random.default_rng(4)
    if kind == "conv":
        with keras_float_dtype("float64"):
            keras.utils.set_random_seed(0)
            model = keras.Sequential(
                [
                    keras.Input((6, 6, 2)),
                    keras.layers.Conv2D(3, 3, activation="relu", bias_initializer="random_normal"),
                    keras.layers.MaxPooling2D(2),
                    keras.layers.Flatten(),
                    keras.layers.Dense(4, activation="softmax"),
                ]
            )
            model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        x, y = rng.normal(size=(5, 6, 6, 2)), rng.integers(0, 4, 5)
    elif kind == "dense":
        with keras_float_dtype("float64"):
            keras.utils.set_random_seed(0)
            model = keras.Sequential(
                [keras.Input((4,)), keras.layers.Dense(7, activation="elu"), keras.layers.Dense(2)]
            )
            model.compile(optimizer="sgd", loss="mse")
        x, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
    else:
        model, _ = _nested_keras()
        x, y = _data(seed=5)
    twin = ref.from_keras(model)
    loss, grads, dx = twin.compute_gradients(x, y, training=False, return_input_gradients=True)
    expected = _keras_input_gradient(model, x, y)
    assert dx.shape == x.shape and np.abs(expected).max() > 0
    _assert_close([dx], [expected])
    # Asking for it changes nothing else.
    loss2, grads2 = twin.compute_gradients(x, y, training=False)
    assert loss2 == loss and all(np.array_equal(a, b) for a, b in zip(grads, grads2))


def test_generator_trained_through_a_frozen_discriminator_matches_keras():
    """The GAN pattern: combined = [generator, discriminator], discriminator frozen."""
    with keras_float_dtype("float64"):
        keras.utils.set_random_seed(7)
        generator = keras.Sequential(
            [keras.Input((3,)), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(4)],
            name="generator",
        )
        discriminator = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(5, activation="tanh"),
                keras.layers.Dense(1, activation="sigmoid"),
            ],
            name="discriminator",
        )
        discriminator.trainable = False
        combined = keras.Sequential([keras.Input((3,)), generator, discriminator])
        combined.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy")
    twin = ref.from_keras(combined)
    twin_disc = twin.layers[1]
    assert not twin_disc.trainable
    z = np.random.default_rng(8).normal(size=(8, 3))
    ones = np.ones((8, 1))
    d_before = twin_disc.get_weights()
    for _ in range(2):
        twin.train_on_batch(z, ones)
        combined.train_on_batch(z, ones)
    _assert_close(twin.get_weights(), combined.get_weights())
    _assert_close(twin_disc.get_weights(), d_before, rtol=0)


def test_a_layer_cannot_belong_to_two_models():
    dense = ref.Dense(2)
    ref.Sequential([ref.Input((3,)), dense])
    with pytest.raises(ValueError, match="already belongs to model"):
        ref.Sequential([ref.Input((3,)), dense])


# -- what from_keras refuses: one error listing everything ------------------------------


def test_from_keras_lists_every_unsupported_layer_argument_and_compile_setting_at_once():
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Masking(name="mask_me"),
            keras.layers.Dense(3, kernel_regularizer="l2", name="reg"),
            keras.layers.GaussianNoise(0.1, name="noise"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam",
        loss="categorical_focal_crossentropy",
        metrics=[keras.metrics.Recall(name="recall"), keras.metrics.CategoricalAccuracy()],
        loss_weights=[0.5],
    )
    with pytest.raises(ref.InputError) as error:
        ref.from_keras(model)
    lines = str(error.value).splitlines()
    assert lines[0] == f"the NumPy reference cannot host Keras model {model.name!r}:"
    problems = [line for line in lines if line.startswith("  - ")]
    assert problems == [
        "  - layer 'mask_me' (Masking): no NumPy reference counterpart",
        "  - layer 'reg' (Dense): uses kernel_regularizer, which the NumPy reference Dense "
        "does not implement",
        "  - layer 'noise' (GaussianNoise): no NumPy reference counterpart",
        "  - compile setting loss_weights=[0.5] is not implemented by the NumPy reference",
        problems[4],
        problems[5],
    ]
    assert problems[4].startswith("  - loss: Keras loss 'categorical_focal_crossentropy' is not")
    assert problems[5].startswith("  - metric 'recall' (Recall) has no NumPy reference counterpart")


def test_unbuilt_sequential_is_refused_with_how_to_build_it():
    model = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ref.InputError, match=r"not built.*call model.build\(input_shape\)"):
        ref.from_keras(model)
    model.build((None, 3))
    assert ref.from_keras(model).input_shape == (None, 3)


def test_functional_plain_chain_is_named_and_sequential_of_its_layers_is_hosted():
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(2, name="out")(keras.layers.Dense(4, name="hidden")(inputs))
    model = keras.Model(inputs, outputs)
    with pytest.raises(ref.InputError, match=r"is a plain chain of layers \(.* -> hidden -> out\)"):
        ref.from_keras(model)
    twin = ref.from_keras(keras.Sequential(model.layers))
    x = np.random.default_rng(0).normal(size=(5, 3))
    _assert_close([twin.predict(x)], [model.predict(x, verbose=0)])


def test_branching_functional_and_subclassed_models_are_refused_clearly():
    inputs = keras.Input((3,))
    hidden = keras.layers.Dense(4)(inputs)
    merged = keras.layers.Add()([hidden, keras.layers.Dense(4)(hidden)])
    with pytest.raises(ref.InputError, match="not a plain chain of layers") as error:
        ref.from_keras(keras.Model(inputs, merged))
    assert "(Add): no NumPy reference counterpart" in str(error.value)

    class Custom(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ref.InputError, match=r"subclassed keras.Model \(Custom\)"):
        ref.from_keras(Custom())


def test_nested_model_problems_are_listed_with_the_outer_ones():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Masking()], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.GaussianNoise(0.1)])
    with pytest.raises(ref.InputError) as error:
        ref.from_keras(outer)
    message = str(error.value)
    assert "in nested model 'inner': layer 'masking" in message
    assert "(GaussianNoise): no NumPy reference counterpart" in message
