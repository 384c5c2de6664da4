"""``run()``: the churn recipe end to end, from the data to a ``ChurnResult``.

split -> (carve a validation split, tuned config) -> preprocess -> build -> train ->
evaluate on the test split -> score T3's new customer.
"""

import time

from deepkit.recipes.churn.configs import settings_of
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
from deepkit.validation import check_choice, check_float, check_int
from deepkit.seeding import set_seed
from deepkit.training import ENGINES


def run(
    epochs=None,
    batch_size=None,
    test_size=0.2,
    seed=0,
    config="tutorial",
    engine="keras",
    verbose=0,
    path=None,
):
    """Train and evaluate the churn classifier; return a ``ChurnResult``.

    ``config`` is a name in ``CONFIGS`` or a dict with the same keys.

    ``epochs`` and ``batch_size`` default to the config's (tutorial: 50 and 10;
    tuned: up to 200 with early stopping, batch 128). ``path`` loads a user's
    CSV instead of the shipped table. The same ``seed`` gives the same result. Bad
    arguments, data outside the schema's ranges and degenerate splits (see ``split``)
    are refused with an ``InputError`` before any training.
    ``result.seconds`` times everything after loading the data and TensorFlow:
    split, preprocessing, training, evaluation and scoring.
    """
    # every argument, then the data and its splits, checked before TensorFlow is even imported
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if value is not None:
            check_int(value, name, min_value=1)
    test_size = check_float(test_size, "test_size", 0.0, 1.0, include_min=False, include_max=False)
    seed = check_int(seed, "seed", min_value=0)
    check_choice(engine, "engine", ENGINES)
    settings = settings_of(config, epochs=epochs, batch_size=batch_size)
    frame = load_data(path)
    start = time.perf_counter()
    train_frame, test_frame = split(frame, test_size, seed)
    validation_data = None
    if settings["validation_fraction"]:
        # carved first: the scaling is fitted on the remaining rows only
        train_frame, validation_frame = carve(train_frame, settings["validation_fraction"], seed)
        preprocessor, x_train, x_test, x_validation = preprocess(
            train_frame, test_frame, validation_frame
        )
        validation_data = (x_validation, labels(validation_frame))
    else:
        preprocessor, x_train, x_test = preprocess(train_frame, test_frame)
    set_seed(seed)
    model, history = train(
        build(config, seed),
        x_train,
        labels(train_frame),
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        validation_data=validation_data,
        patience=settings["patience"],
        engine=engine,
        epoch_loop=settings["epoch_loop"] if engine == "keras" else None,
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
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
    )
