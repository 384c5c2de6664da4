"""The DBN's settings: each declared once, checked before MNIST loads, offered on the
command line (the hidden sizes and fine-tuning rates as lists), absurd learning rates
refused."""

import argparse

import pytest

from deepkit import cli
from deepkit.recipes import dbn


def never_load(*args):
    raise AssertionError("MNIST was loaded before the settings were checked")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"pretrain_epochs": 0}, "pretrain_epochs must be an int >= 1, got 0"),
        ({"labels": 0}, "labels must be an int >= 1, got 0"),
        ({"sizes": ()}, "sizes must list at least one value"),
        ({"sizes": (500, 0)}, "sizes must be an int >= 1, got 0"),
        ({"sizes": 500}, "sizes must be a list of values, got 500"),
        ({"ais_runs": -1}, "ais_runs must be an int >= 0"),
        ({"ais_runs": 1}, r"ais_runs must be 0 \(no log-likelihood\) or >= 2, got 1"),
        ({"finetune_learning_rates": ()}, "finetune_learning_rates must list at least one"),
        ({"learning_rate": -0.1}, "learning_rate must be a number > 0.0 and <= 10.0"),
        ({"learning_rate": 1e6}, r"learning_rate must be .* <= 10.0, got 1000000.0"),
        ({"finetune_learning_rates": (0.1, 0)}, "finetune_learning_rates must be a number > 0"),
        ({"finetune_learning_rates": (0.1, 50)}, r"finetune_learning_rates .* got 50.0"),
        ({"validation_split": 1.0}, "validation_split must be a number > 0.0 and < 1.0"),
        ({"seed": -1}, "seed must be an int >= 0"),
        ({"seed": 2**32 - 1, "sizes": (8, 8)}, "seed must be <= 4294967294 for 2 RBMs"),
        ({"limit": 10}, "limit must be an int >= 60"),
        ({"epochs": 3}, "Settings has no setting 'epochs'"),
    ],
)
def test_bad_settings_fail_before_mnist_is_loaded(monkeypatch, overrides, message):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    with pytest.raises(ValueError, match=message):
        dbn.run(**overrides)


@pytest.mark.parametrize("name", ["plot", "checkpoint_dir"])
def test_a_folder_that_is_a_file_fails_before_mnist_is_loaded(monkeypatch, tmp_path, name):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    (tmp_path / "taken").write_text("")
    with pytest.raises(ValueError, match=f"{name}: .*taken cannot be a folder"):
        dbn.run(**{name: str(tmp_path / "taken")})


def test_the_command_line_is_generated_from_the_settings():
    parser = argparse.ArgumentParser()
    dbn.Settings.add_arguments(parser)
    args = parser.parse_args(
        ["--sizes", "64", "32", "--finetune-learning-rates", "3", "--no-digits", "--limit", "600"]
    )
    assert dbn.Settings.from_args(args) == dbn.Settings(
        sizes=(64, 32), finetune_learning_rates=(3.0,), digits=False, limit=600
    )
    assert dbn.Settings.from_args(parser.parse_args([])) == dbn.Settings()
    assert "--ais-betas" in parser.format_help() and "default: (500, 500, 2000)" in (
        " ".join(parser.format_help().split())
    )


def test_deepkit_run_dbn_refuses_an_absurd_learning_rate(monkeypatch, capsys):
    monkeypatch.setattr("deepkit.datasets.load_mnist", never_load)
    assert cli.main(["run", "dbn", "--learning-rate", "1e6"]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error == (
        "deepkit: error: learning_rate must be a number > 0.0 and <= 10.0, got 1000000.0"
    )


def test_overrides_keep_working_as_keywords_and_settings_are_frozen():
    settings = dbn.Settings.resolve(None, {"sizes": [64, 32], "labels": 200})
    assert settings.sizes == (64, 32) and settings.labels == 200
    assert settings.replace(seed=3).record()["seed"] == 3
    with pytest.raises(AttributeError):
        settings.labels = 3
