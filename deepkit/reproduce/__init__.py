"""``deepkit reproduce``: run every tutorial recipe, record what it measured, render the table.

    python -m deepkit.reproduce                 # every measurement at full size
    python -m deepkit.reproduce --only churn    # re-measure one, update its entries
    python -m deepkit.reproduce --quick         # every recipe, few epochs, small data
    python -m deepkit.reproduce --render        # docs/results.md and the docs' tables, nothing run

A full run writes ``results.json`` (one entry per figure: value, claim, command, seeds,
seconds, versions, machine; see ``results``), then ``docs/results.md`` and, on each recipe's
page of the documentation, its rows between the page's ``<!-- results:start -->`` /
``<!-- results:end -->`` markers, all rendered from ``results.json`` alone (``render``).
``--quick`` writes ``results-quick.json`` and ``results-quick.md`` instead and never
touches the documentation: its figures (few epochs, small data) check that every recipe
runs; they are not comparable to any claim.

Modules: ``results`` (entries, environment, JSON), ``runs`` (commands, timing),
``tutorials``/``lessons``/``images``/``families``/``rbm``/``finetune`` (one function
per measurement), ``render`` (Markdown).
"""

import traceback
from pathlib import Path

from deepkit.reproduce import (
    churn_models,
    families,
    finetune,
    images,
    lessons,
    rbm,
    render,
    results,
    tutorials,
)
from deepkit.validation import InputError

# name -> (recipe, function(quick, path) -> figures), in the order of the table.
MEASURES = {
    "churn": ("churn", tutorials.churn),
    "churn-beyond": ("churn", churn_models.churn_beyond),
    "t1": ("t1", tutorials.t1),
    "t1-full": ("t1", tutorials.t1_full),
    "t1-xavier": ("t1", lessons.t1_xavier),
    "t2": ("t2", tutorials.t2),
    "t3": ("t3", tutorials.t3),
    "gradient_flow": ("gradient_flow", lessons.gradient_flow),
    "mnist": ("mnist", images.mnist),
    "cnn": ("cnn", images.cnn),
    "cnn-shift": ("cnn", images.cnn_shift),
    "transfer": ("transfer", images.transfer),
    "finetune": ("finetune", finetune.finetune),
    "rnn": ("rnn", images.rnn),
    "rnn-bidirectional": ("rnn", images.rnn_bidirectional),
    "rnn-shift": ("rnn", images.rnn_shift),
    "rnn-bidirectional-shift": ("rnn", images.rnn_bidirectional_shift),
    "rnn-pixels": ("rnn", images.rnn_pixels),
    "timeseries": ("timeseries", families.timeseries),
    "gan": ("gan", families.gan),
    "gan-unconditional": ("gan", families.gan_unconditional),
    "gan-dcgan": ("gan", families.gan_dcgan),
    "dbn": ("dbn", families.dbn),
    "rbm": ("rbm", rbm.rbm),
    "rbm-cd3": ("rbm", rbm.rbm_cd3),
}


def files(directory, quick):
    """The results files of a run.

    Full-size results render into ``directory/docs`` instead of the ``results.md`` returned.

    Args:
        directory: where the results files are.
        quick: the files of quick runs (``results-quick.*``).

    Returns:
        ``(results.json, results.md)`` paths in ``directory``.
    """
    stem = "results-quick" if quick else "results"
    directory = Path(directory)
    return directory / f"{stem}.json", directory / f"{stem}.md"


def render_files(directory=".", quick=False):
    """Rewrite the Markdown from the JSON.

    Args:
        directory: where the results files and ``docs/`` are.
        quick: render ``results-quick.md`` from the quick results; else
            ``docs/results.md`` and the recipe pages' tables (``render.write_docs``).

    Raises:
        InputError: the results file holds no entries.
    """
    json_path, md_path = files(directory, quick)
    entries = results.load(json_path)
    if not entries:
        raise InputError(f"{json_path}: no results to render; run `deepkit reproduce` first")
    measured = {entry["name"] for entry in entries}
    pending = [
        (n, f.__doc__.splitlines()[0]) for n, (_, f) in MEASURES.items() if n not in measured
    ]
    if quick:
        md_path.write_text(render.results_md(entries, pending), encoding="utf-8")
        return
    render.write_docs(Path(directory) / "docs", entries, pending)


def reproduce(only=None, quick=False, directory=".", path=None, verbose=True):
    """Run measurements, merge their entries into the results file, and render it.

    Args:
        only: names in ``MEASURES`` to run (default all).
        quick: few epochs and small data, into ``results-quick.*``.
        directory: where the results files and ``docs/`` are.
        path: an MNIST ``.npz`` (default: Keras's cache).
        verbose: print each measurement's name as it starts.

    Returns:
        The entries measured now.

    Raises:
        InputError: an unknown name in ``only``, before anything runs.
        RuntimeError: some measurements failed (the others' results are kept).

    Example:

    ```python
    deepkit.reproduce.reproduce(only=["churn"], quick=True)
    ```
    """
    names = list(MEASURES) if not only else list(dict.fromkeys(only))
    unknown = [name for name in names if name not in MEASURES]
    if unknown:
        raise InputError(f"only: unknown measurement {unknown[0]!r}; known: {', '.join(MEASURES)}")
    json_path, _ = files(directory, quick)
    entries, new, failed = results.load(json_path), [], []
    for name in names:
        recipe, measure = MEASURES[name]
        if verbose:
            print(f"deepkit reproduce: {name}{' (quick)' if quick else ''}", flush=True)
        try:
            measured = results.stamp(measure(quick, path), name, recipe, quick)
        except Exception:  # one broken recipe must not lose the others' results
            traceback.print_exc()
            failed.append(name)
            continue
        new += measured
        entries = results.merge(entries, measured, list(MEASURES))
        results.save(json_path, entries)
    if entries:
        render_files(directory, quick)
    if failed:
        raise RuntimeError(f"deepkit reproduce: failed: {', '.join(failed)} (tracebacks above)")
    return new


def add_arguments(parser):
    """Add ``deepkit reproduce``'s options to an ``argparse`` parser.

    Args:
        parser: the ``argparse.ArgumentParser``.
    """
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small data, a few epochs: checks every recipe runs (results-quick.*)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"re-measure only NAME (repeatable): {', '.join(MEASURES)}",
    )
    parser.add_argument(
        "--render",
        action="store_true",
        help="rewrite docs/results.md and the docs' recipe tables from results.json; run nothing",
    )
    parser.add_argument("--dir", default=".", help="where results.json and docs/ are")
    parser.add_argument("--path", default=None, help="an MNIST .npz instead of Keras's cache")  # fmt: skip


def main(args):
    """Run ``deepkit reproduce`` with parsed options and print the new entries' table.

    Args:
        args: the ``argparse.Namespace`` of ``add_arguments``'s options.

    Returns:
        The exit status, 0.

    Raises:
        InputError: ``--render`` with ``--only``, or an unknown measurement.
    """
    if args.render:
        if args.only:
            raise InputError("--render runs nothing, so it takes no --only")
        render_files(args.dir, args.quick)
        return 0
    new = reproduce(args.only, args.quick, args.dir, args.path)
    print(render.table(new))
    return 0
