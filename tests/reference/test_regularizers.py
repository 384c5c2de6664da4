"""Regularizers against Keras's: each penalty and its gradient (float64 at 1e-12 with
Keras's float32-rounded factors, float32 at 1e-6); models with weight and activity
regularizers that train to Keras's weights (float64 at 1e-10), the penalty counted
once per trainable weight and once per call, as ``compute_loss`` sums
``model.losses``; every hosted layer's regularizer arguments on the right weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.reference import regularizers

from .layers._parity import assert_close, numerical_gradient

KERAS_REGULARIZERS = [
    keras.regularizers.L1(0.01),
    keras.regularizers.L2(0.03),
    keras.regularizers.L1L2(0.01, 0.02),
    keras.regularizers.L1L2(l2=0.5),
    "l1",
    "l2",
    "l1l2",
]


CASES = [(r, "float64", 1e-12) for r in KERAS_REGULARIZERS] + [
    (r, "float32", 1e-6) for r in KERAS_REGULARIZERS
]
# Keras's OrthogonalRegularizer multiplies a float32 factor by the penalty: float32 only.
CASES += [
    (keras.regularizers.OrthogonalRegularizer(0.3), "float32", 1e-5),
    (keras.regularizers.OrthogonalRegularizer(0.2, mode="columns"), "float32", 1e-5),
]


@pytest.mark.parametrize("keras_regularizer, dtype, rtol", CASES)
def test_penalty_and_gradient_match_keras(keras_regularizer, dtype, rtol):
    keras_regularizer = keras.regularizers.get(keras_regularizer)
    regularizer = regularizers.get(keras.regularizers.serialize(keras_regularizer))
    x = np.random.default_rng(0).normal(size=(4, 3)).astype(dtype)
    x[0, 0] = 0.0  # |x| has gradient 0 there, as TensorFlow's
    x[2] = 0.0  # a zero row: OrthogonalRegularizer's scale is clipped at 1 / epsilon
    x_t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x_t)
        penalty = keras_regularizer(x_t)
    assert regularizer(x).dtype == x.dtype
    assert_close(regularizer(x), penalty.numpy(), rtol)
    assert_close(
        regularizer.gradient(x),
        tape.gradient(penalty, x_t, unconnected_gradients="zero").numpy(),
        rtol,
    )
    assert regularizer.get_config() == keras_regularizer.get_config()


def test_names_configs_and_refusals():
    assert isinstance(regularizers.get("l1l2"), regularizers.L1L2)
    assert regularizers.get("L2").get_config() == {"l2": 0.01}
    assert regularizers.get(None) is None
    l1 = regularizers.L1(0.1)
    assert regularizers.get(regularizers.serialize(l1)).get_config() == l1.get_config()
    assert l1.to_keras().get_config() == keras.regularizers.L1(0.1).get_config()
    with pytest.raises(ref.InputError, match="'Custom' is not implemented"):
        regularizers.get({"class_name": "Custom", "config": {}})
    with pytest.raises(ref.InputError, match="takes 2-D weights"):
        regularizers.OrthogonalRegularizer()(np.zeros((2, 2, 2)))
    with pytest.raises(ref.InputError, match="does not take l3"):
        regularizers.get({"class_name": "L2", "config": {"l3": 1.0}})
    with pytest.raises(ref.InputError, match="l2 must be a finite number >= 0"):
        regularizers.L2(-1.0)
    with pytest.raises(ref.InputError, match="unexpected arguments kernel_regulariser"):
        ref.Dense(2, kernel_regulariser="l2")


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_gradient_matches_finite_differences_in_float64(mode):
    regularizer = regularizers.OrthogonalRegularizer(0.3, mode)
    x = np.random.default_rng(6).normal(size=(4, 6))
    expected = numerical_gradient(lambda: float(regularizer(x)), x)
    np.testing.assert_allclose(regularizer.gradient(x), expected, rtol=1e-6, atol=1e-9)


def _fit_both(keras_model, x, y, epochs=2, batch_size=8):
    """Keras's fit and its counterpart's (no shuffling): the per-epoch losses and the
    final weights, evaluate's loss too."""
    model = ref.from_keras(keras_model)
    theirs = keras_model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    ours = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=False, verbose=0)
    np.testing.assert_allclose(ours.history["loss"], theirs.history["loss"], rtol=1e-10)
    for w, keras_w in zip(model.get_weights(), keras_model.get_weights(), strict=True):
        assert_close(w, keras_w, 1e-10, floor=1.0)
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        keras_model.evaluate(x, y, verbose=0), rel=1e-10
    )
    return model


def test_a_model_with_weight_and_activity_regularizers_trains_to_keras_weights(float64):
    """L2 on kernels, L1 on a bias, activity penalties on a hidden layer and on a sigmoid
    output whose cross-entropy is computed from its logits; Adam, 2 epochs of 3 batches."""
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(20, 5)), rng.integers(0, 2, size=(20, 1))
    keras.utils.set_random_seed(0)
    keras_model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(
                6,
                activation="tanh",
                kernel_regularizer=keras.regularizers.L2(0.03),
                bias_regularizer=keras.regularizers.L1(0.02),
                bias_initializer="random_normal",
                activity_regularizer=keras.regularizers.L1L2(0.01, 0.02),
            ),
            keras.layers.Dense(
                1,
                activation="sigmoid",
                kernel_regularizer="l1l2",
                activity_regularizer=keras.regularizers.L2(0.1),
            ),
        ]
    )
    keras_model.compile(
        optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", run_eagerly=True
    )
    _fit_both(keras_model, x, y)


