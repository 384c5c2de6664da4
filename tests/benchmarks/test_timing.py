import types

from deepkit.benchmarks import timing


def test_median_seconds_takes_one_warm_up_call_then_the_median_of_the_repeats(monkeypatch):
    clock = iter([0.0, 1.0, 10.0, 15.0, 20.0, 22.0])  # the repeats last 1, 5 and 2 seconds
    monkeypatch.setattr(timing, "time", types.SimpleNamespace(perf_counter=lambda: next(clock)))
    calls = []
    assert timing.median_seconds(lambda: calls.append(1), 3) == 2.0
    assert len(calls) == 4  # the warm-up is not timed


def test_step_seconds_times_train_on_batch_on_the_given_batch(monkeypatch):
    seen = []
    model = types.SimpleNamespace(train_on_batch=lambda x, y: seen.append((x, y)))
    monkeypatch.setattr(timing, "median_seconds", lambda run, repeats: run() or repeats)
    assert timing.step_seconds(model, "x", "y", 7) == 7
    assert seen == [("x", "y")]
