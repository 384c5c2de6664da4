"""RBM: the Keras model against its NumPy reference (same injected uniforms, float64,
rtol 1e-7), the NumPy reference against scikit-learn's BernoulliRBM, exact and AIS log Z,
and bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from deepkit.models.rbm import RBM, MomentumSchedule
from deepkit.reference import rbm as ref
from deepkit.reference.optimizers import SGD
from deepkit.validation import InputError

RTOL = 1e-7


@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """Small NumPy products on shared cores run far faster on one BLAS thread."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


N_VISIBLE, N_HIDDEN = 12, 5


def assert_close(actual, expected, rtol=RTOL):
    """max |a - e| <= rtol * max |e| (the project's allclose with atol = rtol x scale)."""
    actual, expected = np.asarray(actual, "float64"), np.asarray(expected, "float64")
    assert actual.shape == expected.shape
    assert np.max(np.abs(actual - expected)) <= rtol * max(np.max(np.abs(expected)), 1e-300)


def binary(rows, cols, seed, p=0.3):
    return (np.random.default_rng(seed).random((rows, cols)) < p).astype("float64")


def keras_rbm(k=1, persistent=False, n_chains=8, weight_decay=0.01, seed=0):
    """A float64 Keras RBM with non-trivial weights, biases and chains."""
    model = RBM(N_VISIBLE, N_HIDDEN, k, persistent, n_chains, weight_decay, seed, dtype="float64")
    rng = np.random.default_rng(seed + 100)
    model.kernel.assign(rng.normal(0, 0.5, (N_VISIBLE, N_HIDDEN)))
    model.visible_bias.assign(rng.normal(0, 1, N_VISIBLE))
    model.hidden_bias.assign(rng.normal(0, 1, N_HIDDEN))
    model.chains.assign((rng.random((n_chains, N_HIDDEN)) < 0.5).astype("float64"))
    return model


def uniforms(steps, k, rows, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((steps, k, rows, N_HIDDEN)), rng.random((steps, k, rows, N_VISIBLE))


def test_forward_quantities_match_the_reference():
    model, v = keras_rbm(), binary(7, N_VISIBLE, 0)
    reference = model.to_reference()
    assert_close(model.free_energy(v), reference.free_energy(v))
    assert_close(model.transform(v), reference.transform(v))
    assert_close(model.predict(v, verbose=0), reference.predict(v))
    h = reference.transform(v)
    assert_close(model.visible_probabilities(h), reference.visible_probabilities(h))
    u_h, u_v = (
        np.random.default_rng(3).random((7, N_HIDDEN)),
        np.random.default_rng(4).random(v.shape),
    )
    assert_close(model.gibbs(v, (u_h, u_v)), reference.gibbs(v, (u_h, u_v)))
    # F(v) by definition: -log sum_h exp(-E(v, h)) over the 2^5 hidden configurations
    hs = ((np.arange(2**N_HIDDEN)[:, None] >> np.arange(N_HIDDEN)) & 1).astype("float64")
    w, b, c = reference.kernel, reference.visible_bias, reference.hidden_bias
    minus_energy = (v @ b)[:, None] + (hs @ c)[None] + np.einsum("ni,ij,hj->nh", v, w, hs)
    assert_close(reference.free_energy(v), -np.log(np.exp(minus_energy).sum(axis=1)), 1e-12)


@pytest.mark.parametrize("k, persistent", [(1, False), (3, False), (2, True)])
def test_one_update_matches_the_reference(k, persistent):
    x = binary(8, N_VISIBLE, 5)
    model = keras_rbm(k, persistent)
    reference = model.to_reference()
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.5))
    reference.compile(SGD(0.1, momentum=0.5))
    u = uniforms(1, k, 8)
    model.inject_uniforms(*u)
    reference.inject_uniforms(*u)
    before = reference.get_weights()
    logs = model.train_on_batch(x, return_dict=True)
    reference_logs = reference.train_step(x)
    for mine, theirs in zip(model.get_weights(), reference.get_weights()):
        assert_close(mine, theirs)
    assert not np.allclose(reference.kernel, before[0])
    assert persistent == (not np.array_equal(reference.chains, before[3]))
    assert_close(logs["loss"], reference_logs["loss"])
    evaluated = model.evaluate(x, batch_size=3, return_dict=True, verbose=0)
    reference_evaluated = reference.evaluate(x, batch_size=3, return_dict=True, verbose=0)
    assert set(evaluated) == set(reference_evaluated) == {"loss", "reconstruction_error"}
    for name, value in reference_evaluated.items():
        assert_close(evaluated[name], value)


