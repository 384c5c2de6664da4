"""DBN builder: greedy pretraining feeds each RBM the hidden probabilities of the
one below, the Keras net starts from the RBM weights, sizes must chain."""

import importlib

import keras
import numpy as np
import pytest

from deepkit.models.dbn import dbn, pretrain
from deepkit.models.rbm import RBM
from deepkit.validation import InputError


@pytest.fixture(scope="module")
def digits():
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype("float32"), y


def test_each_rbm_learns_the_hidden_probabilities_of_the_one_below(digits, monkeypatch):
    x, _ = digits
    seen = []
    models = importlib.import_module("deepkit.models.dbn")  # the module, not the builder
    fit = models.fit
    monkeypatch.setattr(
        models, "fit", lambda model, data, *a, **kw: seen.append(data) or fit(model, data, *a, **kw)
    )
    rbms = pretrain(x[:300], (20, 10), epochs=1, batch_size=50, seed=0)
    assert [(r.n_visible, r.n_hidden) for r in rbms] == [(64, 20), (20, 10)]
    np.testing.assert_array_equal(seen[0], x[:300])
    np.testing.assert_allclose(seen[1], rbms[0].transform(x[:300]), rtol=1e-6)
    # the first RBM's visible biases start at log(p / (1 - p)) and then learn
    assert not np.allclose(keras.ops.convert_to_numpy(rbms[0].visible_bias), 0)


def test_the_keras_net_starts_from_the_rbm_weights(digits):
    x, y = digits
    rbms = pretrain(x[:200], (16, 8), epochs=1, batch_size=50, seed=0)
    model = dbn(64, (16, 8), 10, rbms=rbms)
    assert isinstance(model, keras.Sequential)
    assert [layer.activation.__name__ for layer in model.layers] == [
        "sigmoid",
        "sigmoid",
        "softmax",
    ]
    for layer, rbm in zip(model.layers, rbms):
        kernel, bias = layer.get_weights()
        np.testing.assert_array_equal(kernel, keras.ops.convert_to_numpy(rbm.kernel))
        np.testing.assert_array_equal(bias, keras.ops.convert_to_numpy(rbm.hidden_bias))
    # the hidden layers compute the RBMs' p(h | v)
    features = keras.Sequential(model.layers[:2]).predict(x[:5], verbose=0)
    np.testing.assert_allclose(features, rbms[1].transform(rbms[0].transform(x[:5])), rtol=1e-5)
    random_init = dbn(64, (16, 8), 10, rbms=None, seed=0)
    assert [w.shape for w in random_init.get_weights()] == [w.shape for w in model.get_weights()]
    assert not np.allclose(random_init.layers[0].get_weights()[0], model.layers[0].get_weights()[0])
    history = model.fit(x[:200], y[:200], epochs=2, batch_size=50, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_sizes_that_do_not_chain_are_refused():
    rbms = [RBM(64, 16), RBM(12, 8)]
    with pytest.raises(InputError, match="RBM 1 is 12-8, but the stack needs 16-8"):
        dbn(64, (16, 8), 10, rbms=rbms)
    with pytest.raises(InputError, match="2 RBMs for 1 hidden layers"):
        dbn(64, (16,), 10, rbms=rbms)
    with pytest.raises(InputError, match="at least one"):
        dbn(64, (), 10)
    with pytest.raises(InputError, match="k must be an int >= 1, got 0"):
        pretrain(np.zeros((10, 64)), (8,), k=0)


def test_pretraining_data_must_be_a_table_of_rows():
    with pytest.raises(InputError, match=r"x must have shape \(n, n_visible\), got \(64,\)"):
        pretrain(np.zeros(64), (8,))


def test_seeds_are_checked_before_any_work(no_building):
    message = "seed must be an int >= 0 and <= 4294967295, got 4294967296"
    with pytest.raises(InputError, match=message):
        dbn(64, (16,), 10, seed=2**32)
    with pytest.raises(InputError, match=message):
        pretrain(np.zeros((10, 64)), (8,), seed=2**32)
    # RBM d is seeded with seed + d: every one of them must be a valid seed
    with pytest.raises(InputError, match="seed must be <= 4294967294 for 2 RBMs"):
        pretrain(np.zeros((10, 64)), (8, 4), seed=2**32 - 1)
    with pytest.raises(InputError, match="learning_rate must be a number > 0.0, got -0.1"):
        pretrain(np.zeros((10, 64)), (8,), learning_rate=-0.1)


def test_dbn_takes_numpy_numbers_like_python_ones():
    i = np.int64
    model = dbn(i(64), (i(16), i(8)), i(10), seed=i(2**32 - 1))
    same = dbn(64, (16, 8), 10, seed=2**32 - 1)
    for a, b in zip(model.get_weights(), same.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert model.output_shape == (None, 10)
