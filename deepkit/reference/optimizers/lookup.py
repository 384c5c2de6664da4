"""Optimizers by Keras name (``get``) and from Keras optimizer objects (``from_keras``)."""

from deepkit.reference.optimizers import schedules
from deepkit.reference.optimizers.adadelta import Adadelta
from deepkit.reference.optimizers.adagrad import Adagrad
from deepkit.reference.optimizers.adam import Adam, AdamW
from deepkit.reference.optimizers.adamax import Adamax
from deepkit.reference.optimizers.base import Optimizer
from deepkit.reference.optimizers.lion import Lion
from deepkit.reference.optimizers.nadam import Nadam
from deepkit.reference.optimizers.rmsprop import RMSprop
from deepkit.reference.optimizers.sgd import SGD
from deepkit.validation import InputError

OPTIMIZERS = {
    "sgd": SGD,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
    "adamw": AdamW,
    "adamax": Adamax,
    "nadam": Nadam,
    "lion": Lion,
    "adadelta": Adadelta,
}
CLASSES = {cls.__name__: cls for cls in OPTIMIZERS.values()}

# Keras optimizer settings the NumPy reference does not implement, and why they matter.
UNSUPPORTED = {
    "loss_scale_factor": "loss scaling (mixed precision)",
    "gradient_accumulation_steps": "gradient accumulation",
}


def get(identifier):
    """An optimizer (with Keras's defaults) from a name ("adam", "SGD", ...), or itself."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = OPTIMIZERS.get(identifier.lower())
        if cls is not None:
            return cls()
    raise InputError(f"unknown optimizer {identifier!r}; choose one of {', '.join(CLASSES)}")


def _learning_rate(keras_optimizer, problems):
    """The reference's learning rate (a float or a schedule) of a Keras optimizer."""
    import keras

    rate = keras_optimizer._learning_rate  # the property evaluates a schedule
    if isinstance(rate, keras.optimizers.schedules.LearningRateSchedule):
        try:
            return schedules.from_keras(rate)
        except InputError as error:
            problems.append(str(error))
    elif callable(rate) and not isinstance(rate, keras.Variable):
        problems.append(f"a callable learning rate {rate!r} (use a LearningRateSchedule)")
    else:
        return float(rate.numpy())
    return None


def from_keras(keras_optimizer):
    """The NumPy reference of a Keras optimizer: same class, hyperparameters,
    clipping, weight decay and learning-rate schedule; fresh state.

    Raises:
        InputError: naming every setting the NumPy reference does not implement.
    """
    name = type(keras_optimizer).__name__
    if name not in CLASSES:
        raise InputError(
            f"no NumPy reference for Keras optimizer {name}; supported: {', '.join(CLASSES)}"
        )
    # Keras keeps each setting as the attribute of its name (get_config would fail
    # on a schedule that does not serialize).
    problems = [
        f"{key}={getattr(keras_optimizer, key)!r} ({why})"
        for key, why in UNSUPPORTED.items()
        if getattr(keras_optimizer, key) not in (None, False)
    ]
    if getattr(keras_optimizer, "_exclude_from_weight_decay", None) or getattr(
        keras_optimizer, "_exclude_from_weight_decay_pattern", None
    ):
        problems.append("exclude_from_weight_decay (every weight decays in the NumPy reference)")
    learning_rate = _learning_rate(keras_optimizer, problems)
    if problems:
        raise InputError(
            f"Keras optimizer {name} uses {'; '.join(problems)}: "
            "not implemented by the NumPy reference"
        )
    cls = CLASSES[name]
    keys = [key for key in cls().get_config() if key != "learning_rate"]
    return cls(learning_rate=learning_rate, **{key: getattr(keras_optimizer, key) for key in keys})
