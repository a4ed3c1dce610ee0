"""``ticketsla.escalation_report``, kept as a public path: the code lives in :mod:`ticketsla.reporting.escalation_report`."""

from .reporting.escalation_report import *  # noqa: F403  (the names of its __all__, below)
from .reporting.escalation_report import __all__ as __all__
