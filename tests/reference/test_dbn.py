"""NumPy reference DBN against the Keras DBN (float64, rtol 1e-7): with the same initial
weights, the same injected Gibbs uniforms and the same batch order, greedy
pretraining gives the same stack; the unrolled nets have the same weights,
outputs, gradients (tf.GradientTape) and fine-tune step; bad input is refused
with the Keras DBN's messages."""

import importlib

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.models.dbn import dbn as keras_build
from deepkit.models.dbn import pretrain as keras_pretrain
from deepkit.models.rbm import RBM as KerasRBM
from deepkit.parity import keras_float_dtype
from deepkit.reference import optimizers
from deepkit.reference.dbn import dbn as reference_build
from deepkit.reference.dbn import pretrain as reference_pretrain
from deepkit.reference.rbm import RBM as ReferenceRBM
from deepkit.validation import InputError

RTOL = 1e-7
SIZES = (12, 6)
N_ROWS, BATCH, EPOCHS = 110, 40, 2  # 3 batches an epoch, the last one short


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


def assert_close(actual, expected, rtol=RTOL):
    """max |a - e| <= rtol * max |e|."""
    actual, expected = np.asarray(actual, "float64"), np.asarray(expected, "float64")
    assert actual.shape == expected.shape
    assert np.max(np.abs(actual - expected)) <= rtol * max(np.max(np.abs(expected)), 1e-300)


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return x[:N_ROWS] / 16.0, y[:N_ROWS]


def gibbs_uniforms(n_visible, n_hidden, seed):
    """(hidden, visible) uniforms for every step of the pretraining of one RBM."""
    steps = EPOCHS * -(-N_ROWS // BATCH)
    rng = np.random.default_rng(seed)
    return rng.random((steps, 1, BATCH, n_hidden)), rng.random((steps, 1, BATCH, n_visible))


def keras_variables(rbm):
    return [
        keras.ops.convert_to_numpy(w)
        for w in (rbm.kernel, rbm.visible_bias, rbm.hidden_bias, rbm.chains)
    ]


@pytest.fixture(scope="module")
def keras_float64():
    """Keras in float64 for the whole module (floatx and policy, restored after)."""
    with keras_float_dtype("float64"):
        yield


@pytest.fixture(scope="module")
def stacks(digits, keras_float64):
    """Pretrain with the Keras DBN, then with the NumPy reference; each reference RBM starts from
    its Keras counterpart's initial weights, and both read the same uniforms and
    take the batches in order (Keras and NumPy shuffle with different generators).
    (Keras RBMs, reference RBMs, initial weights by name, each side's training inputs.)"""
    x, _ = digits
    initial, uniforms, seen = {}, {}, {"keras": [], "reference": []}

    def keras_fit(self, data, _, *, epochs, batch_size, callbacks, **kw):
        # in deepkit.training.fit's place: the same CD steps, the batches in order
        initial[self.name] = keras_variables(self)
        uniforms[self.name] = gibbs_uniforms(self.n_visible, self.n_hidden, len(uniforms))
        self.inject_uniforms(*uniforms[self.name])
        seen["keras"].append(np.array(data))
        self.fit(data, epochs=epochs, batch_size=batch_size, callbacks=callbacks, shuffle=False)
        return self, {}

    def reference_fit(self, data, **kw):
        assert_close(self.visible_bias, initial[self.name][1])  # same base-rate biases
        self.set_weights(initial[self.name])
        self.inject_uniforms(*uniforms[self.name])
        seen["reference"].append(np.array(data))
        return unpatched_fit(self, data, shuffle=False, **kw)

    unpatched_fit = ReferenceRBM.fit
    options = {"epochs": EPOCHS, "batch_size": BATCH, "learning_rate": 0.2, "switch_epoch": 1}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importlib.import_module("deepkit.models.dbn"), "fit", keras_fit)
        patch.setattr(ReferenceRBM, "fit", reference_fit)
        keras_rbms = keras_pretrain(x, SIZES, seed=3, **options)
        reference_rbms = reference_pretrain(x, SIZES, seed=3, dtype="float64", **options)
    return keras_rbms, reference_rbms, initial, seen


