"""Settings declared once: a frozen dataclass whose fields carry the default, the
help text and the bounds, from which ``run()``'s arguments, the command line, the
checks and a checkpoint's arguments record all derive (as scikit-learn derives
``get_params`` from a signature and checks ``_parameter_constraints``).

    @dataclasses.dataclass(frozen=True)
    class RnnSettings(Settings):
        cell: str = setting("lstm", "recurrent cell", choices=("lstm", "gru", "simple"))
        units: int = setting(128, "recurrent units", min_value=1)
        dropout: float = setting(0.0, "input dropout", min_value=0.0, max_value=1.0,
                                 include_max=False)

    RnnSettings(units=64)                # checked at construction: InputError if out of bounds
    RnnSettings.resolve(None, {"cell": "gru"})   # run(settings=None, **overrides)
    RnnSettings.add_arguments(parser)    # --cell {lstm,gru,simple}, --units N, --dropout X
    RnnSettings.from_args(args)          # back from argparse's namespace
    settings.record()                    # {name: value} of the fields that define the run

A field's kind comes from its default (``bool``, ``int``, ``float``, ``str``) or, for a
default of ``None``, from ``kind=``; ``None`` is then allowed. A ``bool`` becomes
``--name``/``--no-name``. ``record=False`` keeps a field (an output path, a checkpoint
folder) out of the record, so that changing it does not make another run; ``cli=False``
keeps it off the command line. A subclass checks relations between fields in
``check()``.
"""

import argparse
import dataclasses
import os
import sys

from deepkit.validation import MAX_SEED, InputError, check_choice, check_float, check_int

KINDS = (bool, int, float, str)


def setting(
    default,
    help,
    *,
    kind=None,
    choices=None,
    min_value=None,
    max_value=None,
    include_min=True,
    include_max=True,
    metavar=None,
    record=True,
    cli=True,
    sequence=False,
):
    """A settings field.

    Args:
        default: the value when none is given; its type is the field's kind unless ``kind``.
        help: one line for ``--help`` and the docs.
        kind: ``int``, ``float``, ``str`` or ``bool``; needed when ``default`` is ``None``.
        choices: the values allowed.
        min_value: the smallest number allowed, or ``None``.
        max_value: the largest number allowed, or ``None``.
        include_min: whether ``min_value`` itself is allowed.
        include_max: whether ``max_value`` itself is allowed.
        metavar: the placeholder ``--help`` shows.
        record: whether the value belongs in a checkpoint's arguments record.
        cli: whether the command line offers it.
        sequence: the field holds a non-empty tuple of ``kind`` values, each checked
            against the bounds, offered as ``--name V [V ...]``.

    Returns:
        A ``dataclasses.field`` carrying these in its metadata.
    """
    kind = kind or type(default)
    if kind not in KINDS:
        raise TypeError(f"setting kind must be one of {KINDS}, got {kind!r}")
    metadata = dict(
        help=help,
        kind=kind,
        choices=None if choices is None else tuple(choices),
        bounds=(min_value, max_value, include_min, include_max),
        metavar=metavar,
        record=record,
        cli=cli,
        sequence=sequence,
    )
    return dataclasses.field(default=default, metadata=metadata)


def seed_setting(help="seeds the weights, the data split and the data order"):
    """The ``seed`` field every recipe has: an int in [0, 2**32 - 1], default 0."""
    return setting(0, help, min_value=0, max_value=MAX_SEED)


def _check(field, value):
    """``value`` for ``field`` after its checks (ints and floats normalised to Python's, a
    sequence to a tuple checked value by value)."""
    if field.metadata["sequence"]:
        if isinstance(value, str) or not hasattr(value, "__iter__"):
            raise InputError(f"{field.name} must be a list of values, got {value!r}")
        values = tuple(_check_value(field, v) for v in value)
        if not values:
            raise InputError(f"{field.name} must list at least one value")
        return values
    return _check_value(field, value)