def test_cd1_step_is_the_gradient_of_the_free_energy_gap():
    """g = d/dtheta [mean F(v0) - mean F(v1)] + weight_decay W, v1 held fixed (tf.GradientTape)."""
    x = binary(8, N_VISIBLE, 6)
    model = keras_rbm(weight_decay=0.01)
    reference = model.to_reference()
    (u_h, u_v) = uniforms(1, 1, 8)
    h0 = (u_h[0, 0] < reference.transform(x)).astype("float64")
    v1 = (u_v[0, 0] < reference.visible_probabilities(h0)).astype("float64")
    with tf.GradientTape() as tape:
        objective = tf.reduce_mean(model._free_energy(x, model.hidden_logits(x)))
        objective -= tf.reduce_mean(model._free_energy(v1, model.hidden_logits(v1)))
        objective += 0.005 * tf.reduce_sum(model.kernel**2)
    grads = tape.gradient(objective, [model.kernel, model.visible_bias, model.hidden_bias])
    model.compile(optimizer=keras.optimizers.SGD(1.0))
    model.inject_uniforms(u_h, u_v)
    before = [w.copy() for w in reference.trainable_weights]
    model.train_on_batch(x)
    for old, new, grad in zip(before, model.get_weights(), grads):
        assert_close(old - new, grad.numpy())


@pytest.mark.parametrize("persistent", [False, True])
def test_three_epoch_trajectory_matches_the_reference(persistent):
    x = binary(20, N_VISIBLE, 7)
    model = keras_rbm(k=2, persistent=persistent)
    reference = model.to_reference()
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.5))
    reference.compile(SGD(0.05, momentum=0.5))
    u = uniforms(9, 2, 8)  # 3 epochs x 3 batches (8, 8, 4)
    model.inject_uniforms(*u)
    reference.inject_uniforms(*u)
    options = dict(batch_size=8, epochs=3, shuffle=False, verbose=0)
    options["validation_data"] = (binary(6, N_VISIBLE, 8), None)
    history = model.fit(x, callbacks=[MomentumSchedule(0.5, 0.9, 1)], **options)
    reference_history = reference.fit(x, callbacks=[ref.MomentumSchedule(0.5, 0.9, 1)], **options)
    assert (
        set(history.history)
        == set(reference_history.history)
        == {
            "loss",
            "val_loss",
            "val_reconstruction_error",
        }
    )
    assert model.optimizer.momentum == reference.optimizer.momentum == 0.9
    for mine, theirs in zip(model.get_weights(), reference.get_weights()):
        assert_close(mine, theirs)
    for name, values in reference_history.history.items():
        assert_close(history.history[name], values)


def test_pcd1_update_equals_scikit_learn():
    """Same weights, chains and uniforms: scikit-learn's _fit (SML = PCD-1) takes the
    same step as the NumPy reference with plain SGD, and leaves the same chains. (scikit-learn
    divides the negative statistics by the batch size, the NumPy reference averages over the
    chains: the same when n_chains = batch size, as here.)"""
    from sklearn.neural_network import BernoulliRBM

    x = binary(8, N_VISIBLE, 8)
    reference = keras_rbm(persistent=True, weight_decay=0.0).to_reference()
    sk = BernoulliRBM(n_components=N_HIDDEN, batch_size=8, learning_rate=0.1)
    sk.components_, sk.intercept_hidden_ = reference.kernel.T.copy(), reference.hidden_bias.copy()
    sk.intercept_visible_, sk.h_samples_ = reference.visible_bias.copy(), reference.chains.copy()
    draws = np.random.RandomState(3)  # scikit-learn draws the visible, then the hidden uniforms
    u_v, u_h = draws.uniform(size=(8, N_VISIBLE)), draws.uniform(size=(8, N_HIDDEN))
    sk._fit(x.copy(), np.random.RandomState(3))
    reference.compile(SGD(0.1))
    reference.inject_uniforms(u_h[None, None], u_v[None, None])
    reference.train_step(x)
    assert_close(reference.kernel, sk.components_.T, 1e-12)
    assert_close(reference.hidden_bias, sk.intercept_hidden_, 1e-12)
    assert_close(reference.visible_bias, sk.intercept_visible_, 1e-12)
    np.testing.assert_array_equal(reference.chains, sk.h_samples_)


