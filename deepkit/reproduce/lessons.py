"""Measurements of the lessons the tutorials teach: T3's vanishing and exploding gradients
(``gradient_flow``) and T1's Xavier initialisation against its original one (``t1_xavier``).

Each function ``f(quick, path)`` returns ``results.figure`` dicts; see ``deepkit.reproduce``.
"""

from deepkit.reproduce.results import figure
from deepkit.reproduce.runs import command, timed

SEEDS = (0, 1, 2)  # T1's two inits: mean and range over three seeds
# What T3 says of each variant of the gradient-flow recipe.
GRADIENT_CLAIMS = {
    "sigmoid-uniform": "T3: the gradient vanishes in the first layers of a deep net",
    "sigmoid-rbm": "T3: DBN pretraining, an answer to vanishing gradients",
    "sigmoid-large": "T3: ... or explodes",
}


def gradient_flow(quick, path):
    """T3's lesson: per-layer gradient norms of a deep net, at init and after SGD steps.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import gradient_flow

    small = dict(depth=4, width=64, steps=20, probe=200, pretrain_images=1000, limit=1200)
    options = small if quick else {}
    (result,), seconds = timed(gradient_flow.run, (0,), path, **options)
    net, layers = "-".join(map(str, result.sizes)), len(result.sizes) - 1
    after = f"after {result.steps} SGD steps"
    budget = (
        f"plain SGD lr {result.learning_rate:g}, batches of {result.batch_size}; gradients on "
        f"{result.probe:,} fixed MNIST training images"
    )
    common = dict(command=command("gradient_flow", **options), seeds=(0,), seconds=seconds)
    figures = []
    for flow in result.flows:
        what = f"{net} net, {flow.variant}: {flow.init}; {budget}"
        if flow.variant == "sigmoid-rbm":
            what += f"; RBMs {result.pretraining}"
        figures += [
            figure(f"||dL/dW_1|| / ||dL/dW_{layers}||",
                   {"at init": flow.ratio_initial, after: flow.ratio_trained},
                   claim=GRADIENT_CLAIMS.get(flow.variant), what=what, fmt="{:.2g}", **common),
            figure(f"||dL/dW_l||, l = 1..{layers}",
                   {"at init": flow.initial, after: flow.trained}, what=what, fmt="{:.1e}",
                   **common),
            figure(f"accuracy {after}", flow.validation_accuracy,
                   what=f"{what}; {result.n_validation:,} held-out training images",
                   fmt="{:.2%}", **common),
        ]  # fmt: skip
    figures.append(
        figure(
            "NumPy reference vs Keras: largest relative gap of the norms",
            max(flow.reference_difference for flow in result.flows),
            what=f"{net} net, every variant, both measurements, float32",
            fmt="{:.1e}",
            **common,
        )
    )
    return figures


def t1_xavier(quick, path):
    """T1's 784-32-10 net with its Normal(0, 0.1) weights and with its Xavier snippet's, seeds 0-2.

    Args:
        quick: few epochs and small data: checks that the recipe runs; not comparable to a claim.
        path: an MNIST ``.npz`` (default: Keras's cache).

    Returns:
        The figures, ``results.figure`` entries.
    """
    from deepkit.recipes import t1

    epochs, shown, seeds = (2, (1, 2), (0,)) if quick else (50, (5, 50), SEEDS)

    def per_seed(values):  # one seed: the value itself, not a list of one
        return values if len(seeds) > 1 else values[0]

    figures = []
    for init, words in t1.INITS.items():
        options = dict(init=init, epochs=epochs, n_samples=500 if quick else None)
        results, seconds = timed(t1.run, seeds, path, **{k: v for k, v in options.items() if v})
        first = results[0]
        what = (
            f"784-32-10, {words} weights, per-sample SGD lr 0.05, T1's bugs fixed, NumPy "
            f"reference; {first.n_train:,} train / {first.n_validation:,} validation / "
            f"{first.n_test:,} test binarized images"
        )
        # T1's own init is the default, left out of the command
        cli = command("t1", **{**options, "init": None if init == "tutorial" else init})
        common = dict(what=what, command=cli + (" --seed S" if len(seeds) > 1 else ""),
                      seeds=seeds, seconds=seconds, fmt="{:.2%}")  # fmt: skip
        model = t1.t1_network(seeds[0], init)
        figures.append(
            figure("initial weight std, 784-32 / 32-10",
                   [float(layer.kernel.std()) for layer in model.layers],
                   **{**common, "fmt": "{:.4f}", "seeds": seeds[:1], "command": cli})
        )  # fmt: skip
        for epoch in shown:
            claim = t1.CLAIM if epoch == 50 and init == "tutorial" else None
            figures.append(
                figure(f"test accuracy after {epoch} epochs",
                       per_seed([r.test_accuracy[epoch - 1] for r in results]), claim=claim,
                       **common)
            )  # fmt: skip
        figures.append(
            figure(f"validation accuracy after {epochs} epochs",
                   per_seed([r.validation_accuracy[-1] for r in results]), **common)
        )  # fmt: skip
    return figures
