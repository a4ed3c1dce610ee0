"""ticketsla: helpdesk SLA clocks in exact business time.

The public names are listed in ``__all__``; everything else is internal unless a submodule says
it is public (``ticketsla.errors``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .calendar import Calendar, HolidayRule, Period, TimeRange, bundled_calendar_names
from .clock import ClockState, ClockStatus, TicketSLA
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
from .escalation_notice import EscalationNotice
from .events import Actor, EventKind, Priority, Status, TicketEvent
from .metrics import MetricDefinition, OnReopen
from .notifications import Notification, NotificationKind
from .outcomes import CSAT, FCR, FCRDefinition, Sentiment
from .plugins import get_plugin_manager, parse_payload, verify_signature
from .plugins.hookspecs import hookimpl
from .policy import PolicySet, SLAPolicy, WarningLevel
from .recipients import Recipient
from .sla import due_at, evaluate, ever_breached, is_breached, next_change_at, remaining

if TYPE_CHECKING:  # the lazy names below, typed for mypy and editors without importing them
    from .engine import IngestResult, SLAEngine

__version__ = "0.1.0"

# The engine pulls in SQLAlchemy; load it on first use so `import ticketsla` stays light.
_LAZY = {"IngestResult": "engine", "SLAEngine": "engine"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'ticketsla' has no attribute {name!r}")


__all__ = [
    "Actor",
    "AdapterError",
    "CSAT",
    "Calendar",
    "CalendarError",
    "ClockState",
    "ClockStateError",
    "ClockStatus",
    "ConfigurationError",
    "DurationError",
    "EscalationNotice",
    "EventError",
    "EventKind",
    "FCR",
    "FCRDefinition",
    "HolidayRule",
    "IngestResult",
    "MetricDefinition",
    "NaiveDatetimeError",
    "Notification",
    "NotificationKind",
    "OnReopen",
    "PayloadError",
    "Period",
    "PluginError",
    "PolicyError",
    "PolicySet",
    "Priority",
    "Recipient",
    "SLAEngine",
    "SLAPolicy",
    "Sentiment",
    "SignatureError",
    "SourceNotFoundError",
    "Status",
    "StoreError",
    "TicketEvent",
    "TicketSLA",
    "TicketSLAError",
    "TimeRange",
    "UnknownTicketError",
    "WarningLevel",
    "__version__",
    "bundled_calendar_names",
    "due_at",
    "evaluate",
    "ever_breached",
    "format_duration",
    "get_plugin_manager",
    "hookimpl",
    "is_breached",
    "next_change_at",
    "parse_duration",
    "parse_payload",
    "remaining",
    "verify_signature",
]
