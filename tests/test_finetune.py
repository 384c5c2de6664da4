"""finetune: cutting the head, freezing (BatchNormalization in inference mode), phase 2,
save/load, errors, and each phase a checkpoint stage (resumed, restored, or kept nowhere, to
the same weights)."""

import keras
import numpy as np
import pytest

from deepkit import finetune as ft
from deepkit.models.convolutional import mnist_cnn
from deepkit.validation import InputError


def small_base(seed=0):
    """Conv -> BN -> Conv -> Flatten -> Dropout -> Dense(3): a pretrained-looking classifier on 8x8 images."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv1"),
            keras.layers.BatchNormalization(name="bn"),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dropout(0.1, name="drop"),
            keras.layers.Dense(3, activation="softmax", name="old_head"),
        ],
        name="small",
    )
    # give BN non-trivial moving statistics, as a pretrained base would have
    bn = model.get_layer("bn")
    bn.moving_mean.assign(np.full(4, 0.3, "float32"))
    bn.moving_variance.assign(np.full(4, 2.0, "float32"))
    return model


def data(n=96, classes=2, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 1)).astype("float32")
    y = (x[:, :4].mean(axis=(1, 2, 3)) > 0).astype("int64") % classes
    return x, y


def weights_of(model, name):
    return [w.copy() for w in model.get_layer(name).get_weights()]


def test_feature_layer_is_found_or_named():
    assert ft.feature_layer(small_base()).name == "flatten"
    assert ft.feature_layer(mnist_cnn(seed=0)).name == "flatten"
    assert ft.feature_layer(small_base(), "conv2").name == "conv2"
    headless = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3, name="only")])
    assert ft.feature_layer(headless).name == "only"
    with pytest.raises(ValueError, match=r"no layer named 'pool9'.*'conv1'"):
        ft.feature_layer(small_base(), "pool9")
    only_dense = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="no feature layer"):
        ft.feature_layer(only_dense)


def test_phase_one_trains_the_head_and_leaves_the_base_untouched():
    base = small_base()
    before = {name: weights_of(base, name) for name in ("conv1", "bn", "conv2")}
    x, y = data()
    model = ft.finetune(base, 2, x, y, epochs=3, batch_size=16, learning_rate=1e-2, seed=0)
    features = model.get_layer("small_features")
    assert not features.trainable
    for name, old in before.items():
        for a, b in zip(old, weights_of(features, name)):
            np.testing.assert_array_equal(a, b)  # BN moving mean/variance included
    assert model.get_layer("head").output.shape[-1] == 2
    # the head learned something: loss went down over the 3 epochs
    losses = model.history.history["loss"]
    assert losses[-1] < losses[0]
    # BN runs in inference mode: features equal the frozen base's own inference output
    cut = keras.Model(base.inputs[0], base.get_layer("flatten").output)
    np.testing.assert_allclose(
        features(x[:8], training=True), cut(x[:8], training=False), rtol=1e-6, atol=1e-6
    )


def test_phase_two_unfreezes_only_the_top_layers_and_keeps_bn_frozen():
    base = small_base()
    conv1, bn, conv2 = (weights_of(base, name) for name in ("conv1", "bn", "conv2"))
    x, y = data()
    model = ft.finetune(
        base,
        2,
        x,
        y,
        epochs=1,
        unfreeze=2,
        fine_tune_epochs=2,
        fine_tune_learning_rate=1e-2,
        seed=0,
    )
    features = model.get_layer("small_features")
    assert [layer.trainable for layer in ft.base_layers(features)] == [False, False, True, True]
    for a, b in zip(conv1 + bn, weights_of(features, "conv1") + weights_of(features, "bn")):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(conv2[0], weights_of(features, "conv2")[0])


def test_batchnorm_inside_the_unfrozen_range_stays_frozen_in_inference_mode():
    """unfreeze=3 reaches bn: its scale, offset and moving statistics must not move."""
    base = small_base()
    bn_before = weights_of(base, "bn")
    x, y = data()
    model = ft.finetune(
        base,
        2,
        x,
        y,
        epochs=1,
        unfreeze=3,
        fine_tune_epochs=2,
        fine_tune_learning_rate=1e-2,
        seed=0,
    )
    features = model.get_layer("small_features")
    assert [layer.trainable for layer in ft.base_layers(features)] == [False, False, True, True]
    for a, b in zip(bn_before, weights_of(features, "bn")):
        np.testing.assert_array_equal(a, b)


def test_validation_split_is_a_seeded_stratified_shuffle_of_sorted_data(monkeypatch):
    from deepkit import training

    seen = []
    original_fit = training.fit

    def recording_fit(model, x, y, **kwargs):
        seen.append((x, y, kwargs["validation_data"]))
        return original_fit(model, x, y, **kwargs)

    monkeypatch.setattr(training, "fit", recording_fit)
    x, y = data(80)
    order = np.argsort(y, kind="stable")
    x, y = x[order], y[order]  # sorted by class: Keras's own split would hold out only class 1
    counts = np.bincount(y)
    for seed in (0, 0, 1):
        model = ft.finetune(
            small_base(), 2, x, y, epochs=1, batch_size=16, validation_split=0.25, seed=seed
        )
        assert "val_accuracy" in model.history.history
    (x_fit, y_fit, (x_val, y_val)), again, other = seen
    assert len(y_val) == 20 and len(y_fit) == 60
    np.testing.assert_allclose(
        np.bincount(y_val, minlength=2), counts / 4, atol=1
    )  # both classes, in proportion
    rows, original = np.concatenate([x_fit, x_val]).reshape(80, -1), x.reshape(80, -1)
    np.testing.assert_array_equal(
        rows[np.lexsort(rows.T)], original[np.lexsort(original.T)]
    )  # nothing lost
    np.testing.assert_array_equal(again[2][0], x_val)  # same seed, same split
    assert not np.array_equal(other[2][0], x_val)


def test_saved_and_loaded_model_predicts_identically(tmp_path):
    path = tmp_path / "base.keras"
    small_base().save(path)
    x, y = data()
    onehot = np.eye(2, dtype="float32")[y]
    model = ft.finetune(str(path), 2, x, onehot, epochs=1, seed=0)
    model.save(tmp_path / "tuned.keras")
    loaded = keras.models.load_model(tmp_path / "tuned.keras")
    np.testing.assert_array_equal(model.predict(x, verbose=0), loaded.predict(x, verbose=0))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            dict(x=np.zeros((4, 28, 28, 1))),
            ValueError,
            r"x has shape \(4, 28, 28, 1\).*\(n, 8, 8, 1\)",
        ),
        (
            dict(x=np.full((4, 8, 8, 1), np.nan)),
            ValueError,
            "NaN or infinite values .first in sample 0",
        ),
        (dict(y=np.array([0, 1, 2, 1])), ValueError, r"label 2 at index 2 is outside 0..1"),
        (
            dict(y=np.eye(3)[[0, 1, 2, 1]]),
            ValueError,
            "one-hot y has 3 columns but num_classes is 2",
        ),
        (dict(y=np.array([0.5, 1, 0, 1])), ValueError, "integer labels"),
        (dict(y=np.array([0, 1, 0])), ValueError, "x has 4 samples but y has 3"),
        (dict(layer="nope"), ValueError, "no layer named 'nope'"),
        (dict(unfreeze=9, fine_tune_epochs=1), ValueError, "between 0 and the base's 4 layers"),
        (dict(unfreeze=1), ValueError, "give both"),
        (dict(base="missing.keras"), InputError, "missing.keras: no such model file"),
        (dict(base="weights.h5"), ValueError, "a .keras file"),
        (dict(base=42), TypeError, "keras.Model"),
        (dict(epochs=0), ValueError, "epochs must be an int >= 1, got 0"),
        (dict(engine="torch"), ValueError, "engine must be one of keras, numpy, got 'torch'"),
        (dict(batch_size=2.5), ValueError, "batch_size must be an int >= 1, got 2.5"),
        (dict(dropout=1.0), ValueError, r"dropout must be a rate in \[0, 1\), got 1.0"),
        (dict(dropout=None), ValueError, "dropout must be a rate"),
        (
            dict(unfreeze=1, fine_tune_epochs=-1),
            ValueError,
            "fine_tune_epochs must be an int >= 0, got -1",
        ),
        (dict(validation_split=1.0), ValueError, r"validation fraction must be in \[0, 1\)"),
    ],
)
def test_bad_input_is_named_before_training(kwargs, error, message):
    x, y = data(4)
    arguments = dict(base=small_base(), num_classes=2, x=x, y=y, epochs=1)
    arguments.update(kwargs)
    with pytest.raises(error, match=message):
        ft.finetune(**arguments)


def test_a_keyword_train_does_not_take_is_refused_before_the_model_is_built(monkeypatch):
    from deepkit.finetune import phases

    def no_model(*args, **kwargs):
        raise AssertionError("the model was built before the keywords were checked")

    monkeypatch.setattr(phases, "new_model", no_model)
    x, y = data(4)
    with pytest.raises(TypeError, match="unexpected keyword argument 'epoch'"):
        ft.finetune(small_base(), 2, x, y, epoch=1)
    with pytest.raises(TypeError, match="multiple values for argument 'model'"):
        ft.finetune(small_base(), 2, x, y, model=None)
    with pytest.raises(ValueError, match="fine_tune_learning_rate must be"):
        ft.finetune(small_base(), 2, x, y, fine_tune_learning_rate=0)


def test_keras_application_loads_a_weights_file_and_takes_a_new_head(tmp_path):
    source = ft.application("MobileNetV2", (32, 32, 3))
    keras.utils.set_random_seed(1)
    source.set_weights(
        [w + np.random.normal(0, 0.01, w.shape).astype(w.dtype) for w in source.get_weights()]
    )
    source.save_weights(tmp_path / "mobilenet.weights.h5")
    loaded = ft.application("MobileNetV2", (32, 32, 3), weights=tmp_path / "mobilenet.weights.h5")
    for a, b in zip(source.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    # the new head goes on pooled 4-D feature maps; the frozen base runs in inference mode
    model = ft.with_new_head(ft.feature_extractor(loaded), 3)
    assert ft.feature_layer(loaded) is loaded.layers[-1]
    x = np.random.default_rng(0).uniform(size=(4, 32, 32, 3)).astype("float32")
    probabilities = model.predict(x, verbose=0)
    assert probabilities.shape == (4, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert model.get_layer("head_pool") is not None
    assert [w.path for w in model.trainable_weights] == ["head/kernel", "head/bias"]
    with pytest.raises(FileNotFoundError, match="nothing.weights.h5"):
        ft.application("MobileNetV2", (32, 32, 3), weights=tmp_path / "nothing.weights.h5")
    with pytest.raises(ValueError, match="no model named 'MobileNetV9'"):
        ft.application("MobileNetV9", (32, 32, 3))


def _tune(base, checkpoint=None):
    """Both phases on the small base (1 epoch, then 2), kept in ``checkpoint``."""
    x, y = data(64)
    return ft.finetune(
        base,
        2,
        x,
        y,
        epochs=1,
        batch_size=16,
        learning_rate=1e-2,
        unfreeze=2,
        fine_tune_epochs=2,
        fine_tune_learning_rate=1e-2,
        seed=0,
        checkpoint=checkpoint,
    )


@pytest.fixture(scope="module")
def plain():
    """The weights and last history of ``_tune`` without a checkpoint."""
    model = _tune(small_base())
    return model.get_weights(), model.history.history


def _assert_same(model, plain):
    weights, history = plain
    for a, b in zip(weights, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.history.history == history


def _no_training(*args, **kwargs):
    raise AssertionError("a finished phase was trained again")


def test_each_phase_is_a_stage_a_folder_changes_no_weight_and_a_rerun_restores(
    plain, tmp_path, monkeypatch
):
    from deepkit import training
    from deepkit.checkpoints import Checkpoint

    kept = _tune(small_base(), Checkpoint.open(tmp_path / "run", {"test": "phases"}))
    assert all(
        (tmp_path / "run" / phase / "finished.json").exists() for phase in ("head", "unfrozen")
    )
    _assert_same(kept, plain)
    assert len(plain[1]["loss"]) == 2  # the last phase's epochs

    monkeypatch.setattr(training, "fit", _no_training)
    _assert_same(_tune(small_base(), Checkpoint.open(tmp_path / "run", {"test": "phases"})), plain)


def test_a_phase_stopped_mid_epoch_resumes_at_its_saved_epoch_to_the_same_weights(
    plain, tmp_path, monkeypatch
):
    from resume_helpers import Stop, epochs_saved

    from deepkit import training
    from deepkit.checkpoints import Checkpoint

    fit = training.fit

    class StopInSecondEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if self.epoch == 1 and batch == 1:
                raise Stop

    def fit_stopping_in_phase_two(model, x, y, *, checkpoint=None, callbacks=(), **options):
        if checkpoint.directory.name == "unfrozen":
            callbacks = (*callbacks, StopInSecondEpoch())
        return fit(model, x, y, checkpoint=checkpoint, callbacks=callbacks, **options)

    monkeypatch.setattr(training, "fit", fit_stopping_in_phase_two)
    with pytest.raises(Stop):
        _tune(small_base(), Checkpoint.open(tmp_path / "run", {"test": "phases"}))
    assert (tmp_path / "run" / "head" / "finished.json").exists()
    assert epochs_saved(tmp_path / "run" / "unfrozen") == 1

    monkeypatch.setattr(training, "fit", fit)
    _assert_same(_tune(small_base(), Checkpoint.open(tmp_path / "run", {"test": "phases"})), plain)


def test_train_takes_a_model_of_new_model_only():
    x, y = data(16)
    with pytest.raises(InputError, match="not a base with a new head; build it with new_model"):
        ft.train(small_base(), x, y)
    model = ft.new_model(small_base(), 2, dropout=0.0, seed=0)
    assert model.get_layer("small_features").trainable is False
    history = ft.train(model, x, y, epochs=1, batch_size=8)
    assert list(history) == ["accuracy", "loss"] and len(history["loss"]) == 1


# (run() keywords, argument the error must name), checked in a fresh interpreter
BAD_FINETUNES = [
    ({"seed": -1}, "seed"),
    ({"learning_rate": 0}, "learning_rate"),
    ({"validation_split": 1.0}, "validation fraction"),
]


@pytest.fixture(scope="module")
def probed_finetunes(probe_before_work):
    """Every bad finetune, run in one fresh interpreter; its findings by case."""
    return probe_before_work([["finetune", kw] for kw, _ in BAD_FINETUNES], [])


@pytest.mark.parametrize("index", range(len(BAD_FINETUNES)), ids=lambda i: "-".join(
    ["finetune", *BAD_FINETUNES[i][0]]))  # fmt: skip
def test_bad_argument_fails_before_tensorflow_or_data_load(probed_finetunes, index):
    _, argument = BAD_FINETUNES[index]
    error, data_loaded, tensorflow_loaded = probed_finetunes["runs"][index]
    assert error is not None and error[0] == "InputError", error
    assert argument in error[1]
    assert not data_loaded and not tensorflow_loaded


def test_a_checkpoint_folder_is_refused_on_the_numpy_engine(tmp_path):
    from deepkit.checkpoints import Checkpoint
    from deepkit.finetune.checks import check_settings

    check_settings(engine="numpy", checkpoint=Checkpoint.open(None, {}))  # no folder: fine
    with pytest.raises(InputError, match="a checkpoint folder saves Keras training"):
        check_settings(engine="numpy", checkpoint=Checkpoint.open(tmp_path / "run", {}))
