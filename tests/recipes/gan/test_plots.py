"""Sample grids: one PNG per epoch, row i asking for digit i when conditional."""

from pathlib import Path

import numpy as np

from deepkit.recipes.gan.plots import grid_labels, grid_path, save_grid


def test_a_grid_is_one_png_per_epoch_and_pads_a_short_last_row(tmp_path):
    path = grid_path(str(tmp_path), 7)
    assert Path(path).name == "samples_epoch007.png"
    images = np.random.default_rng(0).uniform(0, 1, (25, 784))
    assert save_grid(images, path, title="mlp GAN, epoch 7") == path
    assert Path(path).stat().st_size > 1000


def test_a_conditional_grids_row_i_asks_for_digit_i():
    labels = grid_labels(conditional=True).reshape(10, 10)
    assert (labels == np.arange(10)[:, None]).all()
    assert grid_labels(conditional=False) is None
