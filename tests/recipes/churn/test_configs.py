"""The churn net's configurations (``deepkit.recipes.churn.configs``): incomplete or unknown
keys are named, and a grid point's settings halve the width per layer."""

import re

import pytest

from deepkit.recipes.churn import configs
from deepkit.validation import InputError


def test_incomplete_or_unknown_config_keys_are_named():
    tutorial = configs.CONFIGS["tutorial"]
    incomplete = {k: v for k, v in tutorial.items() if k not in ("dropout", "patience")}
    with pytest.raises(InputError, match="config is missing the keys dropout, patience"):
        configs.settings_of(incomplete)
    with pytest.raises(InputError, match="config has unknown keys dropuot"):
        configs.settings_of({**tutorial, "dropuot": 0.1})
    with pytest.raises(InputError, match=re.escape("got 'tunned'")):
        configs.settings_of("tunned")
    with pytest.raises(InputError, match=re.escape("got ['tuned']")):
        configs.settings_of(["tuned"])
    without_l2 = {k: v for k, v in tutorial.items() if k != "l2"}
    defaults = configs.OPTIONAL_KEYS  # l2 and the tabular keys
    assert configs.settings_of(without_l2, epochs=3) == {**defaults, **tutorial, "epochs": 3}


def test_grid_point_settings_halve_the_width_per_layer():
    point = {"depth": 3, "units": 16, "dropout": 0.2, "learning_rate": 0.01, "batch_size": 64}
    settings = configs.tuned_settings({**point, "l2": 1e-4})
    assert settings["units"] == (16, 8, 4, 1)
    assert configs.tuned_settings({**point, "units": 32, "l2": 0.0})["units"] == (32, 16, 8, 1)
    assert (settings["dropout"], settings["learning_rate"], settings["batch_size"]) == (
        0.2,
        0.01,
        64,
    )
    assert settings["l2"] == 1e-4
    assert configs.settings_of(settings) == {**configs.OPTIONAL_KEYS, **settings}
