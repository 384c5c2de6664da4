"""Measurements of T3's other families: ``timeseries``, ``dbn``, ``gan`` (and ``gan-unconditional``,
``gan-dcgan``).

Each function ``f(quick, path)`` returns ``results.figure`` dicts; see ``deepkit.reproduce``.
"""

from deepkit.reproduce.results import figure
from deepkit.reproduce.runs import command, timed


def timeseries(quick, path):
    """Mauna Loa CO2 from rolling origins: classical rows, the LSTM and the hybrid network.

    Each row's figure is its mean validation MAE, mean test MAE and mean test RMSE over the
    origins; the hybrid's search adds every configuration's mean validation MAE.

    Args:
        quick: few epochs and seeds: checks that the recipe runs; not comparable to a claim.
        path: unused (the series ships inside statsmodels).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import timeseries

    options = dict(epochs=5, hybrid_epochs=(5,), dropouts=(0.0,), ensemble=2) if quick else {}
    (result,), seconds = timed(timeseries.run, (0,), **options)
    what = (
        f"{result.series}, {result.n} months: {result.horizon} forecast from each of "
        f"{len(result.test_origins)} test origins (the last "
        f"{len(result.test_origins) * result.horizon}), every choice on "
        f"{len(result.validation_origins)} validation origins before them"
    )
    common = dict(
        command=command("timeseries", **options), seeds=(0,), seconds=seconds, fmt="{:.3f}"
    )
    best = result.best_classical()
    goal = f"goal: test MAE <= the best classical row's ({best}, {result.errors[best][0]:.3f})"
    details = {
        name: f"; LSTM epochs per test origin {result.epochs}"
        if name == timeseries.LSTM_ROW
        else f"; chosen on validation: {result.chosen}"
        for name in result.networks()
    }
    figures = [
        figure(
            f"validation MAE / test MAE / test RMSE, {name}",
            [result.mean_validation(name), mae, rmse],
            claim=goal if name in details else None,
            what=what + details.get(name, ""),
            **common,
        )
        for name, (mae, rmse) in result.errors.items()
    ]
    figures.append(
        figure(
            "hybrid search: mean validation MAE per configuration",
            {config: result.mean_validation(config, search=True) for config in result.search},
            what=what,
            **common,
        )
    )
    return figures


def dbn(quick, path):
    """784-500-500-2000-10 DBN: greedy CD-1 RBMs, fine-tuned; random init; AIS; sklearn digits.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import dbn

    small = dict(sizes=(32, 32, 64), pretrain_epochs=1, finetune_epochs=1, labels=100, ais_runs=4,
                 ais_betas=100, limit=600)  # fmt: skip
    options = {**small, "digits": False} if quick else {}
    (result,), seconds = timed(dbn.run, (0,), path, **options)
    s = dbn.Settings(**options)
    cli = command("dbn", **{**options, "digits": None, "no_digits": quick})
    common = dict(command=cli, seeds=(0,), seconds=seconds)
    net = "-".join(map(str, result.sizes))
    claims = {"pretrained": "Hinton & Salakhutdinov 2006: 1.2%"}
    figures = []
    refit = (f", then trained again for that many epochs on all {result.n_train:,} labelled "
             "images") if s.refit else ""  # fmt: skip
    decay = f", rate x {s.finetune_decay:g} per epoch" if s.finetune_decay != 1 else ""
    for regime, errors, then in (
        ("all labels", result.errors, refit),
        (f"{result.labels} labels", result.low_label_errors, ""),
    ):
        for init, error in errors.items():
            figures.append(
                figure(f"test error, {init}, {regime}", error, fmt="{:.2%}",
                       claim=claims.get(init) if regime == "all labels" else None,
                       what=f"{net}, {result.n_train:,} training images: RBMs pretrained "
                       f"greedily (CD-1, {s.pretrain_epochs} epochs each), fine-tuned by "
                       f"backprop (SGD, momentum 0.9{decay}, at most {s.finetune_epochs} epochs, "
                       f"early stopping with patience {s.patience}), learning rate and epochs "
                       f"chosen per init on a validation split{then}", **common)
            )  # fmt: skip
    if result.log_likelihood is not None:
        figures.append(
            figure("RBM 1 test log-likelihood (nats)", result.log_likelihood, fmt="{:.2f}",
                   claim="not comparable: Salakhutdinov & Murray 2008's -125.5 (CD-1) scores "
                   "stochastically binarized images (the rbm row)",
                   what=f"first RBM (trained on grey levels), test images thresholded at 0.5, "
                   f"log Z by AIS = {result.log_z:.2f} +- {result.log_likelihood_stderr:.2f}",
                   **common)
        )  # fmt: skip
    sklearn_claims = {
        "scikit-learn BernoulliRBM + LR": "about 0.94",
        "LR on raw pixels": "about 0.78",
    }
    for name, accuracy in result.digits.items():
        figures.append(
            figure(f"digits test accuracy, {name}", accuracy, claim=sklearn_claims.get(name),
                   what="scikit-learn digits, its 'RBM features' pipeline's splits (20% test)",
                   **common)
        )  # fmt: skip
    return figures


