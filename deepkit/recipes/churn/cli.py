"""``deepkit run churn`` and ``deepkit predict churn``: the options, their conflicts, dispatch.

Five modes: one training run (the default, its options generated from ``Settings``),
``--both-engines`` (Keras and the NumPy reference side by side), ``--compare``, ``--tune`` and
``--against-boosting`` (tabular networks chosen on validation carves vs gradient boosting,
``deepkit.recipes.churn.boosting``). argparse refuses two modes at once (one
mutually exclusive group); ``refuse_conflicts`` refuses an option the chosen mode would
silently ignore, naming it, and a ``--save`` folder it cannot write, before any work starts.
``deepkit predict churn`` prints a table (id, probability, decision, flags) and ``--out``
writes it as CSV.
"""

import os
import tempfile
from pathlib import Path

from deepkit.datasets.churn import load_customers
from deepkit.recipes.churn.boosting import against_boosting
from deepkit.recipes.churn.recipe import Settings, run
from deepkit.recipes.churn.result import BUNDLE_FILES, load, write_scores
from deepkit.recipes.churn.tuning import MAX_EPOCHS, MAX_TRIALS, compare, side_by_side, tune
from deepkit.report import format_grid
from deepkit.settings import add_output_arguments, verbosity
from deepkit.validation import InputError, check_int

SEARCH_OPTIONS = ("--trials", "--max-epochs", "--search-dir")
# `--both-engines` trains the tutorial config on the shipped data's 0.2 test split.
BOTH_ENGINES_REFUSE = ("--save", "--path", "--config", "--test-size", "--engine")


def add_arguments(parser):
    """The run's settings (``Settings``, declared once), ``--save``, the modes and the search's
    budget."""
    Settings.add_arguments(parser)
    parser.add_argument(
        "--save", metavar="DIR", help="save the model bundle here (for deepkit predict churn)"
    )
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument(
        "--compare",
        action="store_true",
        help="tutorial vs tuned net vs HistGradientBoosting, test metrics over 3 seeds",
    )
    modes.add_argument(
        "--tune",
        action="store_true",
        help="KerasTuner search (--trials trials x 2 validation carves) of the --seed "
        "training split",
    )
    modes.add_argument(
        "--against-boosting",
        action="store_true",
        help="MLPs with numerical embeddings and TabM-mini ensembles, chosen on validation "
        "carves, vs gradient boosting: test ROC AUC over 3 seeds",
    )
    modes.add_argument(
        "--both-engines",
        action="store_true",
        help="the tutorial net trained by Keras and by the NumPy reference, side by side",
    )
    parser.add_argument(
        "--trials", type=int, help=f"--tune/--compare: search trials (default {MAX_TRIALS})"
    )
    parser.add_argument(
        "--max-epochs",
        type=int,
        help=f"--tune/--compare: most epochs of a trial (default {MAX_EPOCHS})",
    )
    parser.add_argument(
        "--search-dir",
        metavar="DIR",
        help="--tune/--compare: keep KerasTuner's files and churn_search.json here",
    )
    add_output_arguments(parser)


def _given(args):
    """The single-run options given a value other than their default, as ``--name``."""
    defaults = Settings()
    given = [
        "--" + name.replace("_", "-")
        for name, value in vars(Settings.from_args(args)).items()
        if name != "seed" and value != getattr(defaults, name)
    ]
    return given + (["--save"] if args.save is not None else [])


def refuse_conflicts(args):
    """Raise ``InputError`` for a ``--save`` directory that cannot be written, or naming the
    options that ``args``' mode would ignore."""
    if args.save is not None:
        check_writable_directory(args.save, "--save")
    given = _given(args)
    if (args.compare or args.tune) and given:
        raise InputError(
            "--compare and --tune take only --seed, --quiet and the search's "
            f"{', '.join(SEARCH_OPTIONS)}, not {', '.join(given)}"
        )
    searching = [f for f in SEARCH_OPTIONS if getattr(args, f[2:].replace("-", "_")) is not None]
    if args.against_boosting and (given or searching):
        raise InputError(
            f"--against-boosting takes only --seed and --quiet, not {', '.join(given + searching)}"
        )
    if searching and not (args.compare or args.tune):
        raise InputError(f"{', '.join(searching)} go with --tune or --compare")
    for flag in ("--trials", "--max-epochs"):
        value = getattr(args, flag[2:].replace("-", "_"))
        if value is not None:
            check_int(value, flag, min_value=1)
    if args.search_dir is not None:
        check_writable_directory(args.search_dir, "--search-dir")
    ignored = [flag for flag in BOTH_ENGINES_REFUSE if flag in given]
    if args.both_engines and ignored:
        raise InputError(
            f"--both-engines runs the tutorial config on the shipped data's 0.2 test split; "
            f"drop {', '.join(ignored)}"
        )


