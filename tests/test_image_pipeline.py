"""image_pipeline: pictures read as Keras reads them, each network's own preprocess_input, the
training stream ordered by (seed, epoch) alone, augmentation off at inference."""

import keras
import numpy as np
import pytest
from image_helpers import write_digits

from deepkit import distribute, image_pipeline
from deepkit.applications import APPLICATIONS
from deepkit.validation import InputError


@pytest.fixture(scope="module")
def pictures(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pipeline") / "pictures"
    written = write_digits(folder, per_class=5)
    return [str(path) for path, _ in written], [digit for _, digit in written]


def test_every_application_has_its_family_and_preprocess_input():
    assert set(image_pipeline.FAMILIES) == set(APPLICATIONS)
    for name in APPLICATIONS:
        family = image_pipeline.family_of(name)
        assert callable(getattr(keras.applications, family).preprocess_input), name
    assert image_pipeline.family_of("ResNet50V2") == "resnet_v2"


@pytest.mark.parametrize("channels, size", [(3, (48, 40)), (1, (32, 32))])
def test_pictures_are_read_as_keras_image_dataset_from_directory_reads_them(
    pictures, channels, size
):
    paths, _ = pictures
    folder = paths[0].rsplit("/", 2)[0]
    keras_set = keras.utils.image_dataset_from_directory(
        folder,
        shuffle=False,
        image_size=size,
        color_mode={1: "grayscale", 3: "rgb"}[channels],
        batch_size=None,
        verbose=False,
    )
    expected = np.stack([image.numpy() for image, _ in keras_set])
    ours = image_pipeline.stream(
        keras_set.file_paths,
        image_size=size,
        channels=channels,
        preprocessing="none",
        batch_size=4,
    )
    np.testing.assert_array_equal(np.concatenate(list(ours.as_numpy_iterator())), expected)


def test_the_applications_preprocess_input_is_applied_in_the_pipeline(pictures):
    paths, labels = pictures
    raw = image_pipeline.stream(
        paths, labels, image_size=(32, 32), channels=3, preprocessing="none", batch_size=15
    )
    prepared = image_pipeline.stream(
        paths, labels, image_size=(32, 32), channels=3, preprocessing="resnet", batch_size=15
    )
    (x_raw, y_raw), (x, y) = next(iter(raw)), next(iter(prepared))
    expected = keras.applications.resnet.preprocess_input(x_raw.numpy().copy())
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-6)
    np.testing.assert_array_equal(y, y_raw)
    rescaled = image_pipeline.stream(
        paths, image_size=(32, 32), channels=1, preprocessing="rescale", batch_size=15
    )
    assert float(next(iter(rescaled)).numpy().max()) <= 1.0
    with pytest.raises(InputError, match="preprocessing must be one of"):
        image_pipeline.preprocess("imagenet")


def _epoch(data, order, epoch):
    order.epoch.assign(epoch)
    pairs = list(data.as_numpy_iterator())
    return np.concatenate([x for x, _ in pairs]), np.concatenate([y for _, y in pairs])


def test_epoch_e_reads_the_pictures_in_the_order_of_seed_and_e_alone(pictures):
    paths, labels = pictures
    n = len(paths)
    unordered = image_pipeline.stream(
        paths, labels, image_size=(32, 32), channels=1, preprocessing="none", batch_size=n
    )
    x_all, y_all = next(unordered.as_numpy_iterator())
    order = distribute.epoch_order(seed=5)
    data = image_pipeline.stream(
        paths,
        labels,
        image_size=(32, 32),
        channels=1,
        preprocessing="none",
        batch_size=4,
        order=order,
    )
    seen = {}
    for epoch in (2, 0, 1, 2):
        x, y = _epoch(data, order, epoch)
        rows = distribute.epoch_rows(np.arange(n), 5, epoch, n).numpy()
        np.testing.assert_array_equal(x, x_all[rows])
        np.testing.assert_array_equal(y, y_all[rows])
        seen.setdefault(epoch, rows.tolist())
        assert seen[epoch] == rows.tolist()
    assert seen[0] != seen[1] and sorted(seen[0]) == list(range(n))


def test_augmentation_is_seeded_keras_layers_inactive_at_inference():
    layers = image_pipeline.augmentation(seed=3)
    assert [type(layer).__name__ for layer in layers] == [
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
    ]
    model = keras.Sequential([keras.Input((8, 8, 1)), *layers])
    x = np.random.default_rng(0).random((2, 8, 8, 1)).astype("float32")
    np.testing.assert_array_equal(model(x, training=False), x)
    assert not np.array_equal(model(x, training=True), x)
    assert image_pipeline.augmentation(seed=3, flip=False, rotation=0, zoom=0) == []


def test_early_stopping_without_validation_is_refused():
    from deepkit.training import fit_stream

    with pytest.raises(InputError, match="early stopping \\(patience\\) needs validation_data"):
        fit_stream(None, None, epochs=1, patience=2)
