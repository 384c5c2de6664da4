"""The churn recipe's steps (``deepkit.recipes.churn.steps``): a split that leaves a class out
is refused, no NaN figure ever, and ``build`` checks its seed as ``run`` does."""

import re

import numpy as np
import pandas as pd
import pytest

from deepkit.recipes import churn
from deepkit.validation import InputError


def test_a_split_that_leaves_a_class_out_of_the_test_split_is_refused(table):
    # 200 customers of whom one leaves: some seed puts that one customer in the training split
    frame = table[table["Exited"] == 0].head(199)
    frame = pd.concat([frame, table[table["Exited"] == 1].head(1)])
    with pytest.raises(InputError, match="leaves no customer who leaves in the test split"):
        for seed in range(20):
            churn.split(frame, 0.2, seed)


def test_no_nan_figure_ever():
    with pytest.raises(
        InputError, match="not finite.*training diverged; try a lower learning rate"
    ):
        churn.classification_metrics(np.array([0.0, 1.0]), np.array([0.2, np.nan]))
    with pytest.raises(InputError, match="ROC AUC needs customers of both classes"):
        churn.classification_metrics(np.zeros(5), np.linspace(0.1, 0.9, 5))


def test_build_validates_seed_as_run_does():
    for seed in (-1, "0", 2.0):  # 3 cases
        with pytest.raises(
            InputError, match=re.escape(f"seed must be an int >= 0 and <= 4294967295, got {seed!r}")
        ):
            churn.build("tutorial", seed=seed)
    assert churn.build("tutorial", seed=np.int64(3)).count_params() == 121
