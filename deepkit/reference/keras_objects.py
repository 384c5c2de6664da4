"""The counterpart of a Keras object named by a string or given as its config, and the
config back (mirror ``keras.regularizers.get``/``serialize`` and their kin): shared by
the regularizers and the constraints."""

import inspect

from deepkit.validation import InputError


def get(identifier, base, names, classes, kind):
    """An instance of ``base`` from None, a name in ``names`` (class -> instance with
    Keras's defaults), a Keras config dict ({"class_name": ..., "config": {...}}) of one
    of ``classes``, or an instance (returned as is).

    Args:
        identifier: what to look up.
        base: the reference's base class of the kind.
        names: name -> class, Keras's names and short names.
        classes: Keras class name -> class.
        kind: the kind's name in messages ("regularizer", "constraint").

    Raises:
        InputError: for anything else (a custom object, which the NumPy reference does
            not implement), or a config argument the class does not take.
    """
    if identifier is None or isinstance(identifier, base):
        return identifier
    if isinstance(identifier, str) and identifier in names:
        return names[identifier]()
    if isinstance(identifier, dict) and identifier.get("class_name") in classes:
        config = dict(identifier.get("config") or {})
        cls = classes[identifier["class_name"]]
        unknown = sorted(set(config) - set(inspect.signature(cls.__init__).parameters))
        if unknown:
            raise InputError(f"{kind} {cls.__name__} does not take {', '.join(unknown)}")
        return cls(**config)
    name = identifier.get("class_name") if isinstance(identifier, dict) else identifier
    raise InputError(
        f"{kind} {name!r} is not implemented by the NumPy reference "
        f"(it implements {', '.join(names)})"
    )


def serialize(instance):
    """Keras's config form: {"class_name": ..., "config": {...}} (None stays None)."""
    if instance is None:
        return None
    return {"class_name": type(instance).__name__, "config": instance.get_config()}
