"""The churn net's configurations: T3's ``"tutorial"`` net, the ``"tuned"`` one, and the grid of
values the KerasTuner search (``deepkit.recipes.churn.hypersearch``) chooses from.

A configuration is a dict of ``units`` (every Dense width, the output's 1 last),
``kernel_initializer``, ``dropout``, ``learning_rate``, ``epochs``, ``batch_size``,
``validation_fraction`` and ``patience`` (early stopping; ``None`` for none), and optionally
``l2`` (the penalty ``l2 * sum(kernel ** 2)`` on every kernel, default 0) and ``epoch_loop``
(how Keras trains, ``deepkit.epoch_loop``: ``"graph"`` by default; ``"xla"`` for the tutorial
net, where it is faster still, while with dropout or large batches XLA is slower than the
graph loop, its random numbers and larger steps costing more than the dispatch it saves); ``settings_of`` turns a name in ``CONFIGS`` or such a dict into one.
"""

from deepkit.validation import InputError

REQUIRED_KEYS = (
    "units",
    "kernel_initializer",
    "dropout",
    "learning_rate",
    "epochs",
    "batch_size",
    "validation_fraction",
    "patience",
)
OPTIONAL_KEYS = {"l2": 0.0, "epoch_loop": "graph"}

# What every searched candidate shares: the searched values are in TUNING_GRID. Patience 10 on
# the validation loss; the epochs are the search's budget, `search(max_epochs=...)`.
TUNING_BASE = {
    "kernel_initializer": "glorot_uniform",
    "epochs": 200,
    "validation_fraction": 0.15,
    "patience": 10,
    "epoch_loop": "graph",
}
# The values the search may give each hyperparameter (see `tuned_settings`): 3 * 5 * 6 * 5 * 4 * 4
# = 7,200 candidates, of which a search with `max_trials` trains that many.
TUNING_GRID = {
    "depth": (1, 2, 3),  # hidden layers
    "units": (16, 32, 64, 128, 256),  # the first hidden layer's width; each next one halves it
    "dropout": (0.0, 0.1, 0.2, 0.3, 0.4, 0.5),  # after every hidden layer
    "learning_rate": (0.0003, 0.001, 0.003, 0.01, 0.03),  # adam
    "batch_size": (32, 64, 128, 256),
    "l2": (0.0, 1e-5, 1e-4, 1e-3),  # on every kernel
}

CONFIGS = {
    "tutorial": {
        "units": (6, 6, 1),
        "kernel_initializer": "uniform",
        "dropout": 0.0,
        "learning_rate": 0.001,
        "epochs": 50,
        "batch_size": 10,
        "validation_fraction": 0.0,
        "patience": None,
        "l2": 0.0,
        "epoch_loop": "xla",
    },
    # From a hand-written grid searched on validation carves only (best mean validation ROC AUC 0.8806 on
    # validation carves 0, 1, 2 of seed 0's training split).
    "tuned": {
        **TUNING_BASE,
        "units": (64, 32, 1),
        "dropout": 0.4,
        "learning_rate": 0.003,
        "batch_size": 128,
        "patience": 20,
        "l2": 0.0,
    },
}


def tuned_settings(values):
    """The configuration of one point of ``TUNING_GRID``: ``values`` maps its keys to values.

    ``depth`` hidden layers of widths ``units, units // 2, ...`` (at least 4), then the output 1.
    """
    widths = tuple(max(4, values["units"] // 2**i) for i in range(values["depth"]))
    chosen = {k: values[k] for k in ("dropout", "learning_rate", "batch_size", "l2")}
    return {**TUNING_BASE, "units": (*widths, 1), **chosen}


def settings_of(config, **overrides):
    """The settings of ``config`` (a name in ``CONFIGS`` or a dict), ``overrides`` not None applied.

    A dict must hold every key of ``REQUIRED_KEYS`` and nothing outside it and ``OPTIONAL_KEYS``.
    """
    if isinstance(config, dict):
        missing = [key for key in REQUIRED_KEYS if key not in config]
        unknown = [key for key in config if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS]
        if missing:
            raise InputError(f"config is missing the keys {', '.join(missing)}")
        if unknown:
            raise InputError(
                f"config has unknown keys {', '.join(map(str, unknown))} (known: "
                f"{', '.join([*REQUIRED_KEYS, *OPTIONAL_KEYS])})"
            )
        settings = {**OPTIONAL_KEYS, **config}
    elif isinstance(config, str) and config in CONFIGS:
        settings = dict(CONFIGS[config])
    else:
        raise InputError(
            f"config must be one of {', '.join(CONFIGS)} or a dict of settings, got {config!r}"
        )
    settings.update({k: v for k, v in overrides.items() if v is not None})
    return settings
