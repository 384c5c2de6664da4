"""``deepkit bench layers``: the table's counts add up and its figures are the ones
measured (three corpus models, one hosted and two refused; no timing thresholds)."""

import pytest

from deepkit.benchmarks.layers import DEVIATIONS, benchmark
from deepkit.validation import InputError


def test_layers_benchmark_counts_and_prints_what_it_measured():
    names = ["intro_subclassed", "functional_api_mnist", "text_classification_rnn"]
    result = benchmark(names, 4, 2)
    assert (result.total, len(result.hosted), len(result.refused)) == (3, 1, 2)
    (hosted,), (refused, _) = result.hosted, result.refused
    assert (hosted.name, refused.name) == ("functional_api_mnist", "intro_subclassed")
    assert all(hosted.deviations[q] <= 1e-10 for q in DEVIATIONS)
    assert len(refused.problems) == 1  # a subclassed model, refused as a whole
    report = result.report()
    assert report.startswith("The NumPy reference hosts 1 of 3 Keras models")
    row = next(line for line in report.splitlines() if line.startswith("functional_api_mnist"))
    assert row.split()[1:] == [
        *(f"{hosted.deviations[q]:.1e}" for q in DEVIATIONS),
        f"{1e3 * hosted.keras_seconds:.2f}",
        f"{1e3 * hosted.reference_seconds:.2f}",
        f"{hosted.keras_seconds / hosted.reference_seconds:.2f}x",
    ]
    assert "Refused (2):\n  intro_subclassed: model " in report
    assert "is a subclassed keras.Model (MyModel)" in report
    assert "\n  text_classification_rnn: layer " in report
    assert report.count("no NumPy reference counterpart") == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"names": ["no_such_model"]}, "no corpus model no_such_model"),
        ({"batch_size": 0}, "batch_size"),
        ({"repeats": 0}, "repeats"),
    ],
)
def test_layers_benchmark_refuses_bad_arguments_before_work(kwargs, message):
    with pytest.raises(InputError, match=message):
        benchmark(**kwargs)
