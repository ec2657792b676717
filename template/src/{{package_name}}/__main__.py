"""``python -m <package>``: the operations command line, as the console script runs it."""

import sys

from .operations.cli import main

sys.exit(main())