def main(args):
    refuse_conflicts(args)
    verbose = verbosity(args)
    budget = {
        "max_trials": MAX_TRIALS if args.trials is None else args.trials,
        "max_epochs": MAX_EPOCHS if args.max_epochs is None else args.max_epochs,
        "directory": args.search_dir,
        "verbose": min(verbose, 1),  # 2 would print every epoch of every trial
    }
    settings = Settings.from_args(args)
    if args.compare:
        print(compare((args.seed, args.seed + 1, args.seed + 2), **budget).report())
    elif args.tune:
        print(tune(args.seed, **budget).report())
    elif args.against_boosting:
        seeds = (args.seed, args.seed + 1, args.seed + 2)
        print(against_boosting(seeds, verbose=min(verbose, 1)).report())
    elif args.both_engines:
        print(side_by_side(args.epochs, args.batch_size, args.seed, verbose=verbose).report())
    else:
        result = run(settings, verbose=verbose)
        print(result.report())
        if args.save is not None:
            result.save(args.save)
            print(
                f"saved to {args.save}; score customers with: "
                f"deepkit predict churn {args.save} --input FILE"
            )
    return 0


def add_predict_arguments(parser):
    parser.add_argument("directory", help="a bundle saved by `deepkit run churn --save DIR`")
    parser.add_argument(
        "--input",
        "--csv",
        dest="input",
        metavar="CSV",
        required=True,
        help="customers to score: the 10 feature columns, and CustomerId to name them "
        "(other identifier columns are ignored)",
    )
    parser.add_argument("--out", metavar="FILE", help="also write the table to FILE as CSV")
    parser.add_argument(
        "--unsafe",
        action="store_true",
        help="load a model holding code (a Lambda layer); only for a bundle you trust",
    )


def predict_main(args):
    """Print each customer's id, churn probability, decision and out-of-range flags.

    Args:
        args: the parsed options of ``add_predict_arguments``.

    Returns:
        0, the command's exit status.

    Raises:
        InputError: before any work, for an ``--out`` that cannot be written or that
            is one of the inputs (the customers' CSV, a file of the bundle); for bad
            customers or a bad bundle. ``--out`` is written atomically: a failure
            leaves any earlier file there as it was.
    """
    if args.out is not None:
        check_writable_file(args.out, "--out")
        inputs = [("the --input CSV", args.input)] + [
            (f"the bundle's {name}", Path(args.directory) / name) for name in BUNDLE_FILES
        ]
        refuse_overwriting(args.out, "--out", inputs)
    ids, customers = load_customers(args.input)
    table = load(args.directory, safe_mode=not args.unsafe).score_table(customers, ids)
    flagged = int((table["flags"] != "").sum())
    rows = [
        [i, f"{p:.6f}", decision, flags or "-"]
        for i, p, decision, flags in table.itertuples(index=False)
    ]
    print(format_grid([ids.name, "probability", "decision", "outside training range"], rows))
    if flagged:
        print(f"{flagged} of {len(table)} customer(s) outside the training range: extrapolated")
    if args.out is not None:
        write_scores(table, args.out)
        print(f"written to {args.out}")
    return 0


def check_writable_directory(path, option):
    """Raise ``InputError`` unless ``path`` is (or can be made) a directory we can write in.

    It is created if missing and probed with a temporary file, before any work."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {path}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as error:
        raise InputError(f"{option} {path}: cannot write there ({error.strerror})") from None


def refuse_overwriting(path, option, inputs):
    """Raise ``InputError`` if ``path`` is one of ``inputs``, (description, path) pairs:
    the same name once resolved, or the same file under another name (a link)."""
    target = Path(path)
    for what, source in inputs:
        source = Path(source)
        same = target.resolve() == source.resolve()
        if not same and target.exists() and source.exists():
            try:
                same = os.path.samefile(target, source)
            except OSError:
                same = False
        if same:
            raise InputError(
                f"{option} {path}: is {what} ({source}); writing the scores there would "
                "replace it: choose another file"
            )


def check_writable_file(path, option):
    """Raise ``InputError`` unless the file ``path`` can be written (its folder must exist)."""
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} {path}: is a directory, expected a file name")
    if not path.parent.is_dir():
        raise InputError(f"{option} {path}: no such directory {path.parent}")
    try:
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as error:
        raise InputError(f"{option} {path}: cannot write there ({error.strerror})") from None
