"""The fine-tune of a folder of pictures, end to end: from the command line to a saved
classifier that predicts held-out pictures better than the majority class; a killed
fine-tune resumed to the weights of an uninterrupted one; bad files left out when asked; a
keras.applications base's own preprocessing kept with the classifier."""

import json

import keras
import numpy as np
import pandas as pd
import pytest
from image_helpers import write_digits, write_png
from resume_helpers import Stop, assert_same, epochs_saved

from deepkit import image_finetune
from deepkit.cli import main
from deepkit.validation import InputError


def test_a_folder_fine_tunes_from_the_command_line_and_predicts_better_than_the_majority(
    files, tmp_path, capsys
):
    base, pictures, held_out = files
    saved, out = tmp_path / "classifier", tmp_path / "predictions.csv"
    code = main(
        ["finetune", str(base), "--images", str(pictures), "--epochs", "12",
         "--learning-rate", "0.01", "--dropout", "0", "--unfreeze", "2",
         "--fine-tune-epochs", "2", "--fine-tune-learning-rate", "1e-4", "--patience", "4",
         "--batch-size", "16", "--save-dir", str(saved), "--quiet"]
    )  # fmt: skip
    report = capsys.readouterr().out
    assert code == 0, report
    for line in ("72 training, 18 validation", "phase 1, new head", "phase 2, top layers unfrozen",
                 "validation accuracy", f"deepkit predict images {saved} PATH"):  # fmt: skip
        assert line in report

    about = json.loads((saved / "classifier.json").read_text())
    assert about["class_names"] == ["0", "1", "2"] and about["image_size"] == [32, 32]
    assert about["channels"] == 1 and about["preprocessing"] == "none"
    model = keras.models.load_model(saved / "model.keras", safe_mode=True)
    pretrained = keras.models.load_model(base)
    for name in ("conv1", "bn"):  # below the unfrozen top: untouched; BatchNormalization frozen
        for a, b in zip(
            model.get_layer("tiny_base_features").get_layer(name).get_weights(),
            pretrained.get_layer(name).get_weights(),
        ):
            np.testing.assert_array_equal(a, b)

    new = held_out[0][0].parent
    assert main(["predict", "images", str(saved), str(new), "--out", str(out)]) == 0
    table = pd.read_csv(out, dtype={"class_1": str})
    truth = {str(path): str(digit) for path, digit in held_out}
    assert sorted(table["path"]) == sorted(truth)
    accuracy = float(np.mean([truth[p] == c for p, c in zip(table["path"], table["class_1"])]))
    majority = max(pd.Series(list(truth.values())).value_counts()) / len(truth)
    print(f"held-out accuracy {accuracy:.3f}, majority class {majority:.3f}")
    assert accuracy > majority + 0.3


class StopAtEpoch(keras.callbacks.Callback):
    """Raise ``Stop`` (a kill) at the start of the ``n``-th epoch of the run, counted over
    both phases: the epochs before are saved."""

    def __init__(self, n):
        super().__init__()
        self.n, self.seen = n, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.seen += 1
        if self.seen == self.n:
            raise Stop


def test_a_killed_fine_tune_resumes_to_the_weights_of_an_uninterrupted_one(files, tmp_path):
    base, pictures, _ = files
    settings = image_finetune.Settings(
        base=str(base), images=str(pictures), epochs=2, learning_rate=0.01, unfreeze=2,
        fine_tune_epochs=2, batch_size=16, augment=True, seed=1,
    )  # fmt: skip
    plain = image_finetune.run(settings)
    folder = tmp_path / "checkpoints"
    resumable = settings.replace(checkpoint_dir=str(folder))
    with pytest.raises(Stop):  # in phase 2's second epoch
        image_finetune.run(resumable, callbacks=[StopAtEpoch(4)])
    assert (folder / "head" / "finished.json").exists()
    assert epochs_saved(folder / "unfrozen") == 1

    resumed = image_finetune.run(resumable)
    assert_same(resumed.model.get_weights(), plain.model.get_weights())
    assert resumed.histories == plain.histories
    assert resumed.validation_accuracy == plain.validation_accuracy

    write_png(pictures / "2" / "added.png")  # other pictures: another run, not this one resumed
    try:
        with pytest.raises(InputError, match="checkpoint folder"):
            image_finetune.run(resumable)
    finally:
        (pictures / "2" / "added.png").unlink()


def test_bad_files_are_left_out_with_skip_bad_images_and_named_in_the_report(files, tmp_path):
    base, _, _ = files
    pictures = tmp_path / "pictures"
    write_digits(pictures, digits=(0, 1), per_class=4)
    (pictures / "1" / "notes.txt").write_text("")
    result = image_finetune.run(
        base=str(base), images=str(pictures), epochs=1, validation_split=0.0,
        skip_bad_images=True,
    )  # fmt: skip
    report = result.report()
    assert "8 training, 0 validation" in report
    assert "left out" in report and "notes.txt (not a picture (.txt))" in report
    assert result.validation_accuracy is None


def test_a_keras_applications_base_gets_its_own_preprocessing_in_the_saved_classifier(tmp_path):
    pictures = tmp_path / "pictures"
    write_digits(pictures, digits=(0, 1), per_class=3)
    result = image_finetune.run(
        base="MobileNetV2", weights="none", image_size=32, images=str(pictures), epochs=1,
        validation_split=0.0, save_dir=str(tmp_path / "classifier"),
    )  # fmt: skip
    about = json.loads((tmp_path / "classifier" / "classifier.json").read_text())
    assert about["preprocessing"] == "mobilenet_v2" and about["channels"] == 3
    assert about["base"] == "MobileNetV2" and about["weights"] == "none"
    assert "preprocessing mobilenet_v2" in result.report()
    x = np.stack(
        [keras.utils.img_to_array(keras.utils.load_img(p, color_mode="rgb")) for p in [
            str(path) for path in sorted(pictures.rglob("*.png"))]]
    )  # fmt: skip
    expected = result.model.predict(keras.applications.mobilenet_v2.preprocess_input(x), verbose=0)
    table = result.classifier.predict([pictures], top=1)
    np.testing.assert_allclose(table["probability_1"], expected.max(axis=1), rtol=1e-4)
