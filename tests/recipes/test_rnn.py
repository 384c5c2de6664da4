"""Tiny runs of the rnn recipe on the committed MNIST subset (3,000 + 1,000 images).

Each accuracy is compared with the trivial baseline measured on the same split:
always predicting the most frequent training digit.
"""

from pathlib import Path

import numpy as np
import pytest

from deepkit.recipes import rnn
from deepkit.recipes.mnist_classifier import load

SUBSET = Path(__file__).parents[1] / "data" / "mnist_subset.npz"


def majority_baseline(limit):
    """Test accuracy of always predicting the most frequent training label."""
    (_, y_train), (_, y_test) = load(limit, SUBSET)
    return float(np.mean(y_test == np.bincount(y_train).argmax()))


def check_consistent(result):
    matrix = result.confusion_matrix
    assert matrix.shape == (10, 10) and matrix.sum() == result.n_test
    assert np.isclose(result.accuracy, np.trace(matrix) / result.n_test)
    assert "test accuracy" in result.report() and "s/epoch" in result.report()


def test_keras_gru_beats_the_majority_baseline():
    result = rnn.run(
        cell="gru",
        units=32,
        limit=900,
        epochs=3,
        batch_size=16,
        validation_split=0.0,
        path=SUBSET,
        seed=0,
    )
    check_consistent(result)
    assert result.n_train == 900 and result.n_test == 150 and result.epochs == 3
    assert result.accuracy > majority_baseline(900) + 0.15


def test_numpy_reference_lstm_learns():
    result = rnn.run(
        cell="lstm",
        units=16,
        engine="numpy",
        limit=900,
        epochs=3,
        batch_size=16,
        validation_split=0.0,
        path=SUBSET,
        seed=0,
    )
    check_consistent(result)
    assert type(result.model).__module__.startswith("deepkit.reference")
    assert result.accuracy > majority_baseline(900) + 0.08


def test_shifted_rows_train_on_the_numpy_reference():
    result = rnn.run(
        cell="gru", units=16, engine="numpy", shift=0.1, limit=900, epochs=3, batch_size=16,
        validation_split=0.0, path=SUBSET, seed=0,
    )  # fmt: skip
    check_consistent(result)
    assert "shift 0.1" in result.network
    assert [type(layer).__name__ for layer in result.model.layers][:3] == [
        "Reshape", "RandomTranslation", "Reshape",
    ]  # fmt: skip
    assert result.accuracy > majority_baseline(900) + 0.08


def test_the_test_images_are_read_once_after_training_on_the_training_split(monkeypatch):
    """The shifted and unshifted runs are compared on the validation split carved inside
    fit; the test images reach the model once, after training."""
    from deepkit.recipes import mnist_classifier

    events, fit, evaluate = [], mnist_classifier.fit, mnist_classifier.evaluate

    def spied_fit(model, x, y, settings, **kwargs):
        events.append(("fit", len(x), settings.validation_split))
        return fit(model, x, y, settings, **kwargs)

    def spied_evaluate(model, x, y):
        events.append(("evaluate", len(x)))
        return evaluate(model, x, y)

    monkeypatch.setattr(mnist_classifier, "fit", spied_fit)
    monkeypatch.setattr(mnist_classifier, "evaluate", spied_evaluate)
    result = rnn.run(cell="gru", units=8, shift=0.1, limit=600, epochs=1, path=SUBSET, seed=0)
    assert events == [("fit", 600, 0.1), ("evaluate", 100)]
    assert len(result.history["val_accuracy"]) == 1  # the validation carve was scored


def test_a_cosine_schedule_decays_to_zero_on_the_last_step_of_the_last_epoch():
    # 900 images, 10% carved for validation: 810 fitted, ceil(810 / 64) = 13 steps an epoch.
    result = rnn.run(
        units=8, limit=900, epochs=2, batch_size=64, patience=0, path=SUBSET,
        schedule="cosine", learning_rate=0.01, clipnorm=1.0,
    )  # fmt: skip
    optimizer = result.model.optimizer
    assert int(optimizer.iterations) == 2 * 13 == optimizer._learning_rate.decay_steps
    assert float(optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)
    assert optimizer.clipnorm == 1.0
    assert result.validation_accuracy[1] >= result.validation_accuracy[0] > 0


def test_sequences_are_rows_or_pixels():
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    rows, pixels = rnn.sequences(images), rnn.sequences(images, pixels=True)
    assert rows.shape == (2, 28, 28) and pixels.shape == (2, 784, 1)
    np.testing.assert_array_equal(pixels[:, :, 0], rows.reshape(2, 784))
    assert rows.dtype == np.float32 and rows.max() <= 1.0
    assert rnn.build_model("simple", 8, pixels=True).input_shape == (None, 784, 1)
    with pytest.raises(ValueError, match=r"must have shape \(n, 28, 28\), got \(2, 784\)"):
        rnn.sequences(images.reshape(2, 784))


def never_load(path=None):
    raise AssertionError("MNIST was loaded before the arguments were checked")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cell": "rnn"}, "cell must be one of lstm, gru, simple, got 'rnn'"),
        ({"engine": "torch"}, "engine must be one of keras, numpy, got 'torch'"),
        ({"epochs": 0}, "epochs must be an int >= 1, got 0"),
        ({"units": 0}, "units must be an int >= 1"),
        ({"dropout": 1.5}, r"dropout must be a number >= 0.0 and < 1.0, got 1.5"),
        ({"limit": 10}, "limit must be an int >= 60"),
        ({"schedule": "step"}, "schedule must be one of constant, cosine, got 'step'"),
        ({"clipnorm": -1.0}, "clipnorm must be a number >= 0.0"),
        ({"shift": 0.1, "pixels": True}, "with pixels=True it reads a 784-pixel line"),
    ],
)
def test_bad_options_fail_before_mnist_is_loaded(monkeypatch, kwargs, message):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=message):
        rnn.run(**kwargs)
