"""classifier_bundle: a saved classifier (model.keras + classifier.json) loads in safe mode and
predicts each picture's top classes as a DataFrame; `deepkit predict images` prints the same
table, writes it as CSV atomically, draws it as a PNG grid and refuses to overwrite an input."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from image_helpers import write_digits, write_png
from PIL import Image

from deepkit import classifier_bundle as cb
from deepkit.cli import main
from deepkit.validation import InputError

NAMES = ("zero", "one", "two")


def _classifier():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            keras.layers.Conv2D(2, 3, strides=4, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    return cb.ImageClassifier(model, NAMES, (32, 32), 1, "rescale", {"base": "tiny.keras"})


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle")
    classifier = _classifier()
    classifier.save(root / "classifier")
    written = write_digits(root / "new", per_class=3)
    return classifier, root / "classifier", root / "new", [str(p) for p, _ in written]


def test_the_bundle_is_the_model_and_a_json_of_what_pictures_need(saved):
    classifier, folder, _, _ = saved
    assert sorted(p.name for p in folder.iterdir()) == ["classifier.json", "model.keras"]
    about = json.loads((folder / "classifier.json").read_text())
    assert about["class_names"] == list(NAMES)
    assert about["image_size"] == [32, 32] and about["channels"] == 1
    assert about["preprocessing"] == "rescale" and about["base"] == "tiny.keras"
    loaded = cb.load(folder)
    assert loaded.class_names == NAMES and loaded.about == {"base": "tiny.keras"}
    for a, b in zip(loaded.model.get_weights(), classifier.model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_predict_gives_each_pictures_top_classes_most_likely_first(saved):
    classifier, folder, new, paths = saved
    table = cb.load(folder).predict([new], top=2)
    assert list(table.columns) == ["path", "class_1", "probability_1", "class_2", "probability_2"]
    assert table["path"].tolist() == sorted(paths)
    x = np.stack([keras.utils.img_to_array(keras.utils.load_img(p, color_mode="grayscale"))
                  for p in table["path"]]) / 255.0  # fmt: skip
    probabilities = classifier.model.predict(x, verbose=0)
    best = np.argsort(-probabilities, axis=1)
    assert table["class_1"].tolist() == [NAMES[i] for i in best[:, 0]]
    assert table["class_2"].tolist() == [NAMES[i] for i in best[:, 1]]
    np.testing.assert_allclose(table["probability_1"], probabilities.max(axis=1), rtol=1e-5)
    assert (table["probability_1"] >= table["probability_2"]).all()
    assert list(cb.predict_images(folder, paths[:1], top=9).columns)[-1] == "probability_3"


def test_the_command_prints_the_table_and_writes_it_as_csv(saved, tmp_path, capsys):
    _, folder, new, _ = saved
    out = tmp_path / "predictions.csv"
    assert main(["predict", "images", str(folder), str(new), "--out", str(out), "--top", "3"]) == 0
    printed = capsys.readouterr().out
    written = pd.read_csv(out)
    expected = cb.load(folder).predict([new], top=3)
    pd.testing.assert_frame_equal(written, expected, check_exact=False, rtol=1e-5)
    first = written.iloc[0]
    assert f"{first['class_1']} {first['probability_1']:.4f}" in printed
    assert f"written to {out}" in printed
    assert [p.name for p in tmp_path.iterdir()] == ["predictions.csv"]  # no temporary left


def test_the_command_refuses_to_overwrite_an_input(saved, capsys):
    _, folder, new, paths = saved
    before = open(paths[0], "rb").read()
    for target in (paths[0], folder / "classifier.json"):
        assert main(["predict", "images", str(folder), str(new), "--out", str(target)]) == 2
        error = capsys.readouterr().err
        assert "is an input" in error and "choose another file" in error
        assert error.count("\n") == 1
    assert open(paths[0], "rb").read() == before


def test_the_command_draws_the_predictions_as_a_png_grid(saved, tmp_path, capsys):
    _, folder, new, paths = saved
    plot = tmp_path / "predictions.png"
    assert main(["predict", "images", str(folder), str(new), "--plot", str(plot)]) == 0
    assert f"drawn to {plot}" in capsys.readouterr().out
    with Image.open(plot) as image:  # nine pictures: two rows of six columns
        assert image.format == "PNG" and image.size == (1020, 400)
    out = ["--out", str(tmp_path / "p.png")]
    for target, refusal in ((tmp_path / "p.jpg", "must end in .png"), (paths[0], "is an input"),
                            (tmp_path / "p.png", "is an input")):  # fmt: skip
        assert main(["predict", "images", str(folder), str(new), *out, "--plot", str(target)]) == 2
        assert refusal in capsys.readouterr().err


def test_bad_pictures_are_refused_unless_skipped(saved, tmp_path, capsys):
    _, folder, _, paths = saved
    notes = tmp_path / "notes.txt"
    notes.write_text("")
    assert main(["predict", "images", str(folder), paths[0], str(notes)]) == 2
    assert "1 file(s) are not pictures Keras can read" in capsys.readouterr().err
    assert main(["predict", "images", str(folder), paths[0], str(notes), "--skip-bad-images"]) == 0
    assert "1 file(s) left out" in capsys.readouterr().out


def test_a_folder_that_is_not_a_classifier_is_refused(saved, tmp_path):
    classifier, folder, _, _ = saved
    with pytest.raises(InputError, match="no classifier.json"):
        cb.load(tmp_path)
    with pytest.raises(InputError, match="no such classifier folder"):
        cb.load(tmp_path / "absent")
    wrong = tmp_path / "wrong"
    classifier.save(wrong)
    about = json.loads((wrong / "classifier.json").read_text())
    (wrong / "classifier.json").write_text(json.dumps({**about, "class_names": ["a", "b"]}))
    with pytest.raises(InputError, match="gives 3 classes; classifier.json says .* and 2 classes"):
        cb.load(wrong)
    (wrong / "classifier.json").write_text("{")
    with pytest.raises(InputError, match="not a classifier description"):
        cb.load(wrong)


def test_a_grey_picture_goes_to_an_rgb_classifier_as_three_equal_channels(tmp_path):
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    classifier = cb.ImageClassifier(model, ("a", "b"), (8, 8), 3, "none")
    grey = write_png(tmp_path / "grey.png", size=(8, 8), value=100)
    probabilities = classifier.probabilities([str(grey)])
    np.testing.assert_allclose(
        probabilities, model.predict(np.full((1, 8, 8, 3), 100.0), verbose=0), rtol=1e-5
    )
