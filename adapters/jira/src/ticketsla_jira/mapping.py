"""The default tables from Jira's statuses and priorities to ticketsla's.

A status is looked up by its name first (case and surrounding spaces ignored), then by its
status category (``new``, ``indeterminate``, ``done``), then falls back to
``JiraAdapter.unknown_status``. A priority is looked up by its name, then falls back to
``JiraAdapter.unknown_priority`` (none by default: an unmapped priority is an error, because
the priority picks the SLA target). Both tables are documented in ``docs/adapters/jira.md``;
a configuration merges its own entries over these.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ticketsla.errors import ConfigurationError
from ticketsla.events import Priority, Status

__all__ = [
    "DEFAULT_PRIORITIES",
    "DEFAULT_STATUSES",
    "DEFAULT_STATUS_CATEGORIES",
    "normalize_name",
    "priority_table",
    "status_table",
]

DEFAULT_STATUSES: Mapping[str, Status] = MappingProxyType(
    {
        # Jira Service Management's default workflows
        "waiting for support": Status.OPEN,
        "waiting for customer": Status.PENDING,
        "pending": Status.PENDING,
        "awaiting customer": Status.PENDING,
        "waiting for approval": Status.ON_HOLD,
        "awaiting approval": Status.ON_HOLD,
        "waiting for third party": Status.ON_HOLD,
        "on hold": Status.ON_HOLD,
        "escalated": Status.OPEN,
        "work in progress": Status.OPEN,
        "in progress": Status.OPEN,
        "open": Status.OPEN,
        "reopened": Status.OPEN,
        "to do": Status.NEW,
        "new": Status.NEW,
        "resolved": Status.SOLVED,
        "done": Status.SOLVED,
        "completed": Status.SOLVED,
        "closed": Status.CLOSED,
        "canceled": Status.CLOSED,
        "cancelled": Status.CLOSED,
        "declined": Status.CLOSED,
    }
)

DEFAULT_STATUS_CATEGORIES: Mapping[str, Status] = MappingProxyType(
    {
        "new": Status.NEW,
        "indeterminate": Status.OPEN,
        "done": Status.SOLVED,
    }
)

DEFAULT_PRIORITIES: Mapping[str, Priority] = MappingProxyType(
    {
        # Jira Cloud's default scheme
        "highest": Priority.URGENT,
        "high": Priority.HIGH,
        "medium": Priority.NORMAL,
        "low": Priority.LOW,
        "lowest": Priority.LOW,
        # the older Jira scheme, rank for rank
        "blocker": Priority.URGENT,
        "critical": Priority.HIGH,
        "major": Priority.NORMAL,
        "minor": Priority.LOW,
        "trivial": Priority.LOW,
    }
)


def normalize_name(name: str) -> str:
    """How names are compared: case folded, runs of spaces made one."""
    return " ".join(name.split()).casefold()


def status_table(
    entries: Mapping[str, Any] | None, *, base: Mapping[str, Status], what: str
) -> Mapping[str, Status]:
    """``entries`` (name -> status) merged over ``base``, names normalized, values checked."""
    table = dict(base)
    for name, value in (entries or {}).items():
        table[_key(name, what)] = _member(Status, value, f"{what}[{name!r}]")
    return MappingProxyType(table)


def priority_table(
    entries: Mapping[str, Any] | None, *, base: Mapping[str, Priority], what: str
) -> Mapping[str, Priority]:
    """``entries`` (name -> priority) merged over ``base``, names normalized, values checked."""
    table = dict(base)
    for name, value in (entries or {}).items():
        table[_key(name, what)] = _member(Priority, value, f"{what}[{name!r}]")
    return MappingProxyType(table)


def _key(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ConfigurationError(f"jira: {what}: {name!r} is not a name", subject=what)
    return normalize_name(name)


def _member(enum: type[Any], value: Any, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ConfigurationError(
            f"jira: {what}: {value!r} is not one of {allowed}", subject=what
        ) from None