# The variants each full-size GAN measurement compares on validation: the levers against
# mode collapse added one at a time, D's own learning rate first (of the three alone, the
# one that did most on validation in 20-epoch trials), then the moving average, then the
# minibatch feature.
GAN_VARIANTS = ("base", "ttur", "ema+ttur", "mbstd+ema+ttur")
# Both MLP GANs' budget, one for the two: the validation measures of the unconditional
# GAN's kept variant still improve up to it (``deepkit run gan --measure-every 10``).
MLP_GAN_EPOCHS = 80
# The DCGAN's epochs, stated in its rows: its convolutions cost far more per epoch than the MLP.
DCGAN_EPOCHS = 15


def gan(quick, path, conditional=True, arch="mlp"):
    """The conditional MLP GAN, ``MLP_GAN_EPOCHS`` epochs: variants compared on validation,
    the kept one's samples measured once on the test images, in the features of an MNIST CNN.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).
        conditional: the conditional GAN, else the unconditional one.
        arch: the pair of networks, "mlp" (the variants compared) or "dcgan" (keras.io's
            convolutional pair as it is, ``DCGAN_EPOCHS`` epochs: one variant, nothing chosen).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import gan
    from deepkit.recipes.gan.measures import ceiling_name
    from deepkit.recipes.gan.result import GOALS

    if arch == "dcgan":
        options = dict(arch=arch, conditional=conditional, epochs=DCGAN_EPOCHS)
    else:
        options = dict(conditional=conditional, epochs=MLP_GAN_EPOCHS, variants=GAN_VARIANTS)
    if quick:  # a one-epoch classifier judges nothing: quick runs only check the recipe runs
        options.update(epochs=1, limit=1200, samples=300, classifier_epochs=1,
                       min_classifier_accuracy=0.0)  # fmt: skip
    (result,), seconds = timed(gan.run, (0,), path, **options)
    final, ceiling = result.quality[result.final_row], result.quality[gan.FLOOR]
    network = "DCGAN" if arch == "dcgan" else "MLP GAN"
    what = (
        f"{'conditional ' if conditional else ''}{network}, {result.epochs} epochs on "
        f"{result.n_train:,} training images; the variant of the lowest Fréchet distance on "
        f"{result.n_validation:,} validation images kept ({result.chosen}), its samples then "
        "measured once against the test images in an MNIST CNN's features"
    )
    hidden = ("classifier_epochs", "min_classifier_accuracy")
    shown = {k: v for k, v in options.items() if k not in hidden}
    common = dict(what=what, command=command("gan", **shown), seeds=(0,), seconds=seconds)
    goal = GOALS[conditional]
    validation_ceiling = result.validation[ceiling_name("validation")]
    figures = [
        figure(f"validation Fréchet / floor, precision, recall, {variant}",
               [result.validation[variant]["frechet"] / validation_ceiling["frechet"],
                result.validation[variant]["precision"], result.validation[variant]["recall"]],
               fmt="{:.3f}", **{**common, "seconds": result.variant_seconds[variant]})
        for variant in result.variant_seconds
    ]  # fmt: skip
    figures += [
        figure("validation real-vs-real precision, recall (training vs validation images)",
               [validation_ceiling["precision"], validation_ceiling["recall"]], fmt="{:.3f}",
               **common),
        figure("real-vs-real precision, recall (training vs test images)",
               [ceiling["precision"], ceiling["recall"]], fmt="{:.3f}", **common),
        figure("Fréchet distance", final["frechet"], fmt="{:.2f}", **common),
        figure("Fréchet / train-vs-test floor", final["frechet"] / ceiling["frechet"],
               fmt="{:.1f}x", claim=f"goal: within {goal['frechet_x_floor']:g}x of the floor",
               **common),
        figure("precision", final["precision"], claim=f"goal: >= {goal['precision']:g}",
               fmt="{:.3f}", **common),
        figure("recall", final["recall"], claim=f"goal: >= {goal['recall']:g}", fmt="{:.3f}",
               **common),
        figure("precision, recall as shares of the real-vs-real ceiling",
               list(result.against_ceiling().values()), fmt="{:.3f}", **common),
        figure("least and most frequent digit share", [final["shares"].min(), final["shares"].max()],
               claim=None if conditional else "goal: every digit 7-13%", fmt="{:.1%}", **common),
    ]  # fmt: skip
    if conditional:
        figures.append(
            figure("conditional accuracy", final["conditional_accuracy"], claim="goal: >= 97%",
                   **common)
        )  # fmt: skip
    return figures


def gan_unconditional(quick, path):
    """The unconditional MLP GAN, ``MLP_GAN_EPOCHS`` epochs: variants compared on validation,
    the kept one measured once on the test images.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return gan(quick, path, conditional=False)


def gan_dcgan(quick, path):
    """The unconditional DCGAN pair (keras.io's convolutional networks), ``DCGAN_EPOCHS``
    epochs, its samples measured once on the test images.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    return gan(quick, path, conditional=False, arch="dcgan")