def test_pseudo_likelihood_equals_score_samples():
    from sklearn.neural_network import BernoulliRBM

    x = binary(30, N_VISIBLE, 9)
    model = keras_rbm()
    sk = BernoulliRBM(n_components=N_HIDDEN, random_state=11).fit(x[:2])
    sk.components_ = model.to_reference().kernel.T.copy()
    sk.intercept_hidden_ = model.to_reference().hidden_bias.copy()
    sk.intercept_visible_ = model.to_reference().visible_bias.copy()
    flip = np.random.RandomState(11).randint(0, N_VISIBLE, len(x))
    assert_close(model.pseudo_likelihood(x, flip), sk.score_samples(x), 1e-12)


def test_exact_log_partition_and_ais():
    reference = keras_rbm().to_reference(seed=0)
    visible = ((np.arange(2**N_VISIBLE)[:, None] >> np.arange(N_VISIBLE)) & 1).astype("float64")
    minus_f = -reference.free_energy(visible)  # sum over all 2^12 visible vectors instead
    top = minus_f.max()
    log_z, error = reference.log_partition("exact")
    assert error == 0.0
    assert_close(log_z, top + np.log(np.exp(minus_f - top).sum()), 1e-12)
    assert_close(np.exp(reference.log_likelihood(visible)).sum(), 1.0, 1e-10)
    ais_z, ais_error = reference.log_partition("ais", n_runs=100, betas=ref.ais_betas(1000))
    assert 0 < ais_error < 0.5
    assert abs(ais_z - log_z) < max(0.5, 3 * ais_error)


def test_keras_log_partition_ais_and_likelihood_match_the_reference():
    model = keras_rbm()
    reference = model.to_reference()
    assert_close(model.log_partition("exact")[0], reference.log_partition("exact")[0])
    betas = ref.ais_betas(60)
    rng = np.random.default_rng(12)
    u = (
        rng.random((10, N_VISIBLE)),
        rng.random((59, 10, N_HIDDEN)),
        rng.random((59, 10, N_VISIBLE)),
    )
    base = rng.normal(0, 1, N_VISIBLE)
    for mine, theirs in zip(model.ais(10, betas, base, u), reference.ais(10, betas, base, u)):
        assert_close(mine, theirs)
    v = binary(6, N_VISIBLE, 13)
    assert_close(model.log_likelihood(v), reference.log_likelihood(v))
    samples = model.sample(4, n_steps=3)
    assert samples.shape == (4, N_VISIBLE) and 0 <= samples.min() and samples.max() <= 1


def test_ais_on_a_trained_rbm_with_many_hidden_units():
    """16 hidden units trained on binarized digits: AIS within 0.5 nats of the exact log Z."""
    from sklearn.datasets import load_digits

    x = (load_digits().data > 7).astype("float64")
    reference = ref.RBM(64, 16, seed=0, dtype="float64")
    reference.init_visible_bias(x)
    reference.compile(SGD(0.1, momentum=0.5))
    reference.fit(x, batch_size=20, epochs=3, verbose=0)
    exact, _ = reference.log_partition("exact")
    base = ref.base_rate_bias(x)
    ais_z, ais_error = reference.ais(50, ref.ais_betas(2000), base_bias=base)
    assert abs(ais_z - exact) < max(0.5, 3 * ais_error)
    # a trained RBM beats the independent-pixel model it started from, on held-out rows
    held_out = x[-300:]
    p = np.clip(x[:-300].mean(axis=0), 1e-3, 1 - 1e-3)
    independent = (held_out * np.log(p) + (1 - held_out) * np.log(1 - p)).sum(axis=1).mean()
    assert reference.log_likelihood(held_out, exact).mean() > independent + 2.0


