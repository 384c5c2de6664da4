"""The ``deepkit`` command line.

    deepkit list                         the recipes and benchmarks
    deepkit run NAME [options]           run a recipe and print its results
    deepkit bench NAME [options]         run a benchmark and print its ratios
    deepkit predict NAME DIR [options]   score new data with a saved bundle
    deepkit finetune BASE --images DIR   fine-tune a pretrained network on a folder of pictures
    deepkit reproduce [options]          rerun the tutorials' results into results.json

``deepkit run NAME --help`` lists a recipe's own options. Errors print one
line, ``deepkit: error: ...``, and exit with status 2. Arguments are checked
before TensorFlow loads; when it does, "deepkit: loading TensorFlow..." goes to
stderr (the pause is several seconds), and its CUDA start-up lines do not
(``deepkit._quiet_tensorflow``).
"""

import argparse
import importlib
import sys

from deepkit import __version__, _quiet_tensorflow
from deepkit.benchmarks import BENCHMARKS
from deepkit.recipes import RECIPES
from deepkit.settings import add_output_arguments, verbosity
from deepkit.validation import InputError

# command -> (package, registry, name of the argument hook, name of the entry point)
COMMANDS = {
    "run": ("deepkit.recipes", RECIPES, "add_arguments", "main"),
    "bench": ("deepkit.benchmarks", BENCHMARKS, "add_arguments", "main"),
    "predict": (
        "deepkit.recipes",
        {
            "churn": RECIPES["churn"],
            "images": "classify pictures with a classifier saved by `deepkit finetune`",
        },
        "add_predict_arguments",
        "predict_main",
    ),
}
# (command, name) -> its module, for the names that are not in the command's package
MODULES = {("predict", "images"): "deepkit.classifier_bundle"}
# Bad input (InputError, raised by deepkit's own checks) and missing or unreadable
# files: one line. Anything else, a ValueError from inside NumPy included, is a
# bug and keeps its traceback.
USER_ERRORS = (InputError, OSError)
LOADING = "deepkit: loading TensorFlow..."


class _OneLineParser(argparse.ArgumentParser):
    """A recipe's parser: a bad option is bad input like any other, one line."""

    def error(self, message):
        raise InputError(f"{self.prog}: {message}")


def _top_parser():
    parser = argparse.ArgumentParser(
        prog="deepkit",
        description="Classic deep learning recipes on Keras, each with a NumPy reference.",
    )
    parser.add_argument("--version", action="version", version=f"deepkit {__version__}")
    parser.add_argument(
        "command", choices=["list", *COMMANDS, "finetune", "reproduce"], help="what to do"
    )
    parser.add_argument("name", nargs="?", help="recipe or benchmark name (see `deepkit list`)")
    return parser


def _list():
    width = max(map(len, [*RECIPES, *BENCHMARKS]))
    print("Recipes (deepkit run NAME):")
    for name, about in RECIPES.items():
        print(f"  {name:<{width}}  {about}")
    print("Benchmarks (deepkit bench NAME):")
    for name, about in BENCHMARKS.items():
        print(f"  {name:<{width}}  {about}")
    print("Fine-tune on a folder of pictures: deepkit finetune BASE --images DIR")
    print("Reproduce every tutorial result: deepkit reproduce [--quick] [--only NAME] [--render]")


def _run_recipe(module, args):
    """The recipe's ``run`` on the settings the command line gave; its report printed."""
    result = module.run(module.Settings.from_args(args), verbose=verbosity(args))
    print(result.report())


def _dispatch(command, name, argv):
    package, registry, add_arguments, entry = COMMANDS[command]
    if name is None or name not in registry:
        known = ", ".join(registry)
        raise InputError(f"`deepkit {command}` needs one of: {known} (got {name!r})")
    if not {"-h", "--help"} & set(argv):
        _quiet_tensorflow.announce(LOADING)
    module = importlib.import_module(MODULES.get((command, name), f"{package}.{name}"))
    parser = _OneLineParser(prog=f"deepkit {command} {name}", description=registry[name])
    if command == "run" and not hasattr(module, add_arguments):
        # a recipe is its settings declaration: the options, their checks and run()
        module.Settings.add_arguments(parser)
        add_output_arguments(parser)
        return _run_recipe(module, parser.parse_args(argv))
    getattr(module, add_arguments)(parser)
    args = parser.parse_args(argv)
    return getattr(module, entry)(args)


def _reproduce(argv):
    from deepkit import reproduce

    parser = _OneLineParser(prog="deepkit reproduce", description=reproduce.__doc__.splitlines()[0])
    reproduce.add_arguments(parser)
    args = parser.parse_args(argv)
    if not args.render:
        _quiet_tensorflow.announce(LOADING)
    return reproduce.main(args)


def _finetune(argv):
    from deepkit import image_finetune

    parser = _OneLineParser(
        prog="deepkit finetune", description=image_finetune.__doc__.splitlines()[0]
    )
    image_finetune.add_arguments(parser)
    args = parser.parse_args(argv)
    _quiet_tensorflow.announce(LOADING)
    return image_finetune.main(args)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    top = _top_parser()
    if argv[:1] in (["-h"], ["--help"], ["--version"]) and len(argv) > 1:
        top.error(f"{argv[0]} takes no arguments, got {' '.join(argv[1:])}")
    if not argv or argv[0] in ("-h", "--help"):
        top.print_help()
        return 0
    if argv[0] == "--version":
        top.parse_args(argv)
    # `deepkit finetune BASE`: BASE is no registry name; `--help` is finetune's and reproduce's own
    head = 1 if argv[0] in ("finetune", "reproduce") else 2
    args, rest = top.parse_known_args(argv[:head])
    rest += argv[head:]
    if args.command == "list":
        if args.name or rest:
            top.error(
                f"`deepkit list` takes no arguments, got {' '.join(a for a in [args.name, *rest] if a)}"
            )
        _list()
        return 0
    try:
        if args.command == "reproduce":
            return _reproduce([a for a in [args.name] if a] + rest)
        if args.command == "finetune":
            return _finetune([a for a in [args.name] if a] + rest)
        return _dispatch(args.command, args.name, rest) or 0
    except USER_ERRORS as error:
        print(f"deepkit: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("deepkit: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
