"""``ticketsla.html_report``, kept as a public path: the code lives in :mod:`ticketsla.reporting.html_report`."""

from .reporting.html_report import *  # noqa: F403  (the names of its __all__, below)
from .reporting.html_report import __all__ as __all__
