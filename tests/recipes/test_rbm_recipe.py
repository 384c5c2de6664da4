"""Tiny runs of the RBM recipe on the committed MNIST subset (3,000 + 1,000 images).

The trained RBM is compared with the base-rate model measured on the same test bits:
each pixel on with its rate in the training bits, no hidden units (an RBM with no
weights, whose log-likelihood is exact: log p(v) = v.b - sum_i softplus(b_i)).
"""

from pathlib import Path

import keras
import numpy as np
import pytest
from resume_helpers import epochs_saved

from deepkit.models.rbm import RBM
from deepkit.recipes import rbm
from deepkit.recipes.mnist_classifier import load, prepare
from deepkit.recipes.rbm import recipe
from deepkit.reference.rbm import base_rate_bias
from deepkit.training import carve_validation
from deepkit.validation import InputError

SUBSET = Path(__file__).parents[1] / "data" / "mnist_subset.npz"
TINY = dict(hidden=16, epochs=2, batch_size=10, limit=600, ais_runs=8, ais_betas=200, path=SUBSET)


def base_rate_log_likelihood(settings):
    """The base-rate model's mean test log-likelihood, on the recipe's own bits."""
    (x_train, y_train), (x_test, _) = load(settings.limit, settings.path)
    (x_fit, _), _ = carve_validation(
        prepare(x_train, True), y_train, settings.validation_split, seed=settings.seed
    )
    b = base_rate_bias(rbm.binarize(x_fit, settings.binarization, settings.seed, "fit"))
    bits = rbm.binarize(prepare(x_test, True), settings.binarization, settings.seed, "test")
    return float(np.mean(bits @ b - np.logaddexp(0, b).sum()))


def test_the_test_split_is_scored_once_after_the_choice_on_validation(monkeypatch):
    events = []
    binarize, ais, score = rbm.binarize, recipe.ais_log_likelihood, recipe.mean_log_likelihood

    def spy(name, function, tag, module="recipe"):
        def wrapped(*args, **kwargs):
            events.append(tag(*args))
            return function(*args, **kwargs)

        monkeypatch.setattr(f"deepkit.recipes.rbm.{module}.{name}", wrapped)

    # run() imports binarize from its module when it starts (it loads Keras)
    spy("binarize", binarize, lambda x, method, seed, part: part, module="binarization")
    spy("ais_log_likelihood", ais, lambda *args: "ais")
    spy("mean_log_likelihood", score, lambda *args: "score")
    result = rbm.run(**TINY, learning_rates=(0.1, 0.001), decay_every=1)
    assert events == ["fit", "validation", "ais", "ais", "test", "score"]
    validation = result.validation_log_likelihoods
    assert result.learning_rate == max(validation, key=validation.get) == 0.1
    assert validation[0.1] > validation[0.001] + 5  # 2 epochs at 0.001 barely move it
    # lr / ceil(epoch / 1) for epochs 1, 2: the decay reached the optimizer
    assert result.history["learning_rate"] == pytest.approx([0.1, 0.05])
    assert result.test_log_likelihood > base_rate_log_likelihood(result.settings) + 5
    assert (result.n_fit, result.n_validation, result.n_test) == (540, 60, 100)
    assert "test log-likelihood (AIS)" in result.report()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"hidden": 0}, "hidden"),
        ({"learning_rates": ()}, "learning_rates"),
        ({"learning_rates": (0.1, 0.1)}, "learning_rates must differ"),
        ({"binarization": "grey"}, "binarization"),
        ({"validation_split": 0.0}, "validation_split"),
        ({"ais_runs": 1}, "ais_runs"),
        ({"ais_betas": 2}, "ais_betas"),
        ({"final_momentum": 1.5}, "final_momentum"),
    ],
)
def test_bad_settings_are_refused_before_mnist_loads(monkeypatch, overrides, message):
    def never_load(*args):
        raise AssertionError("MNIST was loaded before the settings were checked")

    monkeypatch.setattr("deepkit.recipes.rbm.recipe.load", never_load)
    with pytest.raises(InputError, match=message):
        rbm.run(**overrides)


def test_stochastic_binarization_is_seeded_and_has_the_right_mean():
    x = np.tile(np.linspace(0.0, 1.0, 11), (4000, 1))
    bits = rbm.binarize(x, "stochastic", 7, "test")
    assert set(np.unique(bits)) == {0.0, 1.0} and bits.dtype == np.float64
    np.testing.assert_array_equal(bits, rbm.binarize(x, "stochastic", 7, "test"))
    assert not np.array_equal(bits, rbm.binarize(x, "stochastic", 8, "test"))
    assert not np.array_equal(bits, rbm.binarize(x, "stochastic", 7, "validation"))
    # E[v] = p: within 4 standard errors sqrt(p (1 - p) / n) per pixel, exact at 0 and 1
    error = np.sqrt(x[0] * (1 - x[0]) / len(x))
    assert np.all(np.abs(bits.mean(axis=0) - x[0]) <= 4 * error)
    np.testing.assert_array_equal(rbm.binarize(x, "threshold", 7, "test"), x > 0.5)


def test_training_binarizes_each_batch_afresh_from_the_rbms_own_generator():
    x = np.random.default_rng(0).uniform(size=(20, 12)).astype("float32")
    binarizing, plain = rbm.BinarizingRBM(12, 5, seed=3), RBM(12, 5, seed=3)
    for model in (binarizing, plain):
        model.compile(optimizer=keras.optimizers.SGD(0.5))
    binarizing.fit(x, batch_size=20, epochs=1, shuffle=False, verbose=0)
    # the plain RBM draws the same uniforms first, then trains on the bits they make
    bits = keras.ops.convert_to_numpy(plain._sample(x, plain._uniform(x.shape)))
    assert 0 < bits.mean() < 1
    plain.fit(bits, batch_size=20, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(binarizing.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_learning_rate_decays_as_in_salakhutdinovs_code():
    rates = [rbm.decayed_rate(0.05, epoch, 20) for epoch in (0, 19, 20, 39, 40)]
    assert rates == pytest.approx([0.05, 0.05, 0.025, 0.025, 0.05 / 3])
    assert rbm.decayed_rate(0.05, 40, 0) == 0.05


class Interrupted(Exception):
    """Stands for a kill between two epochs."""


def test_a_run_interrupted_after_an_epoch_resumes_to_the_weights_of_an_uninterrupted_one(
    tmp_path, monkeypatch
):
    # The second epoch has another learning rate (decay) and momentum than the first; the
    # binarization and the Gibbs samples draw from the RBM's generator throughout.
    settings = dict(TINY, limit=300, batch_size=30, decay_every=1, momentum_epoch=1)
    settings.update(ais_runs=2, ais_betas=3)
    plain = rbm.run(**settings)
    from deepkit import training

    fit = training.fit

    def stopped_after_one_epoch(*args, callbacks=(), **kwargs):
        class Stop(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                if epoch == 1:  # the first epoch and its checkpoint are written
                    raise Interrupted

        return fit(*args, callbacks=[*callbacks, Stop()], **kwargs)

    monkeypatch.setattr(training, "fit", stopped_after_one_epoch)
    with pytest.raises(Interrupted):
        rbm.run(**settings, checkpoint_dir=tmp_path)
    assert epochs_saved(tmp_path / "lr_0.05") == 1
    monkeypatch.setattr(training, "fit", fit)
    resumed = rbm.run(**settings, checkpoint_dir=tmp_path)
    assert resumed.history == plain.history
    for a, b in zip(resumed.model.get_weights(), plain.model.get_weights()):
        np.testing.assert_array_equal(a, b)
