"""The NumPy reference's ``Sequential`` (deepkit.reference.models): its structure (summary,
weights, float64, the Keras bridge both ways, tutorial-style ``input_dim``), and the model as
Keras builds it: construction with an Input, nested models sharing weights, layers frozen
after build, and dLoss/d(inputs); each against the same thing in Keras (float64, rtol 1e-7)."""

import contextlib
import io

import keras
import numpy as np
import pytest
import tensorflow as tf
from reference_churn import churn_like, churn_net

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference import optimizers

RTOL = 1e-7


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


def _assert_close(reference_arrays, keras_arrays, rtol=RTOL):
    assert len(reference_arrays) == len(keras_arrays)
    for a, b in zip(reference_arrays, keras_arrays):
        b = np.asarray(b)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * max(np.abs(b).max(), 1e-12))


def _keras_input_gradient(model, x, y):
    return _keras_loss_and_grads(model, x, y, wrt_inputs=True)[1]


def test_summary_weights_and_float64():
    model = churn_net(dtype="float64")
    model.build()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.summary()
    text = out.getvalue()
    assert "Total params: 121" in text and "(None, 6)" in text
    assert model.count_params() == 121
    assert all(w.dtype == np.float64 for w in model.get_weights())
    x, y = churn_like(40)
    model.fit(x, y, batch_size=10, epochs=1, verbose=0)
    assert model.predict(x).dtype == np.float64


