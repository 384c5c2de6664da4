"""The churn net's configurations: T3's ``"tutorial"`` net, the ``"tuned"`` one, and the grid of
values the KerasTuner search (``deepkit.recipes.churn.hypersearch``) chooses from.

A configuration is a dict of ``units`` (every Dense width, the output's 1 last),
``kernel_initializer``, ``dropout``, ``learning_rate``, ``epochs``, ``batch_size``,
``validation_fraction`` and ``patience`` (early stopping; ``None`` for none), and optionally
``l2`` (the penalty ``l2 * sum(kernel ** 2)`` on every kernel, default 0) and ``epoch_loop``
(how Keras trains, ``deepkit.epoch_loop``: ``"graph"`` by default; ``"xla"`` for the tutorial
net, where it is faster still, while with dropout or large batches XLA is slower than the
graph loop, its random numbers and larger steps costing more than the dispatch it saves); ``settings_of`` turns a name in ``CONFIGS`` or such a dict into one.

Tabular networks (``deepkit.models.tabular``) add three optional keys: ``embedding`` (``None``,
``{"kind": "periodic", "num_frequencies": m, "units": d, "sigma": s}`` for PLR or
``{"kind": "piecewise", "bins": t}`` for PLE), ``heads`` (a TabM-mini ensemble's k; 1 for a
plain MLP) and ``weight_decay`` (AdamW's decoupled decay; 0 trains with Adam).
``CANDIDATES`` lists the tabular networks that ``deepkit.recipes.churn.boosting`` chooses
from on validation carves.
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
OPTIONAL_KEYS = {
    "l2": 0.0,
    "epoch_loop": "graph",
    "embedding": None,
    "heads": 1,
    "weight_decay": 0.0,
}

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

# What every tabular candidate shares: two hidden layers of 128, dropout 0.1, AdamW, batch 256, up
# to 200 epochs stopped 16 epochs after the best validation loss (best weights kept).
TABULAR_BASE = {
    **TUNING_BASE,
    "units": (128, 128, 1),
    "dropout": 0.1,
    "learning_rate": 0.001,
    "weight_decay": 0.004,
    "batch_size": 256,
    "patience": 16,
}
# PLR's sigma: the periods it starts from are 1 / (2 pi sigma) standard deviations of a feature.
PLR = {"kind": "periodic", "num_frequencies": 16, "units": 16, "sigma": 0.1}
PLE = {"kind": "piecewise", "bins": 16}
# The tabular networks `boosting.against_boosting` chooses from, on validation carves only.
CANDIDATES = {
    "MLP": TABULAR_BASE,
    "MLP-PLE": {**TABULAR_BASE, "embedding": PLE},
    "MLP-PLR": {**TABULAR_BASE, "embedding": PLR},
    "TabM-mini": {**TABULAR_BASE, "heads": 8},
    "TabM-mini-PLR": {**TABULAR_BASE, "embedding": PLR, "heads": 8},
}

EMBEDDING_KEYS = {"periodic": ("num_frequencies", "units", "sigma"), "piecewise": ("bins",)}

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


def embedding_kind(settings):
    """The kind of ``settings``' numerical embedding: ``None``, ``"periodic"`` or ``"piecewise"``
    (``InputError`` for anything else)."""
    embedding = settings.get("embedding")
    if embedding is None:
        return None
    kind = embedding.get("kind") if isinstance(embedding, dict) else None
    if kind not in EMBEDDING_KEYS or set(embedding) != {"kind", *EMBEDDING_KEYS[kind]}:
        raise InputError(
            "embedding must be None or a dict of kind 'periodic' (num_frequencies, units, "
            f"sigma) or 'piecewise' (bins), got {embedding!r}"
        )
    return kind


def describe(settings):
    """``settings`` of a network in words: widths, embedding, heads, dropout, optimizer, batch."""
    parts = ["-".join(map(str, settings["units"][:-1]))]
    embedding, kind = settings["embedding"], embedding_kind(settings)
    if kind == "periodic":
        parts.append(
            f"PLR ({embedding['num_frequencies']} frequencies, sigma {embedding['sigma']}, "
            f"{embedding['units']} units per feature)"
        )
    elif kind == "piecewise":
        parts.append(f"PLE ({embedding['bins']} quantile bins per feature)")
    if settings["heads"] > 1:
        parts.append(f"TabM-mini, {settings['heads']} heads")
    decay = settings["weight_decay"]
    optimizer = (
        f"AdamW lr {settings['learning_rate']} decay {decay}"
        if decay
        else (f"Adam lr {settings['learning_rate']}")
    )
    parts += [
        f"dropout {settings['dropout']}",
        optimizer,
        f"batch {settings['batch_size']}",
        f"up to {settings['epochs']} epochs, patience {settings['patience']}",
    ]
    return ", ".join(parts)


def tuned_settings(values):
    """The configuration of one point of ``TUNING_GRID``: ``values`` maps its keys to values.

    ``depth`` hidden layers of widths ``units, units // 2, ...`` (at least 4), then the output 1.
    """
    widths = tuple(max(4, values["units"] // 2**i) for i in range(values["depth"]))
    chosen = {k: values[k] for k in ("dropout", "learning_rate", "batch_size", "l2")}
    return {**TUNING_BASE, "units": (*widths, 1), **chosen}


def settings_of(config, **overrides):
    """The settings of ``config`` (a name in ``CONFIGS`` or a dict), ``overrides`` not None applied.

    A dict must hold every key of ``REQUIRED_KEYS`` and nothing outside it and ``OPTIONAL_KEYS``;
    the settings hold every optional key too (its default when not given).
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
        settings = {**OPTIONAL_KEYS, **CONFIGS[config]}
    else:
        raise InputError(
            f"config must be one of {', '.join(CONFIGS)} or a dict of settings, got {config!r}"
        )
    settings.update({k: v for k, v in overrides.items() if v is not None})
    embedding_kind(settings)
    return settings
