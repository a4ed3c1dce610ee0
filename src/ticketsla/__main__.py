"""``python -m ticketsla``: the same command line as ``ticketsla``."""

import sys

from .cli import main

sys.exit(main())