def test_keras_bridge_round_trip():
    keras_model = keras.Sequential(
        [
            keras.Input((11,)),
            keras.layers.Dense(6, activation="relu", kernel_initializer="uniform"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    keras_model.compile(
        optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"]
    )
    reference = ref.from_keras(keras_model)
    assert [type(layer).__name__ for layer in reference.layers] == ["Dense", "Dropout", "Dense"]
    assert reference.layers[0].kernel_initializer.get_config()["maxval"] == 0.05
    assert isinstance(reference.optimizer, optimizers.Adam)
    assert reference.optimizer.learning_rate == pytest.approx(0.01)
    assert reference.loss.name == "binary_crossentropy" and reference.metrics == ["accuracy"]
    x, _ = churn_like(20)
    np.testing.assert_allclose(
        reference.predict(x), keras_model.predict(x, verbose=0), rtol=1e-5, atol=1e-7
    )
    back = reference.to_keras()
    assert [type(layer).__name__ for layer in back.layers] == ["Dense", "Dropout", "Dense"]
    assert back.layers[1].rate == 0.1
    np.testing.assert_allclose(
        back.predict(x, verbose=0), reference.predict(x), rtol=1e-5, atol=1e-7
    )
    # a layer without a counterpart is named, with its class
    with pytest.raises(ValueError, match=r"layer 'masking' \(Masking\): no NumPy reference"):
        ref.from_keras(
            keras.Sequential([keras.Input((3, 2)), keras.layers.Masking(name="masking")])
        )


def test_float64_reference_to_keras_keeps_dtype_and_outputs():
    model = ref.Sequential(
        [ref.Input((3,)), ref.Dense(4, activation="elu"), ref.Dense(2)], seed=3, dtype="float64"
    )
    x = np.random.default_rng(0).normal(size=(5, 3))
    with keras_float_dtype("float64"):
        keras_model = model.to_keras()
        assert all(w.dtype == "float64" for w in keras_model.weights)
        np.testing.assert_allclose(keras_model.predict(x, verbose=0), model.predict(x), rtol=1e-13)


def test_tutorial_style_input_dim_builds_at_once_like_keras():
    x, y = churn_like(40)
    model = ref.Sequential(
        [
            ref.Dense(6, kernel_initializer="uniform", activation="relu", input_dim=11),
            ref.Dense(6, kernel_initializer="uniform", activation="relu"),
            ref.Dense(1, kernel_initializer="uniform", activation="sigmoid"),
        ],
        seed=0,
    )
    # Keras 3 builds a Sequential whose first layer declares its input at once.
    assert model.input_shape == (None, 11) and model.built and model.count_params() == 121
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=10, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    fresh = ref.Sequential([ref.Dense(6, kernel_initializer="uniform", input_dim=11)], seed=0)
    assert 0.04 < np.abs(fresh.layers[0].kernel).max() <= 0.05  # "uniform": U(-0.05, 0.05)


@pytest.mark.usefixtures("float64")
class TestAsKerasBuildsIt:
    """Keras builds everything in float64 here, including the loss wrapper that
    ``compile`` creates lazily at the first training step (in float32 it would
    round the predictions)."""

    def test_input_makes_the_model_built_so_weights_can_be_set_before_any_call(self):
        model = ref.Sequential([ref.Input((2,)), ref.Dense(2), ref.Dense(1)], seed=0)
        assert model.built and [w.shape for w in model.get_weights()] == [
            (2, 2),
            (2,),
            (2, 1),
            (1,),
        ]
        new = [np.full(w.shape, i, "float32") for i, w in enumerate(model.get_weights())]
        model.set_weights(new)
        # kernels 0 and 2, biases 1 and 3: [1, 1] @ [[2], [2]] + 3 = 7
        np.testing.assert_array_equal(model(np.ones((1, 2))), [[7.0]])
        model.add(ref.Dense(3))  # adding to a built model rebuilds it and keeps the weights
        assert model.output_shape == (None, 3)
        np.testing.assert_array_equal(model.layers[0].kernel, new[0])

    def test_nested_model_forward_gradients_and_step_match_keras(self):
        outer, inner = _nested_keras()
        reference = ref.from_keras(outer)
        reference_inner = reference.layers[0]
        assert isinstance(reference_inner, ref.Sequential) and reference_inner.name == "inner"
        x, y = _data()
        _assert_close([reference(x)], [outer(x)])

        loss, keras_grads = _keras_loss_and_grads(outer, x, y)
        reference_loss, reference_grads = reference.compute_gradients(x, y)
        _assert_close([reference_loss], [loss])
        _assert_close(reference_grads, keras_grads)

        reference.train_on_batch(x, y)
        outer.train_on_batch(x, y)
        _assert_close(reference.get_weights(), outer.get_weights())
        # The inner model's arrays ARE the outer model's: one set of weights.
        assert reference.weights[0] is reference_inner.weights[0]

    def test_frozen_inner_model_stays_put_while_outer_trains_and_then_trains_alone(self):
        outer, inner = _nested_keras()
        reference = ref.from_keras(outer)
        reference_inner = reference.layers[0]
        x, y = _data(seed=1)

        inner.trainable = False
        reference_inner.trainable = False
        outer.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
        before = reference_inner.get_weights()
        assert len(reference.trainable_weights) == len(outer.trainable_weights) == 2
        for _ in range(3):
            reference.train_on_batch(x, y)
            outer.train_on_batch(x, y)
        _assert_close(reference_inner.get_weights(), before, rtol=0)
        _assert_close(reference.get_weights(), outer.get_weights())

        # The inner model trained on its own updates the very arrays the outer model uses.
        inner.trainable = True
        reference_inner.trainable = True
        with keras_float_dtype("float64"):
            inner.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        reference_inner.compile(optimizer=ref.optimizers.SGD(0.1), loss="mse")
        target = np.random.default_rng(2).normal(size=(len(x), 3))
        reference_inner.train_on_batch(x, target)
        inner.train_on_batch(x, target)
        _assert_close(reference_inner.get_weights(), inner.get_weights())
        assert not np.allclose(reference_inner.get_weights()[0], before[0])
        _assert_close(reference.get_weights(), outer.get_weights())
        _assert_close([reference(x)], [outer(x)])

    def test_layer_frozen_after_build_and_compile_is_not_updated_like_keras(self):
        outer, _ = _nested_keras()
        reference = ref.from_keras(outer)
        x, y = _data(seed=3)
        outer.layers[-1].trainable = False
        reference.layers[-1].trainable = False
        outer.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy")
        frozen = reference.layers[-1].get_weights()
        reference.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        outer.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        _assert_close(reference.layers[-1].get_weights(), frozen, rtol=0)
        _assert_close(reference.get_weights(), outer.get_weights())
        # Unfreezing resumes updates with the optimizer state kept for the others.
        reference.layers[-1].trainable = True
        reference.train_on_batch(x, y)
        assert not np.allclose(reference.layers[-1].get_weights()[0], frozen[0])

    @pytest.mark.parametrize("kind", ["dense", "conv", "nested"])
    def test_input_gradients_match_tf_gradient_tape(self, kind):
        rng = np.random.default_rng(4)
        if kind == "conv":
            with keras_float_dtype("float64"):
                keras.utils.set_random_seed(0)
                model = keras.Sequential(
                    [
                        keras.Input((6, 6, 2)),
                        keras.layers.Conv2D(
                            3, 3, activation="relu", bias_initializer="random_normal"
                        ),
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
                    [
                        keras.Input((4,)),
                        keras.layers.Dense(7, activation="elu"),
                        keras.layers.Dense(2),
                    ]
                )
                model.compile(optimizer="sgd", loss="mse")
            x, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 2))
        else:
            model, _ = _nested_keras()
            x, y = _data(seed=5)
        reference = ref.from_keras(model)
        loss, grads, dx = reference.compute_gradients(
            x, y, training=False, return_input_gradients=True
        )
        expected = _keras_input_gradient(model, x, y)
        assert dx.shape == x.shape and np.abs(expected).max() > 0
        _assert_close([dx], [expected])
        # Asking for it changes nothing else.
        loss2, grads2 = reference.compute_gradients(x, y, training=False)
        assert loss2 == loss and all(np.array_equal(a, b) for a, b in zip(grads, grads2))

    def test_generator_trained_through_a_frozen_discriminator_matches_keras(self):
        """The GAN pattern: combined = [generator, discriminator], discriminator frozen."""
        with keras_float_dtype("float64"):
            keras.utils.set_random_seed(7)
            generator = keras.Sequential(
                [
                    keras.Input((3,)),
                    keras.layers.Dense(6, activation="relu"),
                    keras.layers.Dense(4),
                ],
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
        reference = ref.from_keras(combined)
        reference_disc = reference.layers[1]
        assert not reference_disc.trainable
        z = np.random.default_rng(8).normal(size=(8, 3))
        ones = np.ones((8, 1))
        d_before = reference_disc.get_weights()
        for _ in range(2):
            reference.train_on_batch(z, ones)
            combined.train_on_batch(z, ones)
        _assert_close(reference.get_weights(), combined.get_weights())
        _assert_close(reference_disc.get_weights(), d_before, rtol=0)

    def test_a_layer_cannot_belong_to_two_models(self):
        dense = ref.Dense(2)
        ref.Sequential([ref.Input((3,)), dense])
        with pytest.raises(ValueError, match="already belongs to model"):
            ref.Sequential([ref.Input((3,)), dense])

    def test_from_keras_lists_every_unsupported_layer_argument_and_compile_setting_at_once(self):
        model = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Lambda(lambda t: t, name="fn"),
                keras.layers.Masking(name="mask_me"),
                keras.layers.Dense(3, kernel_constraint=keras.constraints.Constraint(), name="reg"),
                keras.layers.Dense(2, activation="softmax"),
            ]
        )
        model.compile(
            optimizer="adam",
            loss="categorical_focal_crossentropy",
            metrics=[keras.metrics.AUC(name="auc"), keras.metrics.CategoricalAccuracy()],
            weighted_metrics=["accuracy"],
        )
        with pytest.raises(ref.InputError) as error:
            ref.from_keras(model)
        lines = str(error.value).splitlines()
        assert lines[0] == f"the NumPy reference cannot host Keras model {model.name!r}:"
        problems = [line for line in lines if line.startswith("  - ")]
        assert problems == [
            "  - layer 'fn' (Lambda): no NumPy reference counterpart",
            "  - layer 'mask_me' (Masking): no NumPy reference counterpart",
            problems[2],
            "  - compile setting weighted_metrics=['accuracy'] is not implemented by the NumPy "
            "reference",
            problems[4],
            problems[5],
        ]
        assert problems[2].startswith(
            "  - layer 'reg' (Dense): constraint 'Constraint' is not implemented by the NumPy "
            "reference"
        )
        assert problems[4].startswith(
            "  - loss: Keras loss 'categorical_focal_crossentropy' is not"
        )
        assert problems[5].startswith("  - metric 'auc' (AUC) has no NumPy reference counterpart")

    def test_unbuilt_sequential_is_refused_with_how_to_build_it(self):
        model = keras.Sequential([keras.layers.Dense(2)])
        with pytest.raises(ref.InputError, match=r"not built.*call model.build\(input_shape\)"):
            ref.from_keras(model)
        model.build((None, 3))
        assert ref.from_keras(model).input_shape == (None, 3)

    def test_functional_chain_is_hosted_as_a_model(self):
        inputs = keras.Input((3,))
        outputs = keras.layers.Dense(2, name="out")(keras.layers.Dense(4, name="hidden")(inputs))
        model = keras.Model(inputs, outputs)
        reference = ref.from_keras(model)
        assert isinstance(reference, ref.Model) and not isinstance(reference, ref.Sequential)
        assert [layer.name for layer in reference.layers][1:] == ["hidden", "out"]
        x = np.random.default_rng(0).normal(size=(5, 3))
        _assert_close([reference.predict(x)], [model.predict(x, verbose=0)])

    def test_subclassed_models_and_keras_ops_are_refused_clearly(self):
        class Custom(keras.Model):
            def call(self, x):
                return x

        with pytest.raises(ref.InputError, match=r"subclassed keras.Model \(Custom\)"):
            ref.from_keras(Custom())
        inputs = keras.Input((3,))
        hidden = keras.layers.Dense(3, name="hidden")(inputs)
        summed = keras.ops.add(hidden, inputs)  # an op, not a layer
        model = keras.Model(inputs, keras.layers.Masking(name="mask")(summed))
        with pytest.raises(ref.InputError) as error:
            ref.from_keras(model)
        message = str(error.value)
        assert "a keras.ops call on a symbolic tensor) has no NumPy reference" in message
        assert "layer 'mask' (Masking): no NumPy reference counterpart" in message

    def test_nested_model_problems_are_listed_with_the_outer_ones(self):
        inner = keras.Sequential([keras.Input((3,)), keras.layers.Masking()], name="inner")
        outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.UnitNormalization()])
        with pytest.raises(ref.InputError) as error:
            ref.from_keras(outer)
        message = str(error.value)
        assert "in nested model 'inner': layer 'masking" in message
        assert "(UnitNormalization): no NumPy reference counterpart" in message
