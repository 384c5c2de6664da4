"""Fine-tuning: each init keeps the candidate learning rate best on the validation split."""

import numpy as np
from mnist_recipe_checks import SUBSET

from deepkit.models.dbn import pretrain
from deepkit.recipes.dbn import compare_inits
from deepkit.recipes.mnist_classifier import load, prepare


def test_each_init_keeps_the_learning_rate_best_on_validation():
    (x, y), (x_test, y_test) = load(600, SUBSET)
    x, x_test = prepare(x, flat=True), prepare(x_test, flat=True)
    rbms = pretrain(x[:500], (32,), epochs=1, batch_size=50)
    data = ((x[:500], y[:500]), (x[500:], y[500:]), (x_test, y_test))
    errors, rates, histories, _ = compare_inits(
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
