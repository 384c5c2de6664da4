"""``deepkit bench layers``'s first table: every registered layer is timed or excluded
with a reason, both engines compute the same gradients in the timed passes, and the
table prints the figures measured (no timing thresholds)."""

import numpy as np
import pytest

from deepkit.benchmarks import layer_timing
from deepkit.reference.layers.base import LAYERS
from deepkit.validation import InputError


def test_every_registered_layer_is_timed_or_excluded_with_a_reason():
    cases = set(layer_timing._cases())
    assert not cases & set(layer_timing.EXCLUDED)
    assert cases | set(layer_timing.EXCLUDED) == set(LAYERS)


@pytest.mark.parametrize("name", ["Conv2D", "Maximum", "BatchNormalization", "Embedding", "LSTM"])
def test_both_timed_passes_compute_the_same_outputs_and_gradients(name):
    import tensorflow as tf

    keras_pass, reference_pass = layer_timing.passes(layer_timing._cases()[name], batch=3)
    # Keras gives Embedding's gradient as IndexedSlices (the rows looked up)
    expected = [np.asarray(tf.convert_to_tensor(g)) for g in keras_pass()]
    got = reference_pass()
    assert len(got) == len(expected) > 0
    if name != "Embedding":  # the others return the input gradient after the outputs
        assert got[1].shape == (3, *layer_timing._cases()[name].shapes[0])
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)


def test_the_report_prints_each_measured_time_and_names_the_slowest():
    result = layer_timing.benchmark(["Dense", "Add"], batch=2, repeats=2)
    assert [t.name for t in result.timings] == ["Dense", "Add"]
    report = result.report()
    for t in result.timings:
        assert t.ratio == t.keras_seconds / t.reference_seconds
        row = next(line for line in report.splitlines() if line.startswith(t.name + " "))
        assert row.split()[-3:] == [
            f"{1e3 * t.keras_seconds:.2f}",
            f"{1e3 * t.reference_seconds:.2f}",
            f"{t.ratio:.2f}x",
        ]
    worst = min(result.timings, key=lambda t: t.ratio)
    assert f"slowest: {worst.name}, {worst.ratio:.2f}x" in report
    assert "28x28x32 + 28x28x32" in report  # Add's two inputs


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"names": ["NoSuchLayer"]}, "no layer case NoSuchLayer"),
        ({"batch": 0}, "batch"),
        ({"repeats": 0}, "repeats"),
    ],
)
def test_bad_arguments_are_refused_before_work(kwargs, message):
    with pytest.raises(InputError, match=message):
        layer_timing.benchmark(**kwargs)


def test_every_layer_keeps_float32_through_its_backward_pass():
    """A float64 gradient out of one layer would silently turn the rest of the backward
    pass (and its speed) into float64."""
    upcast = []
    for name, case in layer_timing._cases().items():
        _, reference_pass = layer_timing.passes(case, batch=2)
        upcast += [(name, g.dtype) for g in reference_pass() if g.dtype != np.float32]
    assert upcast == []
