"""Fixtures of the GAN recipe's tests: a temporary Keras home for every test (no test
reads or writes ``~/.keras/deepkit``), and the tiny settings the recipe's tests run."""

import pytest
from mnist_recipe_checks import SUBSET

from deepkit.recipes.gan import Settings


@pytest.fixture(scope="session")
def shared_keras_home(tmp_path_factory):
    """One Keras home for the tests that may share a cached classifier."""
    return tmp_path_factory.mktemp("keras_home")


@pytest.fixture(autouse=True)
def keras_home(shared_keras_home, monkeypatch):
    """``KERAS_HOME`` set to the shared temporary home; a test sets its own to start empty."""
    monkeypatch.setenv("KERAS_HOME", str(shared_keras_home))
    return shared_keras_home


@pytest.fixture
def tiny():
    """Settings small enough to run the recipe in seconds: 300 images, a 4-8 filter CNN
    trained one epoch (so the accuracy floor is off), 2 GAN epochs of batch 32."""
    return Settings(
        limit=300,
        path=str(SUBSET),
        epochs=2,
        batch_size=32,
        latent_dim=8,
        samples=50,
        classifier_epochs=1,
        classifier_filters="4,8",
        min_classifier_accuracy=0.0,
    )
