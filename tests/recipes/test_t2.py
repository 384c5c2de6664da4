"""Tutorial T2 reproduced on the NumPy reference (scikit-learn's digits): small real runs."""

import math
import re

import numpy as np
import pytest

from deepkit.recipes import t2


def test_t2_initialization_range_is_sqrt6_done_right():
    assert t2.epsilon(64, 25) == pytest.approx(math.sqrt(6 / 89))
    model = t2.t2_network(learning_rate=0.1, seed=3)
    hidden, output = model.layers
    assert np.abs(hidden.kernel).max() <= t2.epsilon(64, 25)
    assert np.abs(hidden.kernel).max() > 0.9 * t2.epsilon(64, 25)
    assert np.abs(output.kernel).max() <= t2.epsilon(25, 10)
    assert hidden.bias.std() > 0.5  # biases ~ Normal(0, 1), as T2


def test_t2_cost_is_the_tutorials_sum_over_classes():
    model = t2.t2_network(learning_rate=0.1, seed=0)
    rng = np.random.default_rng(0)
    x, targets = rng.random((7, 64)), np.eye(10)[rng.integers(0, 10, 7)]
    a = model.predict(x)
    cost = np.sum(-targets * np.log(a) - (1 - targets) * np.log(1 - a)) / len(x)
    assert t2.NUM_CLASSES * model.evaluate(x, targets, verbose=0) == pytest.approx(cost, rel=1e-9)


def test_t2_tutorial_count_rewards_saying_yes_to_every_class():
    targets = np.eye(10)[[0, 1, 2]]
    assert t2.tutorial_count(np.full((3, 10), 0.9), targets) == 1.0  # no classification at all
    assert t2.tutorial_count(np.full((3, 10), 0.1), targets) == 0.0


def test_t2_short_run_learns_and_faithful_settings_barely_move():
    result = t2.run(learning_rate=1.0, epochs=150, seed=0)
    faithful, sensible = result.runs
    assert (result.n_train, result.n_test) == (1437, 360)
    assert faithful.cost_before == sensible.cost_before  # same initial weights
    assert faithful.test_accuracy < 0.3
    assert sensible.cost_after < 0.5 * sensible.cost_before
    assert sensible.test_accuracy > 0.6  # chance is 0.1
    assert "held-out acc" in result.report()


def test_t2_shows_the_reference_progress_when_asked(capsys):
    t2.run(epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    t2.run(epochs=2, verbose=2)
    assert len(re.findall(r"Epoch \d+/\d+", capsys.readouterr().out)) == 20 + 2
