"""``deepkit.binning``: quantile bin edges and their checks."""

import numpy as np
import pytest

from deepkit.binning import check_edges, quantile_edges
from deepkit.validation import InputError


def test_quantile_edges_pad_features_of_few_values():
    x = np.column_stack([np.arange(9.0), np.tile([0.0, 1.0, 1.0], 3)])
    edges = quantile_edges(x, 4)
    np.testing.assert_allclose(edges, [[0, 2, 4, 6, 8], [0, 1, 1, 1, 1]])
    assert check_edges(edges) == edges.tolist()


def test_quantile_edges_refuse_bad_rows_and_bins():
    with pytest.raises(InputError, match="finite 2-D array of at least 2 rows"):
        quantile_edges(np.array([[np.inf, 1.0], [0.0, 1.0]]), 3)
    with pytest.raises(InputError, match="bins"):
        quantile_edges(np.zeros((3, 2)), 0)
