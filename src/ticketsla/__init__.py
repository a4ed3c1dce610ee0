"""ticketsla: helpdesk SLA clocks in exact business time.

The public names are listed in ``__all__``; everything else is internal unless a submodule says
it is public (``ticketsla.errors``).
"""

from __future__ import annotations

from .calendar import Calendar, HolidayRule, Period, TimeRange, bundled_calendar_names
from .durations import format_duration, parse_duration
from .errors import (
    AdapterError,
    CalendarError,
    ClockStateError,
    ConfigurationError,
    DurationError,
    EventError,
    NaiveDatetimeError,
    PayloadError,
    PluginError,
    PolicyError,
    SignatureError,
    SourceNotFoundError,
    StoreError,
    TicketSLAError,
    UnknownTicketError,
)

__version__ = "0.1.0"

__all__ = [
    "AdapterError",
    "Calendar",
    "CalendarError",
    "ClockStateError",
    "ConfigurationError",
    "DurationError",
    "EventError",
    "HolidayRule",
    "NaiveDatetimeError",
    "PayloadError",
    "Period",
    "PluginError",
    "PolicyError",
    "SignatureError",
    "SourceNotFoundError",
    "StoreError",
    "TicketSLAError",
    "TimeRange",
    "UnknownTicketError",
    "__version__",
    "bundled_calendar_names",
    "format_duration",
    "parse_duration",
]
