"""``python -m ticketsla.cli``: the same command line as ``ticketsla``."""

import sys

from .main import main

sys.exit(main())
