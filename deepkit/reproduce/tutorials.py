"""Measurements of the tutorials' own recipes: T3's churn net (``churn``), ``t1``, ``t2``, ``t3``.

Each function ``f(quick, path)`` returns ``results.figure`` dicts; see ``deepkit.reproduce``.
"""

from deepkit.reproduce.results import figure
from deepkit.reproduce.runs import command, timed

SEEDS = (0, 1, 2)  # churn: mean and range over three seeds


def churn(quick, path):
    """T3's churn net (Keras and the NumPy reference) and the tuned config, seeds 0-2 each.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import churn

    figures = []
    runs = (
        (
            "tutorial",
            "keras",
            "T3's net 11-6-6-1, batch {batch}, {epochs} epochs, 2,000 test customers",
        ),
        ("tutorial", "numpy", "T3's net on the NumPy reference, batch {batch}, {epochs} epochs"),
        (
            "tuned",
            "keras",
            "tuned config: 64-32, dropout 0.4, batch {batch}, up to {epochs} epochs, early stopping "
            "on a validation split carved from the training split (chosen on validation splits)",
        ),
    )
    for config, engine, what in runs:
        epochs = (2 if config == "tutorial" else 3) if quick else None  # None: the config's
        results, seconds = timed(churn.run, SEEDS, config=config, engine=engine, epochs=epochs)
        defaults = {"config": "tutorial", "engine": "keras"}  # left out of the command
        shown = {k: None if defaults[k] == v else v for k, v in zip(defaults, (config, engine))}
        cli = command("churn", **shown, epochs=epochs)
        what = what.format(batch=results[0].batch_size, epochs=results[0].epochs)
        common = dict(what=what, command=cli + " --seed S", seeds=SEEDS, seconds=seconds)
        tutorial_keras = config == "tutorial" and engine == "keras"
        claim = "accuracy 0.858 (T3, one unseeded split)" if tutorial_keras else None
        figures.append(
            figure("test accuracy", [r.accuracy for r in results], claim=claim, **common)
        )
        figures.append(figure("ROC AUC", [r.roc_auc for r in results], **common))
        if tutorial_keras:
            figures += [
                figure("always 'stays' baseline accuracy",
                       [r.baseline_accuracy for r in results], **common),
                figure("confusion matrix [[stays], [leaves]]",
                       results[0].confusion_matrix, claim="[[1541, 54], [230, 175]]", fmt=None,
                       **{**common, "seeds": SEEDS[:1], "command": cli}),
                figure("p(T3's new customer leaves)",
                       [r.customer_probability for r in results], **common),
            ]  # fmt: skip
    return figures


def t1(quick, path, split="tutorial"):
    """T1's 784-32-10 net, per-sample SGD on the NumPy reference: test accuracy after 5 and 50 epochs.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).
        split: T1's own "tutorial" split of the training images, or the "full" 60,000 / 10,000.

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import t1

    epochs, shown = (2, (1, 2)) if quick else (50, (5, 50))
    options = dict(split=split, epochs=epochs, n_samples=500 if quick else None)
    if quick and split == "full":  # a quick run of the full split is the tutorial split's
        return []
    (result,), seconds = timed(t1.run, (0,), path, **{k: v for k, v in options.items() if v})
    data = f"{result.n_train:,} train / {result.n_test:,} test binarized images"
    what = f"784-32-10, per-sample SGD lr 0.05, T1's bugs fixed, NumPy reference; {data}"
    common = dict(
        what=what,
        command=command("t1", **{**options, "split": None if split == "tutorial" else split}),
        seeds=(0,),
        seconds=seconds,
    )
    figures = [
        figure(
            f"test accuracy after {epoch} epochs",
            result.test_accuracy[epoch - 1],
            claim=t1.CLAIM if epoch == 50 and split == "tutorial" else None,
            fmt="{:.2%}",
            **common,
        )
        for epoch in shown
    ]
    figures.append(
        figure("training accuracy, last epoch", result.history["accuracy"][-1], fmt="{:.2%}",
               **common)
    )  # fmt: skip
    return figures


def t1_full(quick, path):
    """T1's network and settings on the full 60,000 / 10,000 split.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return t1(quick, path, split="full")


def t2(quick, path):
    """T2's 64-25-10 sigmoid net on scikit-learn's digits: its own setting and a sensible one.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import t2

    options = dict(epochs=100) if quick else {}
    (result,), seconds = timed(t2.run, (0,), **options)
    common = dict(command=command("t2", **options), seeds=(0,), seconds=seconds, fmt="{:.2%}")
    faithful, sensible = result.runs
    what = "64-25-10 sigmoid, full-batch GD, scikit-learn digits (20% held out)"
    return [
        figure("held-out accuracy", faithful.test_accuracy, claim=t2.CLAIM,
               what=f"{what}, T2's lr {faithful.learning_rate} and {faithful.epochs} epochs",
               **common),
        figure("T2's own count, training data", faithful.tutorial_count, claim=t2.CLAIM,
               what=f"{what}, T2's setting", **common),
        figure("held-out accuracy", sensible.test_accuracy,
               what=f"{what}, lr {sensible.learning_rate}, {sensible.epochs} epochs (not tuned)",
               **common),
        figure("training accuracy", sensible.train_accuracy,
               what=f"{what}, lr {sensible.learning_rate}, {sensible.epochs} epochs", **common),
    ]  # fmt: skip


def t3(quick, path):
    """T3's toy nets with hand-set weights and its computational graph, NumPy reference and Keras.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import t3

    (result,), seconds = timed(t3.run, (0,))
    figures = []
    for example, expected, reference, keras_value in result.rows:
        broken = "tanh" in example  # T3's tanh code does not run; the value is computed
        figures.append(
            figure(
                example,
                {"NumPy reference": reference, "Keras": keras_value},
                claim=None if broken else f"{expected:g}",
                what="hand-set weights"
                + (f"; 2 tanh(3) - tanh(9) = {expected:.5f}" if broken else ""),
                command=command("t3"),
                seeds=(0,),
                seconds=seconds,
                fmt="{:.5g}",
            )
        )
    return figures
