"""``keras_objects``: a Keras object by name, by config or as itself, and its config back."""

import pytest

from deepkit.reference import keras_objects
from deepkit.validation import InputError


class Base:
    pass


class Scale(Base):
    def __init__(self, factor=2.0):
        self.factor = factor

    def get_config(self):
        return {"factor": self.factor}


NAMES, CLASSES = {"scale": Scale, "Scale": Scale}, {"Scale": Scale}


def lookup(identifier):
    return keras_objects.get(identifier, Base, NAMES, CLASSES, "scaler")


def test_by_name_by_config_or_itself_and_back():
    assert lookup(None) is None
    assert lookup("scale").factor == 2.0
    made = lookup({"class_name": "Scale", "config": {"factor": 3.0}})
    assert made.factor == 3.0 and lookup(made) is made
    assert keras_objects.serialize(made) == {"class_name": "Scale", "config": {"factor": 3.0}}
    assert keras_objects.serialize(None) is None


@pytest.mark.parametrize(
    "identifier, message",
    [
        ("shift", "scaler 'shift' is not implemented by the NumPy reference"),
        ({"class_name": "Shift", "config": {}}, "scaler 'Shift' is not implemented"),
        ({"class_name": "Scale", "config": {"offset": 1}}, "scaler Scale does not take offset"),
    ],
)
def test_unknown_objects_and_arguments_are_refused_by_name(identifier, message):
    with pytest.raises(InputError, match=message):
        lookup(identifier)
