"""The settings of a fine-tune, declared once: a bad one is refused in one line, before any
work, on the command line as in Python."""

import pytest

from deepkit import image_finetune
from deepkit.validation import InputError

SETTING_REFUSALS = [
    (["absent.keras", "--images", "."], "base absent.keras: no such .keras file"),
    (["MobileNetV9", "--images", "."], "keras.applications has no model named 'MobileNetV9'"),
    (["InceptionV3", "--image-size", "64", "--images", "."], "at least 75x75, got 64x64"),
    (["MobileNetV2", "--weights", "absent.h5", "--images", "."], "weights absent.h5: no such file"),
    (["MobileNetV2", "--images", "absent"], "images folder absent: no such folder"),
    (["MobileNetV2"], "give a base (a keras.applications name or a .keras file) and images"),
    (["MobileNetV2", "--images", ".", "--unfreeze", "3"], "give both (phase 2) or neither"),
    (
        ["MobileNetV2", "--images", ".", "--patience", "2", "--validation-split", "0"],
        "early stopping (patience) needs a validation_split above 0",
    ),
    (["MobileNetV2", "--images", ".", "--validation-split", "1"], "validation_split must be"),
]


@pytest.mark.parametrize("argv, message", SETTING_REFUSALS)
def test_a_bad_setting_is_refused_in_one_line(argv, message, refused):
    assert message in refused(*argv)


def test_weights_with_a_keras_file_base_are_refused(files, refused):
    base, pictures, _ = files
    error = refused(base, "--weights", "none", "--images", pictures)
    assert "weights go with a keras.applications base; a .keras file holds its own" in error


def test_the_python_api_takes_the_same_settings_as_keywords(files):
    base, pictures, _ = files
    with pytest.raises(InputError, match="unfreeze=0 and fine_tune_epochs=2"):
        image_finetune.run(base=str(base), images=str(pictures), fine_tune_epochs=2)
    with pytest.raises(InputError, match="has no setting 'epoch'"):
        image_finetune.run(base=str(base), images=str(pictures), epoch=2)
