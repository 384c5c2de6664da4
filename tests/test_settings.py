"""Settings declared once: the checks, the overrides, the record and the command line all
come from one dataclass."""

import argparse
import dataclasses
from pathlib import Path

import pytest

from deepkit.settings import Settings, seed_setting, setting
from deepkit.validation import InputError


@dataclasses.dataclass(frozen=True)
class Example(Settings):
    cell: str = setting("lstm", "recurrent cell", choices=("lstm", "gru"))
    units: int = setting(8, "units", min_value=1)
    rate: float = setting(0.5, "a rate", min_value=0.0, max_value=1.0, include_max=False)
    flag: bool = setting(False, "a switch")
    limit: int = setting(None, "optional limit", kind=int, min_value=60)
    folder: str = setting(None, "an output folder", kind=str, record=False)
    sizes: tuple = setting((4, 2), "layer sizes", kind=int, min_value=1, sequence=True)
    seed: int = seed_setting()

    def check(self):
        if self.flag and self.cell == "gru":
            raise InputError("flag needs cell='lstm'")


def parse(argv):
    parser = argparse.ArgumentParser()
    Example.add_arguments(parser)
    return Example.from_args(parser.parse_args(argv))


def test_each_field_is_checked_at_construction():
    with pytest.raises(InputError, match="units must be an int >= 1, got 0"):
        Example(units=0)
    with pytest.raises(InputError, match="rate must be a number >= 0.0 and < 1.0, got 1.0"):
        Example(rate=1.0)
    with pytest.raises(InputError, match="cell must be one of lstm, gru, got 'rnn'"):
        Example(cell="rnn")
    with pytest.raises(InputError, match="flag must be True or False, got 1"):
        Example(flag=1)
    with pytest.raises(InputError, match="seed must be an int >= 0 and <= 4294967295"):
        Example(seed=2**32)
    with pytest.raises(InputError, match="units must not be None"):
        Example(units=None)
    with pytest.raises(InputError, match="flag needs cell='lstm'"):
        Example(flag=True, cell="gru")


def test_values_are_normalised():
    import numpy as np

    example = Example(units=np.int64(3), rate=np.float32(0.25), folder=Path("runs/a"))
    assert type(example.units) is int and type(example.rate) is float
    assert example.folder == "runs/a"


def test_overrides_apply_to_the_defaults_or_to_given_settings():
    assert Example.resolve(None, {"units": 3}) == Example(units=3)
    assert Example.resolve(Example(cell="gru"), {"units": 3}) == Example(cell="gru", units=3)
    with pytest.raises(InputError, match="Example has no setting 'unit'; the settings are cell,"):
        Example.resolve(None, {"unit": 3})
    with pytest.raises(InputError, match="settings must be a Example, got dict"):
        Example.resolve({"units": 3})


def test_the_record_leaves_out_what_does_not_define_the_run():
    record = Example(folder="runs/a").record()
    assert "folder" not in record and record["units"] == 8 and record["seed"] == 0


def test_the_command_line_has_the_declared_defaults_help_and_checks():
    assert parse([]) == Example()
    assert parse(["--cell", "gru", "--units", "3", "--limit", "600"]) == Example(
        cell="gru", units=3, limit=600
    )
    assert parse(["--flag"]).flag is True and parse(["--no-flag"]).flag is False
    parser = argparse.ArgumentParser()
    Example.add_arguments(parser)
    helps = {a.dest: a.help for a in parser._actions}
    for field in dataclasses.fields(Example):
        assert helps[field.name].startswith(field.metadata["help"])
    with pytest.raises(InputError, match="units must be an int >= 1, got 0"):
        parse(["--units", "0"])


def test_a_sequence_is_a_tuple_checked_value_by_value():
    assert Example(sizes=[8, 4, 2]).sizes == (8, 4, 2)
    assert parse(["--sizes", "5", "3"]).sizes == (5, 3)
    assert parse([]).sizes == (4, 2)
    with pytest.raises(InputError, match="sizes must be an int >= 1, got 0"):
        Example(sizes=(3, 0))
    with pytest.raises(InputError, match="sizes must list at least one value"):
        Example(sizes=())
    with pytest.raises(InputError, match="sizes must be a list of values, got 7"):
        Example(sizes=7)
