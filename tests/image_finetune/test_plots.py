"""The picture of predictions: pictures spread over the table, each judged by its class folder
when it has one, the wrong ones drawn in red."""

import numpy as np
import pandas as pd
from image_helpers import write_png
from PIL import Image

from deepkit.image_finetune.plots import WRONG, plot_predictions, spread, verdicts

NAMES = ("cats", "dogs")


def _table(tmp_path, predicted):
    paths = [write_png(tmp_path / folder / f"{i}.png", value=60 * i)
             for i, folder in enumerate(("cats", "dogs", "other"))]  # fmt: skip
    return pd.DataFrame(
        {"path": [str(p) for p in paths], "class_1": predicted, "probability_1": [0.9, 0.6, 0.7]}
    )


def test_a_picture_is_judged_by_the_class_its_folder_names():
    table = pd.DataFrame({"path": ["a/cats/1.png", "b/dogs/2.png", "c/x/3.png", "cats.png"],
                          "class_1": ["cats", "cats", "dogs", "cats"]})  # fmt: skip
    assert verdicts(table, NAMES) == [True, False, None, None]


def test_the_pictures_drawn_spread_from_the_first_row_to_the_last():
    np.testing.assert_array_equal(spread(23, 12), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22])
    np.testing.assert_array_equal(spread(5, 12), [0, 1, 2, 3, 4])


def _red_pixels(path):
    pixels = np.asarray(Image.open(path).convert("RGB")).astype(int)
    red = np.array([int(WRONG[i : i + 2], 16) for i in (1, 3, 5)])
    return int((np.abs(pixels - red).sum(axis=-1) < 30).sum())


def test_the_grid_is_a_png_and_marks_the_wrong_pictures_in_red(tmp_path):
    wrong = plot_predictions(_table(tmp_path, ["cats", "cats", "dogs"]), tmp_path / "wrong.png",
                             class_names=NAMES)  # fmt: skip
    right = plot_predictions(_table(tmp_path, ["cats", "dogs", "dogs"]), tmp_path / "right.png",
                             class_names=NAMES)  # fmt: skip
    for path in (wrong, right):
        with Image.open(path) as image:
            assert image.format == "PNG" and image.size == (510, 200)  # 3 pictures in a row
    assert _red_pixels(wrong) > 100 and _red_pixels(right) == 0
