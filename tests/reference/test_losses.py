"""The NumPy reference's losses against Keras's: values and gradients on arrays
(tf.GradientTape), every built-in loss by name, function and object, and one
training step of a model compiled with each loss through ``from_keras``."""

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.parity import keras_float_dtype
from deepkit.reference import losses
from deepkit.validation import InputError


def _keras_loss_and_grad(keras_loss, y_true, y_pred):
    p = tf.constant(y_pred)
    with tf.GradientTape() as tape:
        tape.watch(p)
        value = keras_loss(y_true, p * 1)  # `* 1`: a plain tensor, no cached logits
    return value.numpy(), tape.gradient(value, p).numpy()


REG_TRUE = [[1.0, 0.0, -2.0], [0.5, 2.0, 0.3]]
REG_PRED = [[0.7, 0.0, -0.5], [0.5, -1.0, 1.3]]  # one exact hit (gradient 0 there)
POS_TRUE = [[1.0, 0.0, 3.0], [0.5, 2.0, 0.0]]
POS_PRED = [[0.7, 0.2, 2.5], [1e-9, 1.0, 3.0]]  # 1e-9 below eps: max() is active
PROB_TRUE = [[0.2, 0.8, 0.0], [0.5, 0.25, 0.25]]
PROB_PRED = [[0.1, 0.9, 0.0], [0.3, 0.3, 1.2]]  # 0 and 1.2 clipped: gradient 0 there

LOSS_ARRAYS = [
    ("BinaryCrossentropy", {}, [[1.0], [0.0], [1.0], [0.0]], [[0.9], [0.2], [0.0], [1.0]]),
    ("BinaryCrossentropy", {"from_logits": True}, [[1.0], [0.0]], [[2.0], [-40.0]]),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, [[1.0], [0.0]], [[0.9], [0.3]]),
    (
        "BinaryCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        [[1.0, 0.0], [0.0, 1.0]],
        [[2.0, -1.0], [0.5, 3.0]],
    ),
    ("CategoricalCrossentropy", {}, [[0, 1, 0], [1, 0, 0]], [[0.1, 0.9, 0.0], [0.0, 0.4, 0.6]]),
    (
        "CategoricalCrossentropy",
        {"from_logits": True},
        [[0, 1, 0], [1, 0, 0]],
        [[0.1, 3.0, -2.0], [-30.0, 0.4, 0.6]],
    ),
    (
        "CategoricalCrossentropy",
        {"label_smoothing": 0.3},
        [[0, 1, 0], [1, 0, 0]],
        [[0.1, 0.8, 0.1], [0.2, 0.4, 0.4]],
    ),
    (
        "CategoricalCrossentropy",
        {"from_logits": True, "label_smoothing": 0.1},
        [[0, 1, 0], [1, 0, 0]],
        [[0.1, 3.0, -2.0], [-3.0, 0.4, 0.6]],
    ),
    ("SparseCategoricalCrossentropy", {}, [1, 2], [[0.1, 0.9, 0.0], [0.2, 0.2, 0.6]]),
    (
        "SparseCategoricalCrossentropy",
        {"from_logits": True},
        [[1], [0]],
        [[0.1, 0.9, 5.0], [0.2, -0.2, 0.6]],
    ),
    ("MeanSquaredError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsoluteError", {}, REG_TRUE, REG_PRED),
    ("MeanAbsolutePercentageError", {}, [[1.0, 0.0, -2.0], [0.5, 2.0, 0.3]], REG_PRED),
    ("MeanSquaredLogarithmicError", {}, POS_TRUE, POS_PRED),
    ("Huber", {}, REG_TRUE, [[0.7, 1.0, -0.5], [0.5, -1.0, 1.3]]),  # |e| == delta once
    ("Huber", {"delta": 0.4}, REG_TRUE, REG_PRED),
    ("LogCosh", {}, REG_TRUE, REG_PRED),
    ("Poisson", {}, POS_TRUE, POS_PRED),
    ("KLDivergence", {}, PROB_TRUE, PROB_PRED),
    ("Hinge", {}, [[1.0, 0.0], [0.0, 1.0]], [[0.3, -2.0], [0.5, 1.0]]),  # 0/1 -> -1/1, a tie
    ("Hinge", {}, [[1.0, -1.0], [-1.0, 1.0]], [[0.3, -2.0], [0.5, 1.7]]),
    ("SquaredHinge", {}, [[1.0, 0.0], [0.0, 1.0]], [[0.3, -2.0], [0.5, 1.0]]),
    ("SquaredHinge", {}, [[1.0, -1.0], [-1.0, 1.0]], [[0.3, -2.0], [0.5, 1.7]]),
    (
        "CategoricalHinge",
        {},
        [[0, 1, 0], [1, 0, 0], [0, 0, 1]],
        [[0.5, 0.2, 0.5], [0.9, 0.1, 0.3], [0.2, -1.0, 3.0]],  # a tie, active, inactive
    ),
    ("CosineSimilarity", {}, [[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]], [[0.5, 0.1, -0.3], [1, 2, 3]]),
    ("CosineSimilarity", {}, [[1.0, 2.0, 0.0]], [[0.0, 0.0, 0.0]]),  # a zero vector: capped
    ("CosineSimilarity", {}, [[1.0, 2.0, 0.0]], [[1e-9, -2e-9, 0.0]]),  # norm below eps
]


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("name,kwargs,y_true,y_pred", LOSS_ARRAYS)
def test_loss_on_arrays_matches_keras(name, kwargs, y_true, y_pred, dtype, rtol):
    y_pred = np.asarray(y_pred, dtype=dtype)
    ours = getattr(losses, name)(**kwargs)
    value, grad = ours.value_and_grad(*ours.prepare(y_true, y_pred))
    with keras_float_dtype(dtype):
        keras_value, keras_grad = _keras_loss_and_grad(
            getattr(keras.losses, name)(**kwargs), np.asarray(y_true), y_pred
        )
    assert value == pytest.approx(float(keras_value), rel=rtol)
    assert ours(y_true, y_pred) == pytest.approx(value, rel=1e-12)
    assert grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(grad, keras_grad, rtol=rtol, atol=rtol * 1e-3)


