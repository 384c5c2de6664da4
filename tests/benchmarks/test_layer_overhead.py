"""``deepkit bench layers``'s overhead table: the three CNNs differ by the layers named,
and the table prints the measured steps and their quotients (no timing thresholds)."""

import pytest

from deepkit.benchmarks import layer_overhead
from deepkit.validation import InputError


def test_the_variants_differ_by_batch_norm_and_add_only():
    kinds = {
        variant: [type(layer).__name__ for layer in layer_overhead.cnn(variant).layers]
        for variant in layer_overhead.VARIANTS
    }
    plain = kinds["plain"]
    assert plain.count("Conv2D") == 2 and "BatchNormalization" not in plain and "Add" not in plain
    assert kinds["batch norm"].count("BatchNormalization") == 2
    assert [
        k for k in kinds["batch norm"] if k not in ("BatchNormalization", "Activation")
    ] == plain
    assert [k for k in kinds["add"] if k != "Add"] == plain and kinds["add"].count("Add") == 1


def test_the_report_prints_each_step_and_its_share_of_the_plain_one():
    result = layer_overhead.benchmark(batch=4, repeats=2)
    report = result.report()
    for variant in layer_overhead.VARIANTS:
        row = next(line for line in report.splitlines() if line.startswith(variant + " "))
        cells = row[len(variant) :].split()
        assert cells == [
            f"{1e3 * result.seconds['Keras'][variant]:.1f}",
            f"{1e3 * result.seconds['NumPy'][variant]:.1f}",
            f"{result.share('Keras', variant):.2f}x",
            f"{result.share('NumPy', variant):.2f}x",
        ]
    assert result.share("NumPy", "plain") == 1.0


@pytest.mark.parametrize("kwargs", [{"batch": 0}, {"repeats": 0}])
def test_bad_arguments_are_refused_before_work(kwargs):
    with pytest.raises(InputError):
        layer_overhead.benchmark(**kwargs)
