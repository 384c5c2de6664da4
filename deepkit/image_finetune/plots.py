"""A picture of a classifier's predictions: a grid of pictures, each titled with its most
likely class and that class's probability.

A picture whose folder is named after a class (``held_out/7/a.png`` is a 7, the layout
``deepkit finetune`` trains on) is judged: a wrong prediction is drawn in red, framed,
with the true class. Pictures elsewhere are shown unjudged.

    table = classifier.predict(["held_out/"], top=1)
    plot_predictions(table, "predictions.png", class_names=classifier.class_names)

``deepkit predict images DIR PATH... --plot FILE`` draws it.
"""

from pathlib import Path

import numpy as np

COUNT = 12  # pictures drawn
COLUMNS = 6
WRONG = "#c0392b"


def verdicts(table, class_names):
    """Whether each row's most likely class is the class its picture's folder names.

    Args:
        table: ``ImageClassifier.predict``'s table (``path``, ``class_1``, ...).
        class_names: the classifier's classes.

    Returns:
        A list, one entry per row: ``True`` (right), ``False`` (wrong), or ``None`` (the
        picture's folder names no class).
    """
    names = set(class_names)
    return [
        None if Path(path).parent.name not in names else Path(path).parent.name == predicted
        for path, predicted in zip(table["path"], table["class_1"])
    ]


def spread(n, count=COUNT):
    """``min(count, n)`` row numbers evenly spaced from the first row to the last, so a table
    sorted by class folder shows every class."""
    return np.unique(np.linspace(0, n - 1, min(count, n)).round().astype(int))


def plot_predictions(table, path, *, class_names, count=COUNT, columns=COLUMNS):
    """Save ``count`` pictures of ``table``, evenly spaced through it, as a PNG grid.

    Args:
        table: ``ImageClassifier.predict``'s table (``path``, ``class_1``,
            ``probability_1``, ...), one row per picture.
        path: the PNG file to write.
        class_names: the classifier's classes (a picture's folder named after one is
            judged right or wrong).
        count: the most pictures drawn.
        columns: pictures per row of the grid.

    Returns:
        ``path`` as a string.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    rows = spread(len(table), count)
    judged = verdicts(table, class_names)
    columns = min(columns, len(rows))
    lines = -(-len(rows) // columns)
    figure, axes = plt.subplots(lines, columns, figsize=(1.7 * columns, 2.0 * lines), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, row in zip(axes.flat, rows):
        with Image.open(table["path"][row]) as picture:
            pixels = np.asarray(picture.convert("RGB" if picture.mode != "L" else "L"))
        ax.axis("on")
        ax.imshow(pixels, cmap="gray" if pixels.ndim == 2 else None)
        ax.set_xticks([])
        ax.set_yticks([])
        title = f"{table['class_1'][row]} {table['probability_1'][row]:.2f}"
        wrong = judged[row] is False
        if wrong:
            title += f"\n(is {Path(table['path'][row]).parent.name})"
        ax.set_title(title, fontsize=9, color=WRONG if wrong else "black")
        for spine in ax.spines.values():
            spine.set_visible(wrong)
            spine.set_color(WRONG)
            spine.set_linewidth(3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return str(path)
