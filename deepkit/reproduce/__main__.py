"""``python -m deepkit.reproduce``: the same as ``deepkit reproduce``."""

import sys

from deepkit.cli import main

sys.exit(main(["reproduce", *sys.argv[1:]]))