def test_save_and_load_keras_file(tmp_path):
    model, v = keras_rbm(k=2, persistent=True), binary(5, N_VISIBLE, 10)
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    model.save(tmp_path / "rbm.keras")
    loaded = keras.models.load_model(tmp_path / "rbm.keras")
    assert isinstance(loaded, RBM)
    assert (loaded.k, loaded.persistent, loaded.n_chains) == (2, True, 8)
    for mine, theirs in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(mine, theirs)
    assert_close(loaded.free_energy(v), model.free_energy(v), 0)


@pytest.mark.parametrize(
    "data, message",
    [
        (np.full((4, N_VISIBLE), 1.5), r"x must be in \[0, 1\].*1\.5 at row 0, column 0"),
        (np.full((4, N_VISIBLE), -0.1), r"x must be in \[0, 1\]"),
        (np.where(np.eye(4, N_VISIBLE) > 0, np.nan, 0.0), "NaN.*row 0, column 0"),
        (np.zeros((4, N_VISIBLE + 1)), r"shape \(n, 12\)"),
    ],
)
def test_bad_data_is_refused_before_training(data, message):
    model = keras_rbm()
    reference = model.to_reference()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    reference.compile(SGD(0.1))
    before = reference.get_weights()
    for trainee in (model, reference):
        with pytest.raises(InputError, match=message):
            trainee.fit(data, epochs=1, verbose=0)
    for mine, theirs in zip(model.get_weights(), before):
        np.testing.assert_array_equal(mine, theirs)


def test_bad_arguments_are_refused():
    for make in (RBM, ref.RBM):
        with pytest.raises(InputError, match="k must be an int >= 1, got 0"):
            make(N_VISIBLE, N_HIDDEN, k=0)
        with pytest.raises(InputError, match="weight_decay"):
            make(N_VISIBLE, N_HIDDEN, weight_decay=-1.0)
    with pytest.raises(InputError, match="n_hidden=26 > 25; use method='ais'"):
        ref.RBM(4, 26).log_partition("exact")
    reference = keras_rbm().to_reference()
    with pytest.raises(InputError, match=r"binary \(0 or 1\).*0\.5"):
        reference.log_likelihood(np.full((2, N_VISIBLE), 0.5))
    v = binary(2, N_VISIBLE, 0)
    for rbm in (keras_rbm(), reference):  # the last bit is N_VISIBLE - 1
        for flip in ([0, N_VISIBLE], [-1, 0], [0]):
            with pytest.raises(InputError, match=r"flip must hold 2 indices in \[0, 12\)"):
                rbm.pseudo_likelihood(v, flip)
    with pytest.raises(InputError, match="without labels"):
        RBM(N_VISIBLE, N_HIDDEN).fit(binary(4, N_VISIBLE, 0), np.zeros(4))


def test_seeds_and_numpy_numbers_are_checked_like_everywhere(tmp_path):
    import json

    for seed in (2**32, -1):  # 2 cases
        with pytest.raises(InputError, match="seed must be an int >= 0 and <= 4294967295"):
            RBM(N_VISIBLE, N_HIDDEN, seed=seed)
    for momentum, message in (  # 2 cases
        (dict(initial=1.5), "initial momentum must be a number >= 0.0 and <= 1.0, got 1.5"),
        (dict(switch_epoch=-1), "switch_epoch must be an int >= 0, got -1"),
    ):
        with pytest.raises(InputError, match=message):
            MomentumSchedule(**momentum)
    i = np.int64
    model = RBM(i(N_VISIBLE), i(N_HIDDEN), k=i(2), n_chains=i(4), seed=i(2**32 - 1))
    same = RBM(N_VISIBLE, N_HIDDEN, k=2, n_chains=4, seed=2**32 - 1)
    np.testing.assert_array_equal(model.get_weights()[0], same.get_weights()[0])
    json.dumps(model.get_config())  # plain Python numbers: a .keras file can hold it


@pytest.mark.parametrize("seed", [-1, 1.5, "3"])
def test_rbm_refuses_a_bad_seed_as_run_does(seed):
    with pytest.raises(InputError, match=r"seed must be an int >= 0 and <= 4294967295, got "):
        RBM(6, 3, seed=seed)
