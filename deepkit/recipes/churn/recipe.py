"""``run()``: the churn recipe end to end, from the data to a ``ChurnResult``.

split -> (carve a validation split, tuned config) -> preprocess -> build -> train ->
evaluate on the test split -> score T3's new customer. ``Settings`` declares the run's
settings once: ``run()``'s, the command line's (``deepkit run churn``) and their checks.
"""

import dataclasses
import time

from deepkit.recipes.churn.configs import CONFIGS, settings_of
from deepkit.recipes.churn.result import ChurnResult
from deepkit.recipes.churn.steps import (
    NEW_CUSTOMER,
    build,
    carve,
    evaluate,
    labels,
    load_data,
    preprocess,
    score,
    split,
    train,
)
from deepkit.seeding import set_seed
from deepkit.settings import Settings as BaseSettings
from deepkit.settings import seed_setting, setting
from deepkit.training import engine_setting


@dataclasses.dataclass(frozen=True)
class Settings(BaseSettings):
    """One training run of the churn classifier."""

    config: str = setting("tutorial", "network configuration", choices=tuple(CONFIGS))
    epochs: int = setting(
        None, "training epochs (tutorial 50; tuned: at most 200)", kind=int, min_value=1
    )
    batch_size: int = setting(None, "batch size (tutorial 10, tuned 128)", kind=int, min_value=1)
    test_size: float = setting(
        0.2, "test fraction", min_value=0.0, max_value=1.0, include_min=False, include_max=False
    )
    engine: str = engine_setting()
    path: str = setting(
        None, "your own churn CSV with the same 14 columns", kind=str, metavar="CSV"
    )
    seed: int = seed_setting("seeds the split, the weights and the data order")


def run(settings=None, /, *, network=None, verbose=0, **overrides):
    """Train and evaluate the churn classifier.

    The same ``seed`` gives the same result. Bad settings, data outside the schema's
    ranges and degenerate splits (see ``split``) are refused with an ``InputError`` before
    any training. ``result.seconds`` times everything after loading the data and
    TensorFlow: split, preprocessing, training, evaluation and scoring.

    Args:
        settings: a ``Settings`` (``None``: the defaults).
        network: a configuration dict with ``CONFIGS``' keys, trained instead of
            ``settings.config``'s.
        verbose: Keras's ``verbose``.
        **overrides: settings to change, by name (``run(config="tuned", seed=1)``).

    Returns:
        A ``ChurnResult``; ``epochs`` and ``batch_size`` default to the configuration's
        (tutorial: 50 and 10; tuned: up to 200 with early stopping, batch 128).
    """
    s = Settings.resolve(settings, overrides)
    config = s.config if network is None else network
    net = settings_of(config, epochs=s.epochs, batch_size=s.batch_size)
    test_size, seed, engine, path = s.test_size, s.seed, s.engine, s.path
    frame = load_data(path)
    start = time.perf_counter()
    train_frame, test_frame = split(frame, test_size, seed)
    validation_data = None
    if net["validation_fraction"]:
        # carved first: the scaling is fitted on the remaining rows only
        train_frame, validation_frame = carve(train_frame, net["validation_fraction"], seed)
        preprocessor, x_train, x_test, x_validation = preprocess(
            train_frame, test_frame, validation_frame
        )
        validation_data = (x_validation, labels(validation_frame))
    else:
        preprocessor, x_train, x_test = preprocess(train_frame, test_frame)
    set_seed(seed)
    model, history = train(
        build(config, seed, x_train),
        x_train,
        labels(train_frame),
        epochs=net["epochs"],
        batch_size=net["batch_size"],
        validation_data=validation_data,
        patience=net["patience"],
        engine=engine,
        **({"feed": net["epoch_loop"]} if engine == "keras" else {}),
        seed=seed,
        verbose=verbose,
    )
    metrics = evaluate(model, x_test, labels(test_frame))
    return ChurnResult(
        **metrics,
        customer_probability=float(score(model, preprocessor, NEW_CUSTOMER)[0]),
        history=history,
        model=model,
        preprocessor=preprocessor,
        seconds=time.perf_counter() - start,
        config=config,
        engine=engine,
        seed=seed,
        epochs=net["epochs"],
        batch_size=net["batch_size"],
    )
