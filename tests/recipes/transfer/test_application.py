"""The keras.applications experiment, with a small stand-in for the network (a real one is slow
to trace on a CPU): pretrained on 0-4 with its BatchNormalization momentum lowered,
its base saved as a weights file, rebuilt from it, fine-tuned on 5-9; resized when the
input is larger than 32x32; the same weights with a checkpoint folder and without, and a
finished folder restored without training."""

import keras
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit import applications, training
from deepkit.recipes import transfer
from deepkit.recipes.transfer import application, steps
from deepkit.validation import InputError

TINY = dict(epochs=2, batch_size=32, limit=600, path=str(SUBSET))
built = []


def stand_in(name, input_shape, weights=None):
    """A two-convolution base with BatchNormalization, in place of ``keras.applications.<name>``."""
    applications.check_application(name, input_shape)
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(4, 3, strides=2, activation="relu", name="conv1")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.Conv2D(8, 3, strides=2, activation="relu", name="conv2")(x)
    base = keras.Model(inputs, x, name=name.lower())
    if weights is not None:
        base.load_weights(weights)
    built.append((tuple(input_shape), weights, base))
    return base


def _no_training(*args, **kwargs):
    raise AssertionError("a finished training was trained again")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The experiment on the stand-in without a folder, with one, and again on the finished
    folder (training refused); each run's result, built bases and scored weights."""
    folder = tmp_path_factory.mktemp("application")
    out = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(applications, "application", stand_in)
        evaluate = steps.evaluate
        scored = []

        def keeping(model, x, y, num_classes=10):
            scored.append([w.copy() for w in model.get_weights()])
            return evaluate(model, x, y, num_classes)

        patch.setattr(steps, "evaluate", keeping)
        for run, checkpoint in (
            ("plain", None),
            ("kept", "checkpoint"),
            ("restored", "checkpoint"),
        ):
            built.clear(), scored.clear()
            if run == "restored":
                patch.setattr(training, "fit", _no_training)
            result = transfer.run(
                application="MobileNetV2",
                save_dir=str(folder / run),
                checkpoint_dir=checkpoint and str(folder / checkpoint),
                **TINY,
            )
            out[run] = dict(result=result, built=list(built), scored=list(scored))
    out["folder"] = folder
    return out


def test_the_network_is_pretrained_saved_rebuilt_from_its_file_and_fine_tuned(runs):
    result = runs["plain"]["result"]
    assert isinstance(result, transfer.ApplicationResult)
    assert result.weights_path == str(
        runs["folder"] / "plain" / "mobilenetv2_digits_0_4.weights.h5"
    )
    (shape, weights, pretrained), (_, reloaded_from, reloaded) = runs["plain"]["built"]
    assert shape == (32, 32, 3) and weights is None
    assert str(reloaded_from) == result.weights_path
    assert pretrained.get_layer("bn").momentum == application.PRETRAIN_MOMENTUM
    for a, b in zip(pretrained.get_weights(), reloaded.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)  # the frozen base is the pretrained one
    assert not reloaded.trainable
    assert (result.n_pretrain, result.n_transfer) == (319, 281)
    assert 0.0 <= result.pretrain_accuracy <= 1 and 0.0 <= result.transfer_accuracy <= 1
    report = result.report()
    assert "keras.applications.MobileNetV2, 32x32 RGB (digits padded to 32x32), no top" in report
    assert f"{result.transfer_accuracy:.4f} (281 images)" in report
    assert len(runs["plain"]["scored"]) == 2  # the pretrained and the fine-tuned network


def test_a_checkpoint_folder_changes_no_weight_and_a_finished_one_is_restored(runs):
    without, with_folder = runs["plain"]["scored"], runs["kept"]["scored"]
    for a, b in zip(sum(without, []), sum(with_folder, []), strict=True):
        np.testing.assert_array_equal(a, b)
    plain, kept, again = (runs[run]["result"] for run in ("plain", "kept", "restored"))
    assert (plain.pretrain_accuracy, plain.transfer_accuracy) == (
        kept.pretrain_accuracy,
        kept.transfer_accuracy,
    )
    assert (runs["folder"] / "checkpoint" / "transfer" / "head" / "finished.json").exists()
    assert runs["restored"]["scored"] == []  # restored, neither trained nor scored again
    assert (again.pretrain_accuracy, again.transfer_accuracy, again.seconds) == (
        kept.pretrain_accuracy,
        kept.transfer_accuracy,
        kept.seconds,
    )


def test_a_larger_input_resizes_the_padded_digits_inside_the_model(monkeypatch, tmp_path):
    monkeypatch.setattr(applications, "application", stand_in)
    built.clear()
    settings = dict(TINY, limit=300, epochs=1)
    result = transfer.run(
        application="InceptionV3", image_size=75, save_dir=str(tmp_path), **settings
    )
    assert [shape for shape, _, _ in built] == [(75, 75, 3)] * 2
    assert "75x75 RGB (digits padded to 32x32, resized)" in result.report()
    base = built[1][2]
    model = application.resized(base, 75)
    assert model.input_shape == (None, 32, 32, 3) and model.layers[-1] is base
    assert application.resized(base, 32) is base


def test_run_application_needs_an_application():
    with pytest.raises(InputError, match="run_application needs an application"):
        transfer.run_application(epochs=1)
