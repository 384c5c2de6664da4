"""How the layer benchmarks time a call: one warm-up call (where Keras traces its graph),
then the median of repeated calls, so one slow call on a shared machine does not move it."""

import statistics
import time


def median_seconds(run, repeats):
    """The median seconds of ``run()`` over ``repeats`` calls, after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_seconds(model, x, y, repeats):
    """The median seconds of one ``train_on_batch`` after one warm-up step."""
    return median_seconds(lambda: model.train_on_batch(x, y), repeats)
