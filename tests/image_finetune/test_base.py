"""The base a fine-tune starts from: a weights file of another network and imagenet weights
neither cached nor downloadable are refused in one line, before any training."""

import urllib.error

import keras
import pytest


def test_a_weights_file_of_another_network_is_refused(tmp_path, folder, refused):
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    other.save_weights(tmp_path / "other.weights.h5")
    error = refused("MobileNetV2", "--weights", tmp_path / "other.weights.h5", "--image-size", 32,
                    "--images", folder("fine"))  # fmt: skip
    assert (
        f"weights {tmp_path / 'other.weights.h5'} do not fit keras.applications.MobileNetV2"
        in error
    )


@pytest.mark.filterwarnings("ignore:`input_shape` is undefined")  # Keras's, for 32x32 imagenet
def test_imagenet_weights_offline_and_not_cached_are_refused_saying_where_keras_looks(
    tmp_path, folder, refused, monkeypatch
):
    from keras.src.backend import config
    from keras.src.utils import file_utils

    def offline(url, *args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(file_utils, "urlretrieve", offline)  # never downloads
    monkeypatch.setattr(config, "_KERAS_DIR", str(tmp_path / "keras_home"))  # nothing cached
    error = refused("MobileNetV2", "--image-size", 32, "--images", folder("fine"))
    cache = tmp_path / "keras_home" / "models"
    assert "the imagenet weights are not in Keras's cache" in error
    assert f"({cache}/mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5)" in error
    assert "--weights FILE" in error and "--weights none" in error