def test_pretrained_stack_matches_keras(digits, stacks):
    x, _ = digits
    keras_rbms, reference_rbms, initial, seen = stacks
    assert [(r.n_visible, r.n_hidden) for r in reference_rbms] == [(64, 12), (12, 6)]
    for keras_model, reference in zip(keras_rbms, reference_rbms):
        assert reference.optimizer.momentum == 0.9  # switched after epoch 1, as in Keras
        assert not np.allclose(reference.kernel, initial[reference.name][0])  # it learned
        for mine, theirs in zip(reference.get_weights(), keras_variables(keras_model)):
            assert_close(mine, theirs)
    # greedy: RBM 1 learned the hidden probabilities of RBM 0, on both sides
    np.testing.assert_array_equal(seen["reference"][0], x)
    assert_close(seen["reference"][1], reference_rbms[0].transform(x))
    assert_close(seen["reference"][1], seen["keras"][1])


@pytest.fixture
def both_nets(digits, stacks):
    """The Keras and reference DBNs unrolled from the pretrained stacks, same head."""
    x, y = digits
    keras_rbms, reference_rbms, _, _ = stacks
    model = keras_build(64, SIZES, 10, rbms=keras_rbms, seed=0)
    reference = reference_build(64, SIZES, 10, rbms=reference_rbms, seed=0, dtype="float64")
    reference.layers[-1].set_weights(model.layers[-1].get_weights())  # random (Glorot) heads
    return model, reference, reference_rbms, x, y


def test_unrolled_net_matches_keras(both_nets):
    model, reference, reference_rbms, x, y = both_nets
    assert [layer.activation.name for layer in reference.layers] == [
        "sigmoid",
        "sigmoid",
        "softmax",
    ]
    for mine, theirs in zip(reference.get_weights(), model.get_weights()):
        assert_close(mine, theirs)
    # the hidden layers compute the RBMs' p(h | v)
    assert_close(
        reference.layers[1](reference.layers[0](x)),
        reference_rbms[1].transform(reference_rbms[0].transform(x)),
    )
    assert_close(reference.predict(x), model.predict(x, verbose=0))

    loss, grads = reference.compute_gradients(x, y)
    with tf.GradientTape() as tape:
        keras_loss = keras.losses.SparseCategoricalCrossentropy()(y, model(x, training=True))
    keras_grads = tape.gradient(keras_loss, model.trainable_variables)
    assert_close(loss, keras_loss.numpy())
    for mine, theirs in zip(grads, keras_grads):
        assert_close(mine, theirs.numpy())

    before = reference.get_weights()
    assert_close(reference.train_on_batch(x, y), model.train_on_batch(x, y)[0])
    for mine, theirs, old in zip(reference.get_weights(), model.get_weights(), before):
        assert_close(mine, theirs)
        assert not np.allclose(mine, old)


def test_fine_tuning_by_the_reference_trainer(both_nets):
    model, reference, _, x, y = both_nets
    history = reference.fit(x, y, epochs=3, batch_size=BATCH, shuffle=False, verbose=0)
    keras_history = model.fit(x, y, epochs=3, batch_size=BATCH, shuffle=False, verbose=0)
    assert_close(history.history["loss"], keras_history.history["loss"])
    for mine, theirs in zip(reference.get_weights(), model.get_weights()):
        assert_close(mine, theirs)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_random_init_is_the_same_net_from_glorot():
    rbms = [ReferenceRBM(64, 12, seed=0), ReferenceRBM(12, 6, seed=1)]
    pretrained = reference_build(64, SIZES, 10, rbms=rbms)
    random_init = reference_build(64, SIZES, 10, seed=0)
    assert [w.shape for w in random_init.get_weights()] == [
        w.shape for w in pretrained.get_weights()
    ]
    kernel, bias = random_init.layers[0].get_weights()
    limit = np.sqrt(6 / (64 + 12))
    assert np.abs(kernel).max() <= limit and kernel.std() > limit / 3
    assert not bias.any()
    np.testing.assert_array_equal(pretrained.layers[0].kernel, rbms[0].kernel)
    np.testing.assert_array_equal(pretrained.layers[1].bias, rbms[1].hidden_bias)


