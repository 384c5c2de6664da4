"""``deepkit.reference.supported()`` reads the registries, every name it gives is Keras's,
and the committed docs/reference-support.md is the page they generate."""

from pathlib import Path

import keras
import pytest

from deepkit import reference
from deepkit.reference import support
from deepkit.reference.layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]


def test_supported_lists_each_registry():
    names = reference.supported()
    assert names["layers"] == sorted(LAYERS)
    assert names["losses"] == sorted(reference.losses.lookup.CLASSES)
    assert names["optimizers"] == sorted(reference.optimizers.CLASSES)
    assert names["schedules"] == sorted(reference.optimizers.schedules.SCHEDULES)
    assert "SparseCategoricalAccuracy" in names["metrics"]


@pytest.mark.parametrize("kind", ["losses", "metrics", "optimizers", "schedules"])
def test_every_supported_name_is_a_keras_class(kind):
    module = keras.optimizers.schedules if kind == "schedules" else getattr(keras, kind)
    assert all(
        isinstance(getattr(module, name, None), type) for name in reference.supported()[kind]
    )


def test_every_string_name_on_the_page_resolves_to_its_class():
    for loss, (_, names) in support.registries()["losses"].items():
        assert all(type(reference.losses.get(name)).__name__ == loss for name in names)
    for optimizer, (_, names) in support.registries()["optimizers"].items():
        assert all(type(reference.optimizers.get(name)).__name__ == optimizer for name in names)


def test_committed_page_is_generated_from_the_registries():
    page = (ROOT / support.PAGE).read_text("utf-8")
    assert page == support.support_page(), (
        "docs/reference-support.md differs: run deepkit.reference.support.write_page()"
    )
    for kind, names in reference.supported().items():
        assert f"## {kind.capitalize()} ({len(names)})" in page
        assert all(f"| `{name}` |" in page for name in names)
