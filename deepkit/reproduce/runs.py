"""Helpers of the measurement functions: the command that re-measures a figure, timed runs."""

import time


def command(recipe, **options):
    """The ``deepkit run`` command of a recipe with options.

    Args:
        recipe: the recipe's name.
        **options: the options (True: a bare flag; None or False: left out).

    Returns:
        The command, a string.
    """
    words = ["deepkit", "run", recipe]
    for name, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + name.replace("_", "-")
        if value is True:
            words.append(flag)
        elif isinstance(value, (tuple, list)):
            words += [flag, *map(str, value)]
        else:
            words += [flag, str(value)]
    return " ".join(words)


def timed(run, seeds, path=None, **options):
    """Run a recipe once per seed and time it.

    Args:
        run: the recipe's ``run``.
        seeds: the seeds.
        path: the MNIST file or folder, for a recipe that loads MNIST (``None``: Keras's
            cache). Apart from ``options``, which the recorded command shows: a path is
            one machine's.
        **options: passed to ``run``.

    Returns:
        ``([run(seed=s, **options) for s in seeds], seconds)``.
    """
    if path is not None:
        options["path"] = path
    start = time.perf_counter()
    results = [run(seed=seed, **options) for seed in seeds]
    return results, time.perf_counter() - start
