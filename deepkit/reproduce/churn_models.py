"""Measurement of the churn recipe's tabular networks against gradient boosting
(``churn-beyond``): every candidate's validation ROC AUC and the test ROC AUC of the chosen
nets, of HistGradientBoosting and of LightGBM, seeds 0-2.

Each function ``f(quick, path)`` returns ``results.figure`` dicts; see ``deepkit.reproduce``.
"""

from deepkit.reproduce.results import figure
from deepkit.reproduce.runs import command

SEEDS = (0, 1, 2)
GOAL_MARGIN = 0.003  # the goal: the chosen nets' mean test ROC AUC >= HistGradientBoosting's + this
QUICK = dict(max_epochs=2, carves=1, ensemble=2)  # and the first and last candidates only


def churn_beyond(quick, path):
    """Tabular nets (PLR/PLE embeddings, TabM-mini) chosen on validation carves vs gradient boosting.

    Args:
        quick: few epochs and two candidates: checks that the recipe runs; not comparable to a claim.
        path: unused (an MNIST ``.npz``).

    Returns:
        The figures, ``results.figure`` entries: one validation ROC AUC per candidate, then
        the test ROC AUC and accuracy of the chosen nets and of each boosting library.
    """
    from deepkit.recipes.churn import CANDIDATES, against_boosting, describe, settings_of

    options = {}
    if quick:
        names = (list(CANDIDATES)[0], list(CANDIDATES)[-1])
        options = dict(QUICK, candidates={name: CANDIDATES[name] for name in names})
    result = against_boosting(SEEDS, **options)
    common = dict(
        command=command("churn", against_boosting=True), seeds=SEEDS, seconds=result.seconds
    )
    carves = options.get("carves", 2)
    figures = [
        figure(
            f"validation ROC AUC, {name}",
            scores,
            what=f"{name}: {describe(settings_of(CANDIDATES[name]))}; mean of {carves} "
            "validation carves of each seed's training split (the test split unread)",
            **common,
        )
        for name, scores in result.validation.items()
    ]
    chosen = "; ".join(f"seed {s}: {c}" for s, c in zip(SEEDS, result.chosen))
    boosting = result.test.get("HistGradientBoosting")
    for row, aucs in result.test.items():
        is_net = row not in ("HistGradientBoosting", "LightGBM")
        what = (
            f"chosen on validation carves ({chosen}), {row}, each net stopped early on its own "
            "carve; 2,000 test customers read once after the choice"
            if is_net
            else f"{row} with the library's defaults (random_state = seed), same preprocessed rows"
        )
        claim = None
        if is_net and "mean of" in row:  # the seed ensemble
            goal = sum(boosting) / len(boosting) + GOAL_MARGIN
            claim = f"goal: >= HistGradientBoosting + {GOAL_MARGIN} = {goal:.4f}"
        figures.append(figure(f"test ROC AUC, {row}", aucs, what=what, claim=claim, **common))
        figures.append(figure(f"test accuracy, {row}", result.accuracy[row], what=what, **common))
    return figures
