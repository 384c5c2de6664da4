"""``python -m deepkit.reproduce``: the same as ``deepkit reproduce``."""

import sys

from deepkit.reproduce import _command_line

sys.exit(_command_line())
