"""Weight constraints against Keras's: each projection on random weights (float64 at
1e-12, float32 at 1e-6), with slices whose norm is near zero (where epsilon counts) or
outside the bounds; models with constraints on every hosted layer's weights that train
to Keras's weights step by step (SGD and Adam); frozen layers and models left alone, as
Keras's optimizer leaves them; the round trip through ``to_keras``; the refusals."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit import reference as ref
from deepkit.reference import constraints

from .layers._parity import assert_close

KERAS_CONSTRAINTS = [
    keras.constraints.MaxNorm(),
    keras.constraints.MaxNorm(0.7, axis=1),
    keras.constraints.MaxNorm(1.3, axis=[0, 1, 2]),
    keras.constraints.MaxNorm(1.1, axis=None),
    keras.constraints.MinMaxNorm(),
    keras.constraints.MinMaxNorm(0.5, 1.3, rate=0.3),
    keras.constraints.MinMaxNorm(0.9, 1.2, rate=0.7, axis=-1),
    keras.constraints.NonNeg(),
    keras.constraints.UnitNorm(),
    keras.constraints.UnitNorm(axis=[1, 3]),
    "max_norm",
    "min_max_norm",
    "non_neg",
    "unit_norm",
]
CASES = [(c, "float64", 1e-12) for c in KERAS_CONSTRAINTS] + [
    (c, "float32", 1e-6) for c in KERAS_CONSTRAINTS
]


def _weights(dtype):
    """(3, 2, 4, 3) weights: norms over axis 0 below and above every bound, one slice
    with a norm near epsilon, one all zeros."""
    w = np.random.default_rng(0).normal(size=(3, 2, 4, 3)) * np.linspace(0.1, 1.5, 3)
    w[:, 0, 0, 0] *= 1e-8
    w[:, 1, 1, 1] = 0.0
    return w.astype(dtype)


@pytest.mark.parametrize("keras_constraint, dtype, rtol", CASES)
def test_each_constraint_matches_keras(keras_constraint, dtype, rtol):
    keras_constraint = keras.constraints.get(keras_constraint)
    constraint = constraints.get(keras.constraints.serialize(keras_constraint))
    w = _weights(dtype)
    projected = constraint(w)
    assert projected.dtype == w.dtype
    assert_close(projected, keras_constraint(tf.constant(w)).numpy(), rtol)
    assert constraint.get_config() == keras_constraint.get_config()


def test_names_configs_and_refusals():
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert isinstance(constraints.get("MinMaxNorm"), constraints.MinMaxNorm)
    assert constraints.get(None) is None
    max_norm = constraints.MaxNorm(3, axis=[0, 1])
    assert constraints.get(max_norm) is max_norm
    assert constraints.get(constraints.serialize(max_norm)).get_config() == max_norm.get_config()
    assert max_norm.to_keras().get_config() == {"max_value": 3, "axis": [0, 1]}
    assert ref.constraints is constraints
    with pytest.raises(ref.InputError, match="'Custom' is not implemented"):
        constraints.get({"class_name": "Custom", "config": {}})
    with pytest.raises(ref.InputError, match="'max' is not implemented"):
        ref.Dense(2, kernel_constraint="max")
    with pytest.raises(ref.InputError, match="MaxNorm does not take max_norm"):
        constraints.get({"class_name": "MaxNorm", "config": {"max_norm": 1.0}})
    bad_arguments = [
        (lambda: constraints.MaxNorm(-1.0), "MaxNorm max_value must be a finite number >= 0"),
        (lambda: constraints.MaxNorm("2"), "MaxNorm max_value must be a number"),
        (lambda: constraints.MinMaxNorm(0.5, 0.2), "max_value must be a finite number >= 0.5"),
        (lambda: constraints.MinMaxNorm(rate=1.5), "rate must be at most 1"),
        (lambda: constraints.MinMaxNorm(rate=float("nan")), "rate must be a finite number"),
        (lambda: constraints.UnitNorm(axis="0"), "UnitNorm axis must be an int"),
        (lambda: constraints.UnitNorm(axis=[0, 1.0]), "UnitNorm axis must be an int"),
        (lambda: ref.Dense(2, kernel_constrant="non_neg"), "unexpected arguments kernel_constrant"),
    ]
    for make, message in bad_arguments:
        with pytest.raises(ref.InputError, match=message):
            make()
    dense = ref.Dense(2, bias_constraint=constraints.MaxNorm(axis=1))
    with pytest.raises(ref.InputError, match=r"weight 'bias': MaxNorm axis 1 is out of range"):
        dense.build((None, 3))


def test_a_weight_named_otherwise_takes_its_constraint_from_add_weight():
    layer = ref.Dense(2, kernel_constraint="non_neg", dtype="float64")
    layer.build((None, 3))
    layer.add_weight("extra", (3, 2), "ones", constraint=constraints.MaxNorm(0.5))
    layer.kernel[...] = -1.0
    layer.apply_constraints()
    np.testing.assert_array_equal(layer.kernel, 0.0)
    np.testing.assert_allclose(np.linalg.norm(layer.extra, axis=0), 0.5, rtol=1e-6)
    layer.trainable = False
    layer.kernel[...] = -1.0
    layer.apply_constraints()
    np.testing.assert_array_equal(layer.kernel, -1.0)


def _constrained_models():
    """Every hosted layer with constraint arguments, each weight constrained; the bounds
    are tight enough that the updates cross them."""

    def kernel_and_bias(axis):
        return {
            "kernel_constraint": keras.constraints.MaxNorm(0.6, axis=axis),
            "bias_constraint": keras.constraints.NonNeg(),
        }

    def scale_and_shift():
        return {
            "gamma_constraint": keras.constraints.MinMaxNorm(0.9, 1.1, rate=0.5, axis=0),
            "beta_constraint": keras.constraints.NonNeg(),
        }

    layers = keras.layers
    image = keras.Sequential(
        [
            keras.Input((5, 5, 2)),
            layers.Conv2D(3, 3, padding="same", **kernel_and_bias([0, 1, 2])),
            layers.Conv2DTranspose(2, 3, strides=2, padding="same", **kernel_and_bias([0, 1, 3])),
            layers.SeparableConv2D(
                3,
                3,
                activation="tanh",
                depthwise_constraint=keras.constraints.UnitNorm(axis=[0, 1]),
                pointwise_constraint=keras.constraints.MaxNorm(0.5, axis=2),
                bias_constraint=keras.constraints.MaxNorm(0.05),
            ),
            layers.BatchNormalization(**scale_and_shift()),
            layers.Flatten(),
            layers.Dense(2, **kernel_and_bias(0)),
        ]
    )
    sequence = keras.Sequential(
        [
            keras.Input((6,)),
            layers.Embedding(30, 3, embeddings_constraint=keras.constraints.UnitNorm(axis=1)),
            layers.Conv1D(4, 3, **kernel_and_bias([0, 1])),
            layers.Conv1DTranspose(3, 2, strides=2, activation="tanh", **kernel_and_bias([0, 2])),
            layers.LayerNormalization(**scale_and_shift()),
            layers.GlobalAveragePooling1D(),
            layers.Dense(2, kernel_constraint="unit_norm", bias_constraint="max_norm"),
        ]
    )
    rng = np.random.default_rng(3)
    return [
        (image, rng.normal(size=(4, 5, 5, 2))),
        # Distinct indices: Keras's Adam squares an Embedding's sparse gradient row by row.
        (sequence, rng.permutation(30)[:24].reshape(4, 6).astype("float64")),
    ]


@pytest.mark.parametrize(
    "make_optimizer",
    [lambda: keras.optimizers.SGD(0.3), lambda: keras.optimizers.Adam(0.05)],
    ids=["sgd", "adam"],
)
def test_models_with_constraints_train_to_keras_weights_step_by_step(float64, make_optimizer):
    keras.utils.set_random_seed(0)
    for keras_model, x in _constrained_models():
        keras_model.compile(optimizer=make_optimizer(), loss="mse")
        model = ref.from_keras(keras_model)
        y = np.random.default_rng(4).normal(size=(len(x), 2)) * 3
        start = model.get_weights()
        for _ in range(3):
            keras_loss = float(keras_model.train_on_batch(x, y))
            assert model.train_on_batch(x, y) == pytest.approx(keras_loss, rel=1e-10)
            for ours, theirs in zip(model.get_weights(), keras_model.get_weights(), strict=True):
                assert_close(ours, theirs, 1e-10, floor=1.0)
        # Each trainable weight moved, and Keras's constraints held them.
        moved = [not np.allclose(a, b) for a, b in zip(model.get_weights(), start)]
        assert sum(moved) >= len(keras_model.trainable_weights)


def test_frozen_layers_and_models_are_not_constrained(float64):
    """Keras projects only the variables its optimizer updated: not a frozen layer's,
    nor those of a layer inside a frozen model; a trainable nested model's are; nothing
    in a frozen model."""
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    keras.utils.set_random_seed(0)
    negative = {"kernel_initializer": "random_normal", "bias_initializer": "random_normal"}
    frozen = keras.layers.Dense(
        3, kernel_constraint="non_neg", bias_constraint="non_neg", trainable=False, **negative
    )
    frozen_block = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(3, kernel_constraint="non_neg", **negative)]
    )
    frozen_block.trainable = False
    inner = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, kernel_constraint="non_neg", **negative)]
    )
    inputs = keras.Input((3,))
    outputs = inner(frozen_block(frozen(inputs)))
    keras_model = keras.Model(inputs, outputs)
    keras_model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    model = ref.from_keras(keras_model)
    for _ in range(2):
        keras_model.train_on_batch(x, y)
        model.train_on_batch(x, y)
    weights = model.get_weights()
    for ours, theirs in zip(weights, keras_model.get_weights(), strict=True):
        assert_close(ours, theirs, 1e-12, floor=1.0)
    assert (weights[0] < 0).any() and (weights[1] < 0).any() and (weights[2] < 0).any()
    assert (weights[4] >= 0).all()  # the trainable nested model's kernel
    inner_kernel = model.weights[4]
    inner_kernel[...] = -1.0
    model.trainable = False
    model.layers[-1].layers[-1].trainable = True  # a frozen model still updates nothing
    constraints.constrain(model)
    np.testing.assert_array_equal(inner_kernel, -1.0)
    model.trainable = True
    constraints.constrain(model)
    np.testing.assert_array_equal(inner_kernel, 0.0)


def test_constraints_round_trip_through_keras(float64):
    model = ref.Sequential(
        [
            ref.Input((3,)),
            ref.Dense(4, kernel_constraint=constraints.MaxNorm(0.5), bias_constraint="non_neg"),
            ref.LayerNormalization(gamma_constraint=constraints.MinMaxNorm(0.5, 2.0, 0.5)),
            ref.Dense(2, kernel_constraint=constraints.UnitNorm(axis=[0])),
        ],
        seed=0,
        dtype="float64",
    )
    keras_model = model.to_keras()
    dense, norm, output = keras_model.layers
    assert dense.kernel_constraint.get_config() == {"max_value": 0.5, "axis": 0}
    assert isinstance(dense.bias_constraint, keras.constraints.NonNeg)
    assert norm.gamma_constraint.get_config() == {
        "min_value": 0.5,
        "max_value": 2.0,
        "rate": 0.5,
        "axis": 0,
    }
    assert norm.beta_constraint is None
    assert output.kernel_constraint.get_config() == {"axis": [0]}
    again = ref.from_keras(keras_model)
    for layer, original in zip(again.layers, model.layers, strict=True):
        assert layer.constraint_arguments.keys() == original.constraint_arguments.keys()
        for name, constraint in layer.constraint_arguments.items():
            assert constraint.get_config() == original.constraint_arguments[name].get_config()
    x = np.random.default_rng(6).normal(size=(5, 3))
    y = np.random.default_rng(7).normal(size=(5, 2))
    keras_model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    again.compile(optimizer=ref.optimizers.SGD(0.5), loss="mse")
    keras_model.train_on_batch(x, y)
    again.train_on_batch(x, y)
    for ours, theirs in zip(again.get_weights(), keras_model.get_weights(), strict=True):
        assert_close(ours, theirs, 1e-12, floor=1.0)


class Clip(keras.constraints.Constraint):
    def __call__(self, w):
        return keras.ops.clip(w, -1.0, 1.0)


def test_unsupported_constraints_are_listed_by_from_keras():
    keras_model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, bias_constraint=Clip(), name="custom")]
    )
    with pytest.raises(ref.InputError, match=r"layer 'custom' \(Dense\): constraint 'Clip'"):
        ref.from_keras(keras_model)
