"""Losses by Keras name (``get``) and from Keras loss objects (``from_keras``)."""

from deepkit.reference.losses.base import Loss
from deepkit.reference.losses.crossentropy import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
)
from deepkit.reference.losses.elementwise import (
    Hinge,
    Huber,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SquaredHinge,
)
from deepkit.reference.losses.per_sample import CategoricalHinge, CosineSimilarity, KLDivergence
from deepkit.validation import InputError

LOSSES = {
    cls.name: cls
    for cls in (
        BinaryCrossentropy,
        CategoricalCrossentropy,
        SparseCategoricalCrossentropy,
        MeanSquaredError,
        MeanAbsoluteError,
        MeanAbsolutePercentageError,
        MeanSquaredLogarithmicError,
        Huber,
        LogCosh,
        Poisson,
        KLDivergence,
        Hinge,
        SquaredHinge,
        CategoricalHinge,
        CosineSimilarity,
    )
}
# Keras's short names (keras/src/losses/__init__.py), both cases.
ALIASES = {
    "bce": "binary_crossentropy",
    "kld": "kl_divergence",
    "mae": "mean_absolute_error",
    "mse": "mean_squared_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
}
for _alias, _name in ALIASES.items():
    LOSSES[_alias] = LOSSES[_alias.upper()] = LOSSES[_name]
CLASSES = {cls.__name__: cls for cls in set(LOSSES.values())}

# Keras losses (function and class names) the NumPy reference does not implement.
NOT_IMPLEMENTED = (
    "binary_focal_crossentropy",
    "BinaryFocalCrossentropy",
    "categorical_focal_crossentropy",
    "CategoricalFocalCrossentropy",
    "dice",
    "Dice",
    "tversky",
    "Tversky",
    "circle",
    "Circle",
    "ctc",
    "CTC",
)


def _known():
    return ", ".join(sorted(cls.name for cls in CLASSES.values()))


def get(identifier):
    """A loss from a Keras name ("binary_crossentropy", "mse", ...), class name, or itself.

    Args:
        identifier: a name, a class name (``"MeanAbsoluteError"``) or a ``Loss``.

    Returns:
        A ``Loss`` instance.

    Raises:
        InputError: for a Keras loss the NumPy reference does not implement, or a
            name Keras does not know either.
    """
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        cls = LOSSES.get(identifier) or CLASSES.get(identifier)
        if cls is not None:
            return cls()
        if identifier in NOT_IMPLEMENTED:
            raise InputError(
                f"Keras loss {identifier!r} is not implemented by the NumPy reference; "
                f"it implements {_known()} (and Keras's short names "
                f"{', '.join(ALIASES)})"
            )
    raise InputError(
        f"unknown loss {identifier!r}: neither Keras nor the NumPy reference has it; "
        f"the NumPy reference implements {_known()} (and Keras's short names "
        f"{', '.join(ALIASES)})"
    )


def from_keras(keras_loss):
    """The NumPy reference's counterpart of a Keras loss.

    Args:
        keras_loss: a name, a loss function or a ``keras.losses.Loss`` object.

    Returns:
        A ``Loss`` with the same settings.

    Raises:
        InputError: naming the loss, or every setting of it, the NumPy reference
            does not implement (a reduction other than "sum_over_batch_size",
            an axis other than -1, ``ignore_class``, ...).
    """
    if isinstance(keras_loss, str):
        return get(keras_loss)
    if callable(keras_loss) and hasattr(keras_loss, "__name__"):
        return get(keras_loss.__name__)
    name = type(keras_loss).__name__
    if name == "LossFunctionWrapper":
        fn = getattr(keras_loss, "fn", None)
        cls = LOSSES.get(getattr(fn, "__name__", None))
        if cls is None:
            raise InputError(
                f"Keras loss wrapper around {fn!r} has no NumPy reference counterpart; "
                f"it implements {_known()}"
            )
        config = {**keras_loss.get_config(), **getattr(keras_loss, "_fn_kwargs", {})}
        config.pop("fn", None)
        defaults = {"reduction": "sum_over_batch_size", "axis": -1}
    else:
        cls = CLASSES.get(name)
        if cls is None:
            get(name)  # raises the right message
        # Some Keras losses (Huber, CosineSimilarity) leave their function's
        # arguments out of get_config: read them where the loss keeps them.
        default = type(keras_loss)()
        config = {**keras_loss.get_config(), **getattr(keras_loss, "_fn_kwargs", {})}
        defaults = {**default.get_config(), **getattr(default, "_fn_kwargs", {})}
    implemented = cls().get_config()
    unsupported = [
        f"{key}={value!r}"
        for key, value in config.items()
        if key not in ("name", "dtype")
        and key not in implemented
        and value != defaults.get(key)
        and not (key == "ignore_class" and value is None)
        and not (key == "label_smoothing" and not value)
    ]
    if unsupported:
        raise InputError(
            f"Keras loss {name} uses {', '.join(unsupported)}, which the NumPy "
            f"reference does not implement (it reduces like 'sum_over_batch_size', "
            "over the last axis)"
        )
    return cls(**{k: config[k] for k in implemented if k in config})
