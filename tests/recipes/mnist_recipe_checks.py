"""Shared by the MNIST recipe tests: the committed subset and a result's consistency checks."""

from pathlib import Path

import numpy as np

SUBSET = Path(__file__).resolve().parents[1] / "data" / "mnist_subset.npz"


def check_consistent(result):
    matrix = result.confusion_matrix
    assert matrix.shape == (10, 10) and matrix.sum() == result.n_test
    assert np.isclose(result.accuracy, np.trace(matrix) / result.n_test)
    assert len(result.misclassified) == result.n_test - np.trace(matrix)
    assert "test accuracy" in result.report() and f"{result.accuracy:.4f}" in result.report()
