"""`deepkit finetune`: its own options and help; a bad folder of pictures refused in one line
before TensorFlow builds anything."""

import pytest

from deepkit.cli import main

FOLDER_REFUSALS = {
    "empty": "is empty",
    "single class": "holds one class folder (4); a classifier needs at least two",
    "empty class": "class folder(s) 2 hold no images",
    "bad files": "2 file(s) are not pictures Keras can read: 0/notes.txt (not a picture (.txt)), "
    "1/broken.png (unreadable",
    "too small": "1 picture(s) are smaller than keras.applications.MobileNetV2's least input "
    "(32x32): 1/tiny.png (16x16)",
}


@pytest.mark.parametrize("kind", FOLDER_REFUSALS)
def test_a_bad_folder_is_refused_in_one_line_before_any_work(kind, folder, refused):
    argv = ["MobileNetV2", "--weights", "none", "--image-size", 32, "--images", folder(kind)]
    assert FOLDER_REFUSALS[kind] in refused(*argv)


def test_finetune_help_is_its_own_and_lists_the_settings(capsys):
    with pytest.raises(SystemExit):
        main(["finetune", "--help"])
    printed = capsys.readouterr().out
    assert printed.startswith("usage: deepkit finetune")
    for option in ("--images DIR", "--weights", "--unfreeze N", "--checkpoint-dir DIR", "base"):
        assert option in printed
