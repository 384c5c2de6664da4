"""Pretraining for the recipe: a stack trained with a sane learning rate passes the
divergence check; an RBM whose weights blew up, or went NaN, is refused with an
``InputError`` that names the learning rate."""

import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit.models.rbm import RBM
from deepkit.recipes.dbn import Settings, check_converged, pretrain_stack
from deepkit.recipes.mnist_classifier import load, prepare
from deepkit.validation import InputError


@pytest.fixture(scope="module")
def images():
    (x, _), _ = load(600, SUBSET)
    return prepare(x, flat=True)


def test_a_sanely_trained_stack_passes_and_reconstructs_better_than_it_started(images):
    settings = Settings(sizes=(16, 8), pretrain_epochs=2, batch_size=50)
    rbms = pretrain_stack(images, settings)
    assert [(rbm.n_visible, rbm.n_hidden) for rbm in rbms] == [(784, 16), (16, 8)]
    start = np.mean(np.sum(np.square(images - images.mean(axis=0)), axis=1))
    assert rbms[0].reconstruction_error(images) < start


def test_pretraining_that_diverges_within_the_learning_rate_bound_is_refused(images):
    # 10 is the largest rate the settings allow; with batches of 10 CD-1 diverges there
    settings = Settings(sizes=(16,), pretrain_epochs=5, batch_size=10, learning_rate=10.0)
    with pytest.raises(InputError, match=r"pretraining diverged: RBM 1's .*rate \(10 now\)"):
        pretrain_stack(images, settings)


@pytest.mark.parametrize("scale", [1e6, np.nan])
def test_an_rbm_with_blown_up_or_nan_weights_is_refused(images, scale):
    rbm = RBM(784, 16, seed=0)
    rbm.init_visible_bias(images)
    kernel = np.random.default_rng(0).normal(size=(784, 16)) * scale
    rbm.kernel.assign(kernel.astype("float32"))
    with pytest.raises(InputError, match=r"RBM 1's reconstruction error is .*rate \(1e\+06"):
        check_converged([rbm], images, 1e6)


def test_a_deeper_rbm_is_measured_against_its_own_start(images):
    first, second = RBM(784, 16, seed=0), RBM(16, 8, seed=1)
    first.init_visible_bias(images)
    check_converged([first, second], images, 0.1)  # untrained: where they started
    second.kernel.assign(np.full((16, 8), 50.0, "float32"))
    second.visible_bias.assign(np.full(16, -50.0, "float32"))
    with pytest.raises(InputError, match="RBM 2's"):
        check_converged([first, second], images, 0.1)
