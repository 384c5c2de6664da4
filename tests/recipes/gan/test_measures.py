"""The sample measures: every set against the same held-out real images, the ceiling
training images against them; the GAN's samples mapped from tanh's range and asked for each
digit in turn; the logs' flat numbers."""

import keras
import numpy as np
import pytest
from mnist_recipe_checks import SUBSET

from deepkit.recipes.gan.measures import BASELINE, FLOOR, SampleMeasures, as_logs
from deepkit.recipes.mnist_classifier import load


class _Replay:
    """A stand-in GAN whose samples are given images, in tanh's range."""

    def __init__(self, images):
        self.images, self.asked = images, []

    def generate(self, n, labels=None, seed=None):
        self.asked.append((n, None if labels is None else list(labels[:12]), seed))
        return self.images[:n].reshape(n, -1) / 127.5 - 1.0


def test_real_digits_measure_closer_than_bernoulli_noise_and_replayed_ones_as_real():
    (x_train, y_train), (x_test, _) = load(600, str(SUBSET))
    # The features measured are the means of 7x7 blocks of pixels (16 numbers per image).
    judge = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.AveragePooling2D(7),
            keras.layers.Flatten(),
            keras.layers.Dense(10, "softmax"),
        ]
    )
    measures = SampleMeasures(judge, x_test, "test", 60, conditional=True, seed=0)
    rows = measures.references(x_train, y_train)
    assert list(rows) == [FLOOR, BASELINE] == ["MNIST train vs test", BASELINE]
    assert rows[FLOOR]["frechet"] < rows[BASELINE]["frechet"]
    # The ceiling's images are 60 training images drawn with the seed, with their labels.
    drawn = np.random.default_rng(0).permutation(len(x_train))[:60]
    again = measures.quality.measure(x_train[drawn] / 255, y_train[drawn])
    assert rows[FLOOR]["frechet"] == again["frechet"]
    assert rows[FLOOR]["conditional_accuracy"] == again["conditional_accuracy"]
    # The reals are the first 60 held-out images: replayed, they measure as themselves.
    replay = _Replay(x_test[:60])
    same = measures.of(replay)
    assert same["frechet"] == pytest.approx(0.0, abs=1e-3) and same["recall"] == 1.0
    assert replay.asked == [(60, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1], 1)]
    assert not measures.of(_Replay(x_train[:60]))["frechet"] == pytest.approx(0.0, abs=1e-3)


def test_logs_keep_the_digit_shares_as_their_least_and_most():
    measures = {"frechet": 2.0, "recall": 0.5, "shares": np.array([0.25, 0.7, 0.05])}
    assert as_logs(measures) == {"frechet": 2.0, "recall": 0.5, "min_share": 0.05, "max_share": 0.7}