BAD_STACKS = [
    (
        "RBM 1 is 10-6, but the stack needs 12-6: the sizes do not chain",
        (12, 6),
        ((64, 12), (10, 6)),
    ),
    ("2 RBMs for 1 hidden layers", (12,), ((64, 12), (12, 6))),
    ("hidden_sizes must list at least one layer size", (), ()),
    ("hidden layer size must be an int >= 1, got 0", (12, 0), ()),
]


@pytest.mark.parametrize("message, sizes, shapes", BAD_STACKS)
def test_stacks_that_do_not_chain_are_refused_like_keras(message, sizes, shapes):
    for build, rbm_class in ((keras_build, KerasRBM), (reference_build, ReferenceRBM)):
        rbms = [rbm_class(*shape) for shape in shapes] or None
        with pytest.raises(InputError, match=message):
            build(64, sizes, 10, rbms=rbms)


BAD_PRETRAINING = [
    ("k must be an int >= 1, got 0", {"k": 0}),
    ("epochs must be an int >= 1, got 0", {"epochs": 0}),
    ("batch_size must be an int >= 1, got 2.5", {"batch_size": 2.5}),
    ("learning_rate must be a number > 0", {"learning_rate": 0}),
    ("momentum must be a pair", {"momentum": 0.9}),
    ("a final momentum needs an initial one", {"momentum": (0, 0.9)}),
    ("switch_epoch must be an int >= 0", {"switch_epoch": -1}),
]


@pytest.mark.parametrize("message, options", BAD_PRETRAINING)
def test_bad_pretraining_settings_are_refused_like_keras(message, options):
    x = np.zeros((10, 64))
    for pretrain in (keras_pretrain, reference_pretrain):
        with pytest.raises(InputError, match=message):
            pretrain(x, (8,), **options)


@pytest.mark.parametrize(
    "message, x",
    [
        ("x contains NaN", np.full((10, 64), np.nan)),
        ("x must be in \\[0, 1\\] for a Bernoulli RBM, got 2.0", np.full((10, 64), 2.0)),
        ("x must have shape \\(n, n_visible\\), got \\(64,\\)", np.zeros(64)),
    ],
)
def test_bad_data_is_refused_before_training(message, x, monkeypatch):
    monkeypatch.setattr(ReferenceRBM, "fit", lambda *a, **kw: pytest.fail("trained"))
    with pytest.raises(InputError, match=message):
        reference_pretrain(x, (8,))
    if x.ndim == 2:  # the Keras pretrain indexes x.shape[1] before any check
        monkeypatch.setattr(KerasRBM, "fit", lambda *a, **kw: pytest.fail("trained"))
        with pytest.raises(InputError, match=message):
            keras_pretrain(x, (8,))


def test_reference_pretraining_without_injection_learns():
    """Unpatched (the NumPy reference's own shuffling and uniforms): the first RBM reconstructs
    500 digits better than the untrained one, whose p(v | h) is the base rates."""
    from sklearn.datasets import load_digits

    x = load_digits().data[:500] / 16.0
    rbms = reference_pretrain(x, SIZES, epochs=10, batch_size=20, learning_rate=0.1, seed=0)
    untrained = ReferenceRBM(64, 12, seed=0)
    untrained.init_visible_bias(x)
    untrained.compile(optimizers.SGD(0.1))
    trained_error = rbms[0].evaluate(x, verbose=0, return_dict=True)["reconstruction_error"]
    untrained_error = untrained.evaluate(x, verbose=0, return_dict=True)["reconstruction_error"]
    assert trained_error < 0.8 * untrained_error  # measured 3.07 vs 4.61
    assert rbms[1].transform(rbms[0].transform(x)).shape == (500, 6)
    pcd = reference_pretrain(x[:40], SIZES, epochs=1, batch_size=20, k=2, persistent=True)
    assert [(rbm.persistent, rbm.k, rbm.n_chains) for rbm in pcd] == [(True, 2, 20)] * 2
