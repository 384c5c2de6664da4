"""``mosaic``: square images tiled in a near-square grid with one-pixel gaps."""

import numpy as np

from deepkit.recipes.dbn import mosaic


def test_images_are_tiled_row_by_row_with_gaps_between_them():
    images = np.arange(5 * 4, dtype=float).reshape(5, 4)  # five 2 x 2 images
    grid = mosaic(images, side=2)
    assert grid.shape == (2 * 3 + 1, 3 * 3 + 1)  # 3 columns, 2 rows
    np.testing.assert_array_equal(grid[1:3, 1:3], images[0].reshape(2, 2))
    np.testing.assert_array_equal(grid[1:3, 4:6], images[1].reshape(2, 2))
    np.testing.assert_array_equal(grid[4:6, 4:6], images[4].reshape(2, 2))
    assert np.isnan(grid[0]).all() and np.isnan(grid[:, 3]).all()
    assert np.isnan(grid[4:6, 7:9]).all()  # the sixth cell is empty
