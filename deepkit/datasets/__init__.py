"""Datasets of the three tutorials, loaded offline where possible.

- ``load_churn``: the bank churn table of T3, shipped inside the package.
- ``load_mnist``: MNIST in Keras's layout, from a path, Keras's cache, or a download.
- ``load_digits``: scikit-learn's 8x8 digits, the stand-in for T2's course data.
"""

from deepkit.datasets.churn import CHURN_COLUMNS, load_churn, validate_churn_frame
from deepkit.datasets.digits import load_digits
from deepkit.datasets.mnist import load_mnist

__all__ = ["CHURN_COLUMNS", "load_churn", "load_digits", "load_mnist", "validate_churn_frame"]