def _check_value(field, value):
    meta = field.metadata
    if value is None:
        if field.default is None:
            return None
        raise InputError(f"{field.name} must not be None")
    kind = meta["kind"]
    min_value, max_value, include_min, include_max = meta["bounds"]
    if kind is bool:
        if not isinstance(value, bool):
            raise InputError(f"{field.name} must be True or False, got {value!r}")
    elif kind is int:
        value = check_int(value, field.name, min_value, max_value)
    elif kind is float:
        value = check_float(value, field.name, min_value, max_value, include_min, include_max)
    elif isinstance(value, os.PathLike):
        value = os.fspath(value)  # a path given as a Path object
    elif not isinstance(value, str):
        raise InputError(f"{field.name} must be a string, got {value!r}")
    if meta["choices"] is not None:
        check_choice(value, field.name, meta["choices"])
    return value


@dataclasses.dataclass(frozen=True)
class Settings:
    """Base of a recipe's settings; subclasses are frozen dataclasses of ``setting`` fields."""

    def __post_init__(self):
        for field in dataclasses.fields(self):
            object.__setattr__(self, field.name, _check(field, getattr(self, field.name)))
        self.check()

    def check(self):
        """Checks between fields, after each field's own; a subclass raises ``InputError``."""

    @classmethod
    def resolve(cls, settings=None, overrides=None):
        """``settings`` (an instance, or ``None`` for the defaults) with ``overrides`` applied.

        Raises:
            InputError: an override names no field, or a value is out of bounds.
        """
        if settings is None:
            settings = cls()
        elif not isinstance(settings, cls):
            raise InputError(f"settings must be a {cls.__name__}, got {type(settings).__name__}")
        names = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(overrides or {}) - names)
        if unknown:
            raise InputError(
                f"{cls.__name__} has no setting {', '.join(map(repr, unknown))}; "
                f"the settings are {', '.join(sorted(names))}"
            )
        return dataclasses.replace(settings, **overrides) if overrides else settings

    def replace(self, **changes):
        """A copy with ``changes``, checked."""
        return type(self).resolve(self, changes)

    def record(self):
        """``{name: value}`` of the fields that define the run (a checkpoint's arguments)."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.metadata["record"]
        }

    @classmethod
    def add_arguments(cls, parser):
        """One option per field, its default, help and choices taken from the field."""
        for field in dataclasses.fields(cls):
            meta = field.metadata
            if not meta["cli"]:
                continue
            option = "--" + field.name.replace("_", "-")
            help = meta["help"] + ("" if field.default is None else " (default: %(default)s)")
            if meta["kind"] is bool:
                parser.add_argument(
                    option,
                    action=argparse.BooleanOptionalAction,
                    default=field.default,
                    help=meta["help"],
                )
                continue
            parser.add_argument(
                option,
                type=meta["kind"],
                default=field.default,
                nargs="+" if meta["sequence"] else None,
                choices=meta["choices"],
                metavar=meta["metavar"],
                help=help,
            )

    @classmethod
    def from_args(cls, args):
        """The settings the command line's parsed ``args`` hold (fields off it keep defaults)."""
        return cls(
            **{
                field.name: getattr(args, field.name)
                for field in dataclasses.fields(cls)
                if field.metadata["cli"]
            }
        )

    @classmethod
    def help_of(cls, name):
        """The help text of the field ``name``."""
        return next(f.metadata["help"] for f in dataclasses.fields(cls) if f.name == name)


def add_output_arguments(parser):
    """``--quiet`` and ``--verbose``, the same on every recipe's command line."""
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true", help="print only the results")
    output.add_argument(
        "--verbose", action="store_true", help="one line per epoch, even on a terminal"
    )


def verbosity(args):
    """Keras's ``verbose`` for the parsed ``--quiet``/``--verbose``: 0 with ``--quiet``; one
    line per epoch with ``--verbose`` or when the output is not a terminal; else one
    updating progress line."""
    if args.quiet:
        return 0
    return 2 if args.verbose or not sys.stdout.isatty() else 1
