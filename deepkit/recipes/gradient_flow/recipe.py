"""``run()``: the gradient-flow recipe end to end, from MNIST to a ``GradientFlowResult``.

load the training split -> carve the held-out images -> pretrain the RBMs (if asked) ->
for each variant: build, measure, train ``steps`` SGD steps, measure, score -> plot.
"""

import time

import numpy as np

from deepkit.recipes.gradient_flow.networks import VARIANTS, network
from deepkit.recipes.gradient_flow.norms import gradient_norms, reference_gradient_norms
from deepkit.recipes.gradient_flow.result import Flow, GradientFlowResult
from deepkit.recipes.gradient_flow.settings import Settings
from deepkit.recipes.mnist_classifier import load, prepare
from deepkit.training import carve_validation


def batches(n, steps, batch_size, seed):
    """The rows of ``steps`` batches: whole seeded permutations of ``range(n)``, cut.

    Args:
        n: the rows to draw from.
        steps: the batches.
        batch_size: rows per batch.
        seed: seeds the permutations.

    Returns:
        An int array of ``steps * batch_size`` rows, each row once per pass.
    """
    rng = np.random.default_rng(seed)
    passes = -(-steps * batch_size // n)
    return np.concatenate([rng.permutation(n) for _ in range(passes)])[: steps * batch_size]


def measure(model, probe, fit, validation, s, verbose=0):
    """A variant's norms before and after ``s.steps`` SGD steps, and its accuracy.

    Args:
        model: the compiled Keras net.
        probe: ``(x, y)``, the batch the gradients are measured on.
        fit: ``(x, y)``, the images the steps draw from.
        validation: ``(x, y)``, the held-out images.
        s: the ``Settings``.
        verbose: Keras's ``verbose``.

    Returns:
        ``{"initial", "trained", "reference_initial", "reference_trained",
        "validation_accuracy"}`` of ``Flow``.
    """
    measured = {
        "initial": gradient_norms(model, *probe),
        "reference_initial": reference_gradient_norms(model, *probe),
    }
    rows = batches(len(fit[0]), s.steps, s.batch_size, s.seed)
    model.fit(
        fit[0][rows], fit[1][rows], batch_size=s.batch_size, epochs=1, shuffle=False,
        verbose=verbose,
    )  # fmt: skip
    predicted = model.predict(validation[0], batch_size=1000, verbose=0).argmax(axis=1)
    return {
        **measured,
        "trained": gradient_norms(model, *probe),
        "reference_trained": reference_gradient_norms(model, *probe),
        "validation_accuracy": float(np.mean(predicted == validation[1])),
    }


def run(settings=None, /, *, verbose=0, **overrides):
    """Measure per-layer gradient norms of deep nets at initialisation and after SGD steps.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(depth=4, steps=50)``).

    Returns:
        A ``GradientFlowResult``.

    Raises:
        InputError: a bad setting, before MNIST loads; a probe batch larger than the
            training images left after the held-out ones.

    Example:
        >>> result = run(depth=4, width=64, steps=20, limit=1200, variants=("relu-he",))
        >>> print(result.report())  # doctest: +SKIP
    """
    s = Settings.resolve(settings, overrides)
    start = time.perf_counter()
    (x_train, y_train), _ = load(s.limit, s.path)  # the test split is not used
    fit, validation = carve_validation(
        prepare(x_train, True), y_train, s.validation_split, seed=s.seed
    )
    s.check_images(len(fit[0]))
    rows = np.random.default_rng(s.seed).choice(len(fit[0]), s.probe, replace=False)
    probe = (fit[0][rows], fit[1][rows])
    rbms, pretraining = None, None
    if "sigmoid-rbm" in s.variants:
        from deepkit.models.dbn import pretrain

        images = fit[0][: s.pretrain_images]  # carve_validation's rows are in random order
        rbms = pretrain(
            images, [s.width] * s.depth, epochs=s.pretrain_epochs, seed=s.seed, verbose=verbose
        )
        epochs = f"{s.pretrain_epochs} epoch{'s' if s.pretrain_epochs > 1 else ''}"
        pretraining = f"CD-1, {epochs} each on {len(images):,} training images"
    flows, models = [], {}
    for variant in s.variants:
        model = network(variant, s.depth, s.width, s.learning_rate, s.seed, rbms)
        measured = measure(model, probe, fit, validation, s, verbose)
        flows.append(
            Flow(variant, VARIANTS[variant].activation, VARIANTS[variant].init, **measured)
        )
        models[variant] = model
    result = GradientFlowResult(
        sizes=(784, *[s.width] * s.depth, 10),
        flows=flows,
        steps=s.steps,
        batch_size=s.batch_size,
        learning_rate=s.learning_rate,
        probe=s.probe,
        n_fit=len(fit[0]),
        n_validation=len(validation[0]),
        pretraining=pretraining,
        seconds=0.0,
        models=models,
    )
    if s.plot:
        result.plots.append(result.plot(s.plot))
    result.seconds = time.perf_counter() - start
    return result
