"""``deepkit finetune BASE --images DIR [options]``: the base as a positional argument, the
other options generated from ``Settings``."""

from deepkit.image_finetune.recipe import run
from deepkit.image_finetune.settings import Settings
from deepkit.settings import add_output_arguments, verbosity


def add_arguments(parser):
    """``deepkit finetune``'s options: the base, then ``Settings``' options."""
    parser.add_argument(
        "base", help="a keras.applications name (e.g. MobileNetV2) or a .keras file"
    )
    Settings.add_arguments(parser)
    add_output_arguments(parser)


def main(args):
    """Run the fine-tune the parsed ``args`` describe and print its report.

    Returns:
        0, the command's exit status.
    """
    result = run(Settings.from_args(args).replace(base=args.base), verbose=verbosity(args))
    print(result.report())
    return 0
