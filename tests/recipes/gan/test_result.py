"""``GanResult``: its goals judged beside the Bernoulli baseline, and a report that names the
judging classifier and its accuracy with everything the run measured."""

import re

import numpy as np
import pytest

from deepkit.recipes.gan import BASELINE, FLOOR, GanResult
from deepkit.recipes.gan.measures import ceiling_name


def _measures(frechet, precision, recall, shares, accuracy=None):
    measures = {"frechet": frechet, "precision": precision, "recall": recall,
                "shares": np.array(shares), "entropy": 3.3}  # fmt: skip
    if accuracy is not None:
        measures["conditional_accuracy"] = accuracy
    return measures


def _result(**changes):
    even = [0.1] * 10
    quality = {
        FLOOR: _measures(2.0, 0.9, 0.9, even, accuracy=0.99),
        BASELINE: _measures(30.0, 0.8, 0.0, [0.0] * 9 + [1.0]),
        "GAN after 5 epochs": _measures(12.0, 0.75, 0.5, even, accuracy=0.98),
    }
    validation = {
        ceiling_name("validation"): _measures(2.5, 0.8, 0.8, even, accuracy=0.99),
        BASELINE: _measures(31.0, 0.7, 0.0, [0.0] * 9 + [1.0]),
        "base": _measures(14.0, 0.7, 0.4, even, accuracy=0.97),
        "mbstd+ema": _measures(11.0, 0.72, 0.45, even, accuracy=0.98),
    }
    fields = dict(
        arch="mlp", conditional=True, epochs=5, seconds=12.5, n_train=540, n_validation=60,
        quality=quality, validation=validation, chosen="mbstd+ema",
        variant_seconds={"base": 5.0, "mbstd+ema": 7.5},
        classifier="/home/me/.keras/deepkit/mnist_cnn-0123456789abcdef.keras",
        classifier_origin="cached", classifier_accuracy=0.9875,
        classifier_validation_accuracy=0.9833, classifier_test_images=100,
        history={"d_loss": [1.0, 0.9], "g_loss": [0.8, 0.7]},
        trend=[(2, {"frechet": 20.0, "precision": 0.5, "recall": 0.25})],
        gan=None, plots=["g/samples_epoch001.png", "g/samples_epoch005.png"], saved="g/model.keras",
    )  # fmt: skip
    return GanResult(**{**fields, **changes})


def test_goals_are_judged_for_the_gan_beside_the_bernoulli_baseline():
    goals = {goal: (value, met, baseline) for goal, value, met, baseline in _result().goals()}
    assert goals == {
        "Fréchet <= 2x floor": ("6.0x", False, "15.0x"),
        "precision >= 0.85": ("0.750", False, "0.800"),
        "recall >= 0.7": ("0.500", False, "0.000"),
        "conditional accuracy >= 97%": ("0.9800", True, "n/a"),
    }
    unconditional = _result(conditional=False).goals()
    goals = {goal: (value, met, baseline) for goal, value, met, baseline in unconditional}
    assert goals == {
        "Fréchet <= 10x floor": ("6.0x", True, "15.0x"),
        "precision >= 0.6": ("0.750", True, "0.800"),
        "recall >= 0.6": ("0.500", False, "0.000"),
        "every digit 7-13%": ("10.0-10.0%", True, "0.0-100.0%"),
    }


def test_the_gan_is_reported_against_the_real_vs_real_ceiling():
    result = _result()
    assert result.against_ceiling() == {
        "precision": pytest.approx(0.75 / 0.9),
        "recall": pytest.approx(0.5 / 0.9),
    }
    assert "precision 0.833, recall 0.556 of the ceiling's" in result.report()


def test_the_report_names_the_judging_classifier_and_all_the_run_measured():
    report = _result().report()
    for line in (
        "GAN on MNIST (mlp, conditional)",
        "mlp GAN (conditional)",
        "540 / 60",
        "12.5 (base 5.0, mbstd+ema 7.5)",
        "0.9000 / 0.7000",
        "/home/me/.keras/deepkit/mnist_cnn-0123456789abcdef.keras (cached)",
        "0.9833 on 60 validation images, 0.9875 on 100 test images",
        "MNIST train vs validation",
        "GAN after 5 epochs",
        "recall >= 0.7: 0.500 (NOT met; Bernoulli baseline: 0.000)",
        "2: 20.000, 0.500, 0.250",
        "g/samples_epoch001.png ... g/samples_epoch005.png",
        "g/model.keras",
    ):
        assert line in report, line
    assert re.search(r"kept \(lowest validation Fréchet\) +mbstd\+ema\n", report)
