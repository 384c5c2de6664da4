"""Tiny runs of the dbn recipe on the committed MNIST subset and a slice of the
nudged digits; accuracies are compared with baselines measured in the same test."""

from pathlib import Path

import numpy as np
import pytest

from deepkit.models.dbn import pretrain
from deepkit.recipes import dbn, dbn_digits
from deepkit.recipes.mnist_steps import load

SUBSET = Path(__file__).parents[1] / "data" / "mnist_subset.npz"


def test_small_dbn_beats_the_majority_baseline_and_reports(tmp_path):
    result = dbn.run(
        sizes=(64, 32),
        pretrain_epochs=2,
        finetune_epochs=4,
        batch_size=50,
        labels=200,
        ais_runs=10,
        ais_betas=200,
        digits=False,
        limit=1200,
        path=SUBSET,
        plot=tmp_path,
    )
    (_, y_train), (_, y_test) = load(1200, SUBSET)
    majority_error = float(np.mean(y_test != np.bincount(y_train).argmax()))
    assert result.errors["pretrained"] < majority_error - 0.3
    assert set(result.errors) == set(result.low_label_errors) == {"pretrained", "random init"}
    # log p(v) of a 784-pixel binary image: negative, above the uniform model's -784 log 2
    assert -784 * np.log(2) < result.log_likelihood < 0 and result.log_likelihood_stderr > 0
    report = result.report()
    for line in ("test error, all labels, pretrained", "200 labels, random init", "AIS", "(lr "):
        assert line in report
    assert [Path(p).name for p in result.plots] == ["rbm_filters.png", "rbm_samples.png"]
    assert all(Path(p).stat().st_size > 0 for p in result.plots)


def test_each_init_keeps_the_learning_rate_best_on_validation():
    (x, y), (x_test, y_test) = load(600, SUBSET)
    x, x_test = x.reshape(len(x), -1) / 255.0, x_test.reshape(len(x_test), -1) / 255.0
    rbms = pretrain(x[:500].astype("float32"), (32,), epochs=1, batch_size=50)
    data = ((x[:500], y[:500]), (x[500:], y[500:]), (x_test, y_test))
    errors, rates, histories, _ = dbn.compare_inits(
        rbms,
        (32,),
        data,
        learning_rates=(1e-7, 0.3),
        seed=0,
        epochs=3,
        batch_size=50,
        patience=3,
        verbose=0,
    )
    # 1e-7 cannot move the weights in 3 epochs; the validation split must say so
    assert rates == {"pretrained": 0.3, "random init": 0.3}
    chance = 1 - np.bincount(y_test).max() / len(y_test)
    assert errors["pretrained"] < chance - 0.2 and set(histories) == set(rates)


def test_digits_table_has_the_four_classifiers():
    table = dbn_digits.digits_table(dbn_sizes=(32,), dbn_pretrain_epochs=1, dbn_epochs=3, limit=400)
    assert len(table) == 4 and list(table)[:2] == [
        "scikit-learn BernoulliRBM + LR",
        "LR on raw pixels",
    ]
    assert all(accuracy > 0.3 for accuracy in table.values())  # chance: about 0.1


def never_load(path=None):
    raise AssertionError("MNIST was loaded before the arguments were checked")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"pretrain_epochs": 0}, "pretrain_epochs must be an int >= 1, got 0"),
        ({"labels": 0}, "labels must be an int >= 1, got 0"),
        ({"sizes": ()}, "at least one"),
        ({"sizes": (500, 0)}, "hidden layer size must be an int >= 1, got 0"),
        ({"ais_runs": -1}, "ais_runs must be an int >= 0"),
        ({"finetune_learning_rates": ()}, "at least one learning rate"),
        ({"learning_rate": -0.1}, "learning_rate must be a number > 0"),
        ({"validation_split": 1.0}, "validation_split must be a number > 0 and < 1"),
        ({"seed": -1}, "seed must be an int >= 0"),
        ({"finetune_learning_rates": (0.1, 0)}, "fine-tuning learning rate must be a number > 0"),
    ],
)
def test_bad_options_fail_before_mnist_is_loaded(monkeypatch, kwargs, message):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=message):
        dbn.run(**kwargs)


@pytest.mark.parametrize("argument", ["plot", "checkpoint_dir"])
def test_a_folder_that_is_a_file_fails_before_mnist_is_loaded(monkeypatch, tmp_path, argument):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    (tmp_path / "taken").write_text("")
    with pytest.raises(ValueError, match=f"{argument}: .*taken cannot be a folder"):
        dbn.run(**{argument: tmp_path / "taken"})
