"""Pictures of an RBM: its filters and samples from it, as PNG mosaics."""

import pathlib

import numpy as np


def mosaic(images, side=28):
    """Square images tiled in a near-square grid with 1-pixel gaps.

    Args:
        images: rows of ``side * side`` pixels.
        side: the images' height and width.

    Returns:
        A 2-D array, NaN in the gaps and the unused cells.
    """
    columns = int(np.ceil(np.sqrt(len(images))))
    rows = int(np.ceil(len(images) / columns))
    grid = np.full((rows * (side + 1) + 1, columns * (side + 1) + 1), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, columns)
        top, left = 1 + r * (side + 1), 1 + c * (side + 1)
        grid[top : top + side, left : left + side] = image.reshape(side, side)
    return grid


def plot_rbm(rbm, directory, seed=0):
    """Save an RBM of 28 x 28 pixels' first 100 filters and 16 of its samples.

    Each filter is scaled to its own range; the samples are the visible probabilities
    after 1,000 Gibbs steps from random bits, drawn by the RBM's NumPy reference (the
    same weights; a loop of small steps runs faster in NumPy than op by op in Keras).

    Args:
        rbm: a ``deepkit.models.rbm.RBM`` with 784 visible units.
        directory: the folder to write into (made if absent).
        seed: seeds the Gibbs chains.

    Returns:
        The paths of ``rbm_filters.png`` and ``rbm_samples.png``.
    """
    import keras
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    filters = keras.ops.convert_to_numpy(rbm.kernel).T[:100]
    low, high = filters.min(axis=1, keepdims=True), filters.max(axis=1, keepdims=True)
    pictures = {
        "rbm_filters.png": (filters - low) / np.maximum(high - low, 1e-12),
        "rbm_samples.png": rbm.to_reference(seed=seed).sample(16, 1000),
    }
    paths = []
    for name, images in pictures.items():
        path = str(directory / name)
        plt.imsave(path, mosaic(images), cmap="gray", vmin=0, vmax=1)
        paths.append(path)
    return paths
