"""images: a folder of pictures listed as Keras lists it, every bad folder refused in one line
naming the problem, bad files skipped only when asked, a seeded stratified validation carve."""

import numpy as np
import pytest
from image_helpers import write_digits, write_png

from deepkit import images
from deepkit.validation import InputError


@pytest.fixture
def pictures(tmp_path):
    """``pictures/0``, ``pictures/1``, ``pictures/2``: 6 digits each."""
    write_digits(tmp_path / "pictures", per_class=6)
    return tmp_path / "pictures"


def test_the_listing_is_kerass_same_classes_files_order_and_labels(pictures):
    import keras

    write_png(pictures / "1" / "nested" / "extra.png")
    (pictures / "1" / ".DS_Store").write_bytes(b"\0")  # hidden: ignored, as by Keras
    keras_set = keras.utils.image_dataset_from_directory(
        pictures, shuffle=False, image_size=(32, 32), verbose=False
    )
    labels = np.concatenate([batch_labels for _, batch_labels in keras_set])
    folder = images.scan(pictures)
    assert folder.class_names == tuple(keras_set.class_names) == ("0", "1", "2")
    assert list(folder.paths) == keras_set.file_paths
    assert list(folder.labels) == labels.tolist()
    assert folder.counts() == {"0": 6, "1": 7, "2": 6}
    assert folder.skipped == ()


def _refusal(folder, **options):
    with pytest.raises(InputError) as caught:
        images.scan(folder, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_missing_or_empty_folder_is_refused(tmp_path):
    assert "no such folder" in _refusal(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    assert _refusal(tmp_path / "empty").endswith("is empty")
    write_png(tmp_path / "loose" / "a.png")
    assert "holds no class folders (1 file(s) at its top)" in _refusal(tmp_path / "loose")


def test_a_single_class_is_refused(tmp_path):
    write_digits(tmp_path / "one", digits=(7,), per_class=3)
    assert "holds one class folder (7); a classifier needs at least two" in _refusal(
        tmp_path / "one"
    )


def test_a_class_folder_without_pictures_is_refused(pictures):
    (pictures / "3").mkdir()
    assert "class folder(s) 3 hold no images" in _refusal(pictures)


def test_files_that_are_not_pictures_are_named_and_counted(pictures):
    (pictures / "0" / "notes.txt").write_text("not a picture")
    (pictures / "2" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    message = _refusal(pictures)
    assert "2 file(s) are not pictures Keras can read" in message
    assert "0/notes.txt (not a picture (.txt))" in message
    assert "2/broken.png (unreadable" in message
    assert "--skip-bad-images" in message


def test_many_bad_files_are_counted_and_the_first_few_named(pictures):
    for index in range(8):
        (pictures / "1" / f"{index}.txt").write_text("")
    message = _refusal(pictures)
    assert "8 file(s)" in message and "and 3 more" in message


def test_bad_files_are_left_out_only_when_asked(pictures):
    (pictures / "0" / "notes.txt").write_text("not a picture")
    folder = images.scan(pictures, skip_bad=True)
    assert folder.counts() == {"0": 6, "1": 6, "2": 6}
    assert [(path.rsplit("/", 2)[-2:], why) for path, why in folder.skipped] == [
        (["0", "notes.txt"], "not a picture (.txt)")
    ]


def test_pictures_smaller_than_the_least_input_are_named_with_the_least(pictures):
    write_png(pictures / "1" / "tiny.png", size=(16, 20))
    message = _refusal(pictures, min_side=32, least_name="keras.applications.X's least input")
    assert "1 picture(s) are smaller than keras.applications.X's least input (32x32)" in message
    assert "1/tiny.png (16x20)" in message
    folder = images.scan(pictures, min_side=32, skip_bad=True)
    assert len(folder.paths) == 18 and folder.skipped[0][1] == "16x20, smaller than 32x32"


def test_a_class_left_empty_by_skipping_is_refused(pictures):
    (pictures / "3").mkdir()
    (pictures / "3" / "notes.txt").write_text("")
    message = _refusal(pictures, skip_bad=True)
    assert "class folder(s) 3 hold no readable images large enough (1 file(s) left out)" in message


def test_the_validation_carve_is_stratified_and_seeded(pictures):
    folder = images.scan(pictures)
    (fit_paths, fit_labels), (val_paths, val_labels) = images.split(folder, 0.5, seed=3)
    assert sorted([*fit_paths, *val_paths]) == sorted(folder.paths)
    assert np.bincount(val_labels).tolist() == [3, 3, 3]
    again = images.split(folder, 0.5, seed=3)[1][0]
    other = images.split(folder, 0.5, seed=4)[1][0]
    assert again.tolist() == val_paths.tolist() and sorted(other) != sorted(val_paths)
    (all_paths, _), (none, _) = images.split(folder, 0.0, seed=0)
    assert len(all_paths) == 18 and len(none) == 0


def test_a_validation_carve_that_cannot_hold_every_class_is_refused(pictures):
    folder = images.scan(pictures)
    with pytest.raises(InputError, match="validation_split=0.1 of 18 pictures in 3 classes"):
        images.split(folder, 0.1, seed=0)


def test_the_listing_digest_changes_with_the_pictures(pictures):
    before = images.scan(pictures).digest()
    assert images.scan(pictures).digest() == before
    write_png(pictures / "2" / "new.png")
    assert images.scan(pictures).digest() != before


def test_pictures_to_classify_come_from_files_and_folders_in_order(pictures, tmp_path):
    single = write_png(tmp_path / "single.png")
    paths, skipped = images.list_pictures([single, pictures / "2"])
    assert paths[0] == str(single) and len(paths) == 7 and skipped == []
    assert paths[1:] == sorted(paths[1:])
    (pictures / "2" / "notes.txt").write_text("")
    with pytest.raises(InputError, match="1 file\\(s\\) are not pictures Keras can read: .*notes"):
        images.list_pictures([pictures / "2"])
    paths, skipped = images.list_pictures([pictures / "2"], skip_bad=True)
    assert len(paths) == 6 and skipped[0][0].endswith("notes.txt")
    with pytest.raises(InputError, match="no such file or folder"):
        images.list_pictures([tmp_path / "absent.png"])