KERAS_NAMES = {
    "mae": "MeanAbsoluteError",
    "MAE": "MeanAbsoluteError",
    "mean_absolute_error": "MeanAbsoluteError",
    "mse": "MeanSquaredError",
    "mape": "MeanAbsolutePercentageError",
    "msle": "MeanSquaredLogarithmicError",
    "huber": "Huber",
    "log_cosh": "LogCosh",
    "kl_divergence": "KLDivergence",
    "kld": "KLDivergence",
    "poisson": "Poisson",
    "hinge": "Hinge",
    "squared_hinge": "SquaredHinge",
    "categorical_hinge": "CategoricalHinge",
    "cosine_similarity": "CosineSimilarity",
    "bce": "BinaryCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
}


@pytest.mark.parametrize("name,class_name", sorted(KERAS_NAMES.items()))
def test_every_builtin_loss_is_hosted_by_name_function_and_object(name, class_name):
    cls = getattr(losses, class_name)
    assert type(losses.from_keras(name)) is cls
    assert type(losses.from_keras(keras.losses.get(name))) is cls  # the function
    assert type(losses.from_keras(getattr(keras.losses, class_name)())) is cls
    assert type(losses.get(class_name)) is cls


def test_loss_settings_are_carried_over_from_keras_objects():
    bce = losses.from_keras(keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1))
    assert (bce.from_logits, bce.label_smoothing) == (True, 0.1)
    cce = losses.from_keras(keras.losses.CategoricalCrossentropy(label_smoothing=0.2))
    assert cce.with_logits().label_smoothing == 0.2 and cce.with_logits().from_logits
    assert losses.from_keras(keras.losses.Huber(delta=0.5)).delta == 0.5
    explicit = keras.losses.SparseCategoricalCrossentropy(
        reduction="sum_over_batch_size", ignore_class=None
    )
    assert type(losses.from_keras(explicit)) is losses.SparseCategoricalCrossentropy
    for loss in (bce, cce, losses.Huber(0.5), losses.LogCosh()):
        again = losses.from_keras(loss.to_keras())
        assert type(again) is type(loss) and again.get_config() == loss.get_config()


