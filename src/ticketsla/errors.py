"""Every error ticketsla raises, in one tree.

::

    TicketSLAError
    ├── ConfigurationError (ValueError)
    │   ├── CalendarError
    │   ├── PolicyError
    │   └── DurationError
    ├── NaiveDatetimeError (ValueError)
    ├── EventError (ValueError)
    ├── ClockStateError
    ├── PluginError
    │   ├── AdapterError
    │   │   └── SourceNotFoundError (LookupError)
    │   ├── SignatureError
    │   └── PayloadError (ValueError)
    └── StoreError
        └── UnknownTicketError (LookupError)

Each error carries the thing it is about (``subject``) and a message that names the offending
value, so ``except ValueError`` keeps working for callers that do not know our names.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AdapterError",
    "CalendarError",
    "ClockStateError",
    "ConfigurationError",
    "DurationError",
    "EventError",
    "NaiveDatetimeError",
    "PayloadError",
    "PluginError",
    "PolicyError",
    "SignatureError",
    "SourceNotFoundError",
    "StoreError",
    "TicketSLAError",
    "UnknownTicketError",
]


class TicketSLAError(Exception):
    """Root of every error raised by ticketsla.

    ``subject`` is the object the error is about (a file path, a field name, an event id),
    when there is one.
    """

    def __init__(self, message: str, *, subject: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.subject = subject


class ConfigurationError(TicketSLAError, ValueError):
    """A calendar, policy or duration given by a person is not valid."""


class CalendarError(ConfigurationError):
    """A calendar definition is invalid, or a calculation ran out of open time."""


class PolicyError(ConfigurationError):
    """An SLA policy definition is invalid."""


class DurationError(ConfigurationError):
    """A duration text such as ``"4h"`` or ``"PT4H"`` could not be understood."""


class NaiveDatetimeError(TicketSLAError, ValueError):
    """A datetime without a time zone was given; ticketsla never guesses one."""


class EventError(TicketSLAError, ValueError):
    """A ticket event is malformed (unknown kind, status, priority, or a missing field)."""


class ClockStateError(TicketSLAError):
    """A clock was asked for something its state cannot answer."""


class PluginError(TicketSLAError):
    """A plugin is broken, missing, or returned something unusable."""


class AdapterError(PluginError):
    """A source adapter failed."""


class SourceNotFoundError(AdapterError, LookupError):
    """No installed adapter handles the named source."""


class SignatureError(PluginError):
    """A webhook signature is missing, wrong, stale or from the future."""


class PayloadError(PluginError, ValueError):
    """A source payload is too large, too deep, unparseable or of an unknown shape."""


class StoreError(TicketSLAError):
    """The database could not store or return what was asked."""


class UnknownTicketError(StoreError, LookupError):
    """The store holds no events for the ticket asked about."""
