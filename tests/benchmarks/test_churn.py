"""``deepkit bench churn``: repeats, the ratios' min/median/max, the exactness and tolerance checks."""

from deepkit.benchmarks import churn


def test_churn_benchmark_repeats_and_reports_the_spread_of_the_ratios():
    result = churn.benchmark(epochs=1, seed=0, repeats=2, rows=2000)
    fits = result.fits
    assert list(fits) == [churn.DEFAULTS, churn.ARRAYS, churn.EXACT, churn.FAST]
    assert all(len(fit["seconds"]) == 2 for fit in fits.values())
    defaults = fits[churn.DEFAULTS]["seconds"]
    fast = result.speedups(churn.FAST)
    assert fast == [d / f for d, f in zip(defaults, fits[churn.FAST]["seconds"])]
    # Same start, same batches, Keras's own step: the exact loop changes nothing but speed.
    assert result.exact
    assert fits[churn.EXACT]["loss"] == fits[churn.DEFAULTS]["loss"]
    loss_gap, accuracy_gap = result.fast_deviation
    assert loss_gap <= churn.LOSS_RTOL and accuracy_gap <= churn.ACCURACY_ATOL
    # Keras's own shuffle trains on other batches: another final loss.
    assert fits[churn.ARRAYS]["loss"][0] != fits[churn.DEFAULTS]["loss"][0]
    report = result.report()
    low, high = sorted(fast)
    assert f"min {low:.1f}x, median {(low + high) / 2:.1f}x, max {high:.1f}x" in report
    assert "bit for bit: yes" in report and "tolerance 1e-04 and 0.001: within" in report
    fits[churn.EXACT]["loss"][1] += 1e-7  # one fit differs
    assert not result.exact and "bit for bit: NO" in result.report()
    fits[churn.FAST]["accuracy"][0] += 0.002
    assert ": NOT within" in result.report()
