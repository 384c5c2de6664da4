"""Sample grids: 100 generated digits tiled 10 by 10 into one grey PNG per epoch.

The grid of epoch e is drawn from the same noise (seed ``seed + 2``) every epoch,
so the grids of a run show one set of digits taking shape; a conditional GAN's
row i asks for digit i.
"""

import os

import numpy as np

GRID_SIZE = 100


def grid_path(folder, epoch):
    """The grid of ``epoch`` (counted from 1) in ``folder``: ``samples_epochEEE.png``.

    Args:
        folder: the plot folder.
        epoch: the epoch, from 1.

    Returns:
        The path, a string.
    """
    return os.path.join(folder, f"samples_epoch{epoch:03d}.png")


def grid_labels(conditional):
    """The digits a grid asks for: row i is digit i.

    Args:
        conditional: whether the GAN is conditional.

    Returns:
        100 labels, or ``None`` for an unconditional GAN.
    """
    return np.repeat(np.arange(10), GRID_SIZE // 10) if conditional else None


def plot_epoch(gan, settings, epoch, folder):
    """Save the grid of ``gan``'s samples after ``epoch`` (counted from 1) in ``folder``.

    Args:
        gan: the GAN being trained (``deepkit.models.gan.GAN``).
        settings: the recipe's ``Settings`` (arch, conditional, seed).
        epoch: the epoch just finished, from 1.
        folder: the plot folder.

    Returns:
        The PNG's path.
    """
    images = gan.generate(
        GRID_SIZE, labels=grid_labels(settings.conditional), seed=settings.seed + 2
    )
    return save_grid(
        (images + 1) / 2,
        grid_path(folder, epoch),
        title=f"{settings.arch} GAN, epoch {epoch}",
    )


def save_grid(images, path, title=None, columns=10):
    """Tile images in [0, 1] (784 pixels each) into one grey PNG at ``path``.

    Args:
        images: an array of n images of 784 pixels each (any shape with n first).
        path: the PNG file to write.
        title: a title above the grid.
        columns: images per row.

    Returns:
        ``path`` as a string.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    images = np.asarray(images).reshape(-1, 28, 28)
    rows = -(-len(images) // columns)
    tiles = np.ones((rows * columns, 28, 28))
    tiles[: len(images)] = images
    sheet = tiles.reshape(rows, columns, 28, 28).transpose(0, 2, 1, 3).reshape(rows * 28, -1)
    figure, ax = plt.subplots(figsize=(columns * 0.6, rows * 0.6 + 0.4))
    ax.imshow(sheet, cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)
