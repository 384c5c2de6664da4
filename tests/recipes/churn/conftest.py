"""Fixtures shared by the churn recipe's tests: the shipped data, a short real run, and an
untrained bundle saved once."""

import pytest

from deepkit.datasets import load_churn
from deepkit.datasets.churn.preprocessing import ChurnPreprocessor
from deepkit.recipes import churn


@pytest.fixture(scope="package")
def table():
    """The shipped churn data."""
    return load_churn()


@pytest.fixture(scope="package")
def result():
    """A short real run: the tutorial net, 8 epochs, seed 0."""
    return churn.run(epochs=8, seed=0)


@pytest.fixture(scope="package")
def bundle_dir(table, tmp_path_factory):
    """An untrained tutorial net with a preprocessor fitted on 2,000 rows, saved as a bundle
    (these tests check the edges, not the model: no training needed)."""
    bundle = churn.ChurnBundle(
        churn.build("tutorial", seed=0), ChurnPreprocessor().fit(table[:2000])
    )
    directory = tmp_path_factory.mktemp("edges") / "bundle"
    bundle.save(directory)
    return directory


@pytest.fixture(scope="package")
def bundle(bundle_dir):
    """``bundle_dir`` loaded."""
    return churn.load(bundle_dir)