def test_frozen_shared_and_nested_layers_are_penalized_as_keras_does(float64):
    """A frozen layer's weight penalty is not part of the loss, nor is that of a layer in
    a frozen model; a layer called twice adds its activity penalty at each call but its
    weight penalty once; a nested model's regularizers count."""
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(12, 4)), rng.normal(size=(12, 2))
    keras.utils.set_random_seed(0)
    shared = keras.layers.Dense(
        4,
        activation="relu",
        kernel_regularizer=keras.regularizers.L2(0.05),
        activity_regularizer=keras.regularizers.L1(0.03),
    )
    frozen = keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L1(0.5), trainable=False)
    inner = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.2))]
    )
    frozen_block = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(4, kernel_regularizer=keras.regularizers.L1(0.4))]
    )
    frozen_block.trainable = False
    inputs = keras.Input((4,))
    branch = shared(frozen(frozen_block(inputs)))
    outputs = inner(keras.layers.Add()([branch, shared(shared(inputs))]))
    keras_model = keras.Model(inputs, outputs)
    keras_model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse", run_eagerly=True)
    model = _fit_both(keras_model, x, y, batch_size=6)
    assert regularizers.penalty(model) > 0
    # A frozen model has no trainable weights, so no weight penalty, even with a layer
    # inside trainable again.
    model.trainable = keras_model.trainable = False
    shared.trainable = next(
        layer for layer in model.layers if layer.name == shared.name
    ).trainable = True
    assert model.evaluate(x, y, verbose=0) == pytest.approx(
        keras_model.evaluate(x, y, verbose=0), rel=1e-10
    )


def _image_and_sequence_models():
    """Every hosted layer with regularizer arguments, each argument with its own factor
    (a penalty on the wrong weight changes the sum)."""
    factors = iter(np.linspace(0.01, 0.2, 40))

    def l2():
        return keras.regularizers.L2(float(next(factors)))

    def l1():
        return keras.regularizers.L1(float(next(factors)))

    def kernel_and_bias():
        return {"kernel_regularizer": l2(), "bias_regularizer": l1(), "activity_regularizer": l2()}

    def depthwise():
        return {"depthwise_regularizer": l2(), "bias_regularizer": l1()}

    def scale_and_shift():
        return {"gamma_regularizer": l2(), "beta_regularizer": l1()}

    layers = keras.layers
    image = keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            layers.Conv2D(3, 3, padding="same", **kernel_and_bias()),
            layers.Conv2DTranspose(2, 3, strides=2, padding="same", **kernel_and_bias()),
            layers.DepthwiseConv2D(3, depth_multiplier=2, **depthwise()),
            layers.SeparableConv2D(3, 3, pointwise_regularizer=l1(), **depthwise()),
            layers.BatchNormalization(**scale_and_shift()),
            layers.Flatten(),
            layers.Dense(2, **kernel_and_bias()),
        ]
    )
    sequence = keras.Sequential(
        [
            keras.Input((7,)),
            layers.Embedding(5, 3, embeddings_regularizer=l2()),
            layers.Conv1D(4, 3, **kernel_and_bias()),
            layers.Conv1DTranspose(3, 2, strides=2, **kernel_and_bias()),
            layers.LayerNormalization(**scale_and_shift()),
            layers.GlobalAveragePooling1D(),
            layers.Dense(2, **kernel_and_bias()),
        ]
    )
    rng = np.random.default_rng(3)
    return [
        (image, rng.normal(size=(3, 6, 6, 2))),
        (sequence, rng.integers(0, 5, size=(3, 7)).astype("float64")),
    ]


def test_every_hosted_layer_puts_its_regularizers_on_keras_weights(float64):
    keras.utils.set_random_seed(0)
    for keras_model, x in _image_and_sequence_models():
        keras_model.compile(optimizer="sgd", loss="mse")
        model = ref.from_keras(keras_model)
        y = np.random.default_rng(4).normal(size=(len(x), 2))
        with tf.GradientTape() as tape:
            loss = keras_model.compute_loss(x, y, keras_model(x, training=False))
        keras_grads = tape.gradient(loss, keras_model.trainable_weights)
        value, grads = model.compute_gradients(x, y, training=False)
        assert value == pytest.approx(float(loss), rel=1e-12)
        for ours, theirs in zip(grads, keras_grads, strict=True):
            assert_close(ours, theirs.numpy(), 1e-10)


def test_regularizers_round_trip_through_keras(float64):
    model = ref.Sequential(
        [
            ref.Input((3,)),
            ref.Dense(4, kernel_regularizer="l2", activity_regularizer=regularizers.L1(0.2)),
            ref.Dense(2, bias_regularizer=regularizers.L1L2(0.1, 0.3)),
        ],
        seed=0,
        dtype="float64",
    )
    keras_model = model.to_keras()
    hidden, output = keras_model.layers
    assert hidden.kernel_regularizer.get_config() == {"l2": 0.01}
    assert hidden.activity_regularizer.get_config() == pytest.approx({"l1": 0.2}, rel=1e-7)
    assert output.bias_regularizer.get_config() == {"l1": 0.1, "l2": 0.3}
    x = np.random.default_rng(5).normal(size=(4, 3))
    keras_model(x)
    model(x)
    assert sum(keras_model.losses).numpy() == pytest.approx(regularizers.penalty(model), rel=1e-12)


class Custom(keras.regularizers.Regularizer):
    def __call__(self, x):
        return keras.ops.sum(x)

    def get_config(self):
        return {}


def test_unsupported_regularizers_are_listed_by_from_keras():
    keras_model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, kernel_regularizer=Custom(), name="custom")]
    )
    with pytest.raises(ref.InputError, match=r"layer 'custom' \(Dense\): .*'Custom'"):
        ref.from_keras(keras_model)
