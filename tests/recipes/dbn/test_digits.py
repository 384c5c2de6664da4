"""scikit-learn's digits example, side by side with deepkit's RBM and DBN."""

from deepkit.recipes.dbn import digits_table, nudged_digits


def test_the_nudged_digits_are_the_examples_five_fold_set_in_0_1():
    x, y = nudged_digits()
    assert x.shape == (5 * 1797, 64) and y.shape == (5 * 1797,)
    assert x.min() == 0 and x.max() == 1
    assert (y[:1797] == y[1797 : 2 * 1797]).all()


def test_digits_table_has_the_four_classifiers():
    table = digits_table(dbn_sizes=(32,), dbn_pretrain_epochs=1, dbn_epochs=3, limit=400)
    assert list(table) == [
        "scikit-learn BernoulliRBM + LR",
        "LR on raw pixels",
        "deepkit RBM (PCD) + LR",
        "deepkit DBN 64-32-10",
    ]
    assert all(accuracy > 0.3 for accuracy in table.values())  # chance: about 0.1
