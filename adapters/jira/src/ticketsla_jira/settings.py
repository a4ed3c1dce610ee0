"""``JiraSettings``: how the Jira adapter maps statuses, priorities and people.

A frozen value, validated once when it is made (in code, or from TOML with ``from_mapping`` /
``from_toml``). Every setting is documented in ``docs/adapters/jira.md``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from ticketsla import parse_duration
from ticketsla.errors import ConfigurationError, PayloadError
from ticketsla.events import Priority, Status

from .mapping import (
    DEFAULT_PRIORITIES,
    DEFAULT_STATUS_CATEGORIES,
    DEFAULT_STATUSES,
    normalize_name,
    priority_table,
    status_table,
)
from .people import People

__all__ = ["JiraSettings"]


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class JiraSettings:
    """The Jira adapter's settings; every keyword is optional.

    ``statuses``, ``status_categories`` and ``priorities`` are merged over the default tables
    of ``ticketsla_jira.mapping``. ``unknown_status`` is what a status in neither table becomes
    (``None``: a ``PayloadError``); ``unknown_priority`` likewise for priorities (default
    ``None``). ``agent_accounts``/``customer_accounts`` list account ids or emails that override
    the customer/agent rule of ``ticketsla_jira.people``. ``ticket_id`` names tickets by issue
    ``"key"`` (default) or ``"id"``. ``max_age``/``max_future`` bound the signature replay
    window (Jira retries a failed delivery for up to about 30 minutes).
    """

    statuses: Mapping[str, Status | str] = field(default_factory=dict)
    status_categories: Mapping[str, Status | str] = field(default_factory=dict)
    unknown_status: Status | None = Status.OPEN
    priorities: Mapping[str, Priority | str] = field(default_factory=dict)
    unknown_priority: Priority | None = None
    agent_accounts: Iterable[str] = ()
    customer_accounts: Iterable[str] = ()
    reporter_is_customer: bool = True
    satisfaction_fields: Iterable[str] = ("satisfaction",)
    ticket_id: Literal["key", "id"] = "key"
    max_age: timedelta = timedelta(minutes=45)  # a duration text ("45m") is read as well
    max_future: timedelta = timedelta(minutes=5)
    people: People = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "max_age", parse_duration(self.max_age, field="max_age"))
        put(self, "max_future", parse_duration(self.max_future, field="max_future"))
        put(self, "statuses", status_table(self.statuses, base=DEFAULT_STATUSES, what="statuses"))
        put(
            self,
            "status_categories",
            status_table(
                self.status_categories, base=DEFAULT_STATUS_CATEGORIES, what="status_categories"
            ),
        )
        put(
            self,
            "priorities",
            priority_table(self.priorities, base=DEFAULT_PRIORITIES, what="priorities"),
        )
        put(self, "unknown_status", _optional(Status, self.unknown_status, "unknown_status"))
        put(
            self, "unknown_priority", _optional(Priority, self.unknown_priority, "unknown_priority")
        )
        people = People.build(
            agent_accounts=self.agent_accounts,
            customer_accounts=self.customer_accounts,
            reporter_is_customer=self.reporter_is_customer,
        )
        put(self, "people", people)
        put(self, "agent_accounts", people.agent_accounts)
        put(self, "customer_accounts", people.customer_accounts)
        if isinstance(self.satisfaction_fields, str):
            raise ConfigurationError(
                "jira: satisfaction_fields: expected a list of field names or ids",
                subject="satisfaction_fields",
            )
        put(
            self,
            "satisfaction_fields",
            frozenset(normalize_name(str(f)) for f in self.satisfaction_fields if str(f).strip()),
        )
        if self.ticket_id not in ("key", "id"):
            raise ConfigurationError(
                f"jira: ticket_id: {self.ticket_id!r} is neither 'key' nor 'id'",
                subject="ticket_id",
            )
        for what in ("max_age", "max_future"):
            value = getattr(self, what)
            if not isinstance(value, timedelta) or value < timedelta(0):
                raise ConfigurationError(
                    f"jira: {what}: {value!r} is not a non-negative duration", subject=what
                )

    # ---- configuration files -------------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, origin: str = "configuration"
    ) -> JiraSettings:
        """Settings from plain data (a parsed TOML table); durations may be texts like "45m".

        ``unknown_status``/``unknown_priority`` may be ``"error"`` to refuse unmapped names.
        """
        if not isinstance(data, Mapping):
            raise ConfigurationError(f"jira: {origin}: expected a table", subject=origin)
        allowed = {f for f in cls.__dataclass_fields__ if f != "people"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ConfigurationError(
                f"jira: {origin}: unknown setting(s) {unknown!r} (known: {sorted(allowed)!r})",
                subject=unknown[0],
            )
        values = dict(data)
        for what in ("unknown_status", "unknown_priority"):
            if values.get(what) == "error":
                values[what] = None
        for what in ("max_age", "max_future"):
            if isinstance(values.get(what), str):
                try:
                    values[what] = parse_duration(values[what])
                except ConfigurationError as exc:
                    raise ConfigurationError(
                        f"jira: {origin}: {what}: {exc.message}", subject=what
                    ) from None
        try:
            return cls(**values)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{exc.message} (in {origin})", subject=exc.subject) from None
        except TypeError as exc:
            raise ConfigurationError(f"jira: {origin}: {exc}", subject=origin) from None

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> JiraSettings:
        """Settings from a TOML file of the settings ``from_mapping`` takes."""
        where = Path(path)
        try:
            data = tomllib.loads(where.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(
                f"jira: cannot read {str(where)!r}: {exc.strerror or exc}", subject=str(where)
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ConfigurationError(
                f"jira: {str(where)!r} is not valid TOML: {exc}", subject=str(where)
            ) from None
        return cls.from_mapping(data, origin=str(where))

    # ---- the tables ----------------------------------------------------------------------

    def status_for(
        self, name: str | None, category: str | None = None, *, source: str = "jira"
    ) -> Status:
        """Our status for a Jira status name (and its category key, when known)."""
        if name is not None:
            found = self.statuses.get(normalize_name(name))
            if found is not None:
                return Status(found)
        if category is not None:
            found = self.status_categories.get(normalize_name(category))
            if found is not None:
                return Status(found)
        if self.unknown_status is not None:
            return self.unknown_status
        raise PayloadError(
            f"{source}: status {str(name)[:60]!r} (category {category!r}) is in neither the "
            "status table nor the category table; add it to `statuses`",
            subject="status",
        )

    def priority_for(self, name: str, *, source: str = "jira") -> Priority:
        """Our priority for a Jira priority name."""
        found = self.priorities.get(normalize_name(name))
        if found is not None:
            return Priority(found)
        if self.unknown_priority is not None:
            return self.unknown_priority
        known = ", ".join(sorted(self.priorities))
        raise PayloadError(
            f"{source}: priority {name[:60]!r} is not in the priority table ({known}); add "
            "it to `priorities` or set `unknown_priority`",
            subject="priority",
        )


def _optional(enum: type[Any], value: Any, what: str) -> Any:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise ConfigurationError(
            f"jira: {what}: {value!r} is not one of {allowed}", subject=what
        ) from None