def test_loss_shape_and_label_errors_are_named():
    with pytest.raises(InputError, match="shape"):
        losses.BinaryCrossentropy()(np.zeros((4, 2)), np.zeros((4, 3)))
    with pytest.raises(InputError, match="out of range"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(InputError, match=r"labels must lie in \[0, 1\].*from -1 to 1"):
        losses.BinaryCrossentropy()(np.array([[1.0], [-1.0]]), np.full((2, 1), 0.5))
    with pytest.raises(InputError, match="from 0 to 2; class indices"):
        losses.BinaryCrossentropy(from_logits=True)(np.array([[0.0], [2.0]]), np.zeros((2, 1)))


def test_unknown_and_unimplemented_loss_names_say_which_is_which():
    with pytest.raises(InputError, match="unknown loss 'hinge_ish': neither Keras nor"):
        losses.get("hinge_ish")
    with pytest.raises(InputError, match="'binary_focal_crossentropy' is not implemented by the"):
        losses.from_keras("binary_focal_crossentropy")
    with pytest.raises(InputError, match="Dice' is not implemented by the NumPy reference"):
        losses.from_keras(keras.losses.Dice())


@pytest.mark.parametrize(
    "keras_loss,unsupported",
    [
        (keras.losses.BinaryCrossentropy(reduction="sum"), "reduction='sum'"),
        (keras.losses.CategoricalCrossentropy(axis=0), "axis=0"),
        (keras.losses.SparseCategoricalCrossentropy(ignore_class=0), "ignore_class=0"),
        (keras.losses.MeanSquaredError(reduction=None), "reduction=None"),
        (keras.losses.CosineSimilarity(axis=0), "axis=0"),
        (keras.losses.Huber(reduction="sum"), "reduction='sum'"),
    ],
)
def test_loss_from_keras_refuses_options_it_would_drop(keras_loss, unsupported):
    with pytest.raises(InputError, match=f"{re.escape(unsupported)}.*not implement"):
        losses.from_keras(keras_loss)


# -- through a model: the loss Keras's fit sees, gradients, one step ------------------

MODEL_LOSSES = [
    ("mae", None, "regression"),
    ("mse", None, "regression"),
    ("mape", None, "regression"),
    ("msle", "softplus", "positive"),
    ("huber", None, "regression"),
    ("log_cosh", None, "regression"),
    ("poisson", "softplus", "positive"),
    ("kl_divergence", "softmax", "distribution"),
    ("hinge", "tanh", "binary"),
    ("squared_hinge", "tanh", "binary"),
    ("categorical_hinge", None, "onehot"),
    ("cosine_similarity", None, "regression"),
    (("BinaryCrossentropy", {"label_smoothing": 0.2}), "sigmoid", "binary"),
    (("CategoricalCrossentropy", {"label_smoothing": 0.1}), "softmax", "onehot"),
    (("CategoricalCrossentropy", {"from_logits": True, "label_smoothing": 0.1}), None, "onehot"),
    (("Huber", {"delta": 0.3}), None, "regression"),
]


def _targets(kind, rng, n=8, k=3):
    if kind == "regression":
        return rng.normal(size=(n, k))
    if kind == "positive":
        return rng.poisson(2.0, size=(n, k)).astype("float64")
    if kind == "distribution":
        return rng.dirichlet(np.ones(k), n)
    if kind == "binary":
        return (rng.random((n, k)) > 0.5).astype("float64")
    return np.eye(k)[rng.integers(0, k, n)]


def _keras_model(loss, activation):
    """A small model compiled with ``loss`` (a name, or a class name and its arguments,
    made here so that the loss computes in the current float dtype)."""
    if isinstance(loss, tuple):
        loss = getattr(keras.losses, loss[0])(**loss[1])
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(5, activation="tanh"),
            keras.layers.Dense(3, activation=activation, bias_initializer="random_normal"),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss=loss)
    return model


@pytest.mark.parametrize("loss,activation,kind", MODEL_LOSSES)
def test_model_loss_gradients_and_step_match_keras_float64(loss, activation, kind):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 4)), _targets(kind, rng)
    with keras_float_dtype("float64"):
        keras_model = _keras_model(loss, activation)
        reference = ref.from_keras(keras_model)
        with tf.GradientTape() as tape:
            keras_loss = keras_model.compute_loss(x=x, y=y, y_pred=keras_model(x))
        keras_grads = tape.gradient(keras_loss, keras_model.trainable_variables)
        reference_loss, reference_grads = reference.compute_gradients(x, y, training=False)
        assert reference_loss == pytest.approx(float(keras_loss), rel=1e-7)
        for ours, theirs in zip(reference_grads, keras_grads):
            theirs = theirs.numpy()
            np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-9 * np.abs(theirs).max())
        keras_model.train_on_batch(x, y)
        reference.train_on_batch(x, y)
    for ours, theirs in zip(reference.get_weights(), keras_model.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-7, atol=1e-12)


def test_binary_crossentropy_labels_outside_0_1_are_refused_before_training():
    model = _keras_model("binary_crossentropy", "sigmoid")
    reference = ref.from_keras(model)
    before = reference.get_weights()
    y = np.ones((8, 3))
    y[5, 1] = 2.0
    with pytest.raises(InputError, match=r"binary_crossentropy: labels must lie in \[0, 1\]"):
        reference.fit(np.zeros((8, 4)), y, verbose=0)
    for ours, start in zip(reference.get_weights(), before):
        np.testing.assert_array_equal(ours, start)
