"""``python -m deepkit ...``: the same as the ``deepkit`` command."""

import sys

from deepkit.cli import main

sys.exit(main())
