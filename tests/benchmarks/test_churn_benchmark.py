"""``deepkit bench churn``: repeats, the ratio's min/median/max, and the equality check."""


def test_churn_benchmark_repeats_and_reports_the_spread_of_the_ratio():
    from deepkit.benchmarks import churn

    result = churn.benchmark(epochs=1, seed=0, repeats=2)
    defaults, fast = result.fits.values()
    assert len(defaults["seconds"]) == len(fast["seconds"]) == 2
    assert result.speedups == [d / f for d, f in zip(defaults["seconds"], fast["seconds"])]
    # Same start, same order, same arithmetic: the fast path changes nothing but speed.
    assert result.same_results
    assert defaults["loss"][0] == fast["loss"][1] and defaults["accuracy"] == fast["accuracy"]
    report = result.report()
    low, high = sorted(result.speedups)
    assert f"min {low:.1f}x, median {(low + high) / 2:.1f}x, max {high:.1f}x" in report
    assert "bit for bit: yes" in report
    result.fits["deepkit (run's fast path)"]["loss"][1] += 1e-7  # one fit differs
    assert not result.same_results and "bit for bit: NO" in result.report()
