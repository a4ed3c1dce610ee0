"""``EmailSettings``: who the agents are, the subject tag, and the limits for one message.

A frozen value, validated once when it is made (in code, or from TOML with ``from_mapping`` /
``from_toml``). Every setting is documented in ``docs/adapters/email.md``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ticketsla.errors import ConfigurationError

from .dates import DateWindow

__all__ = ["DEFAULT_MAX_MESSAGE_BYTES", "DEFAULT_SUBJECT_TAG", "EmailSettings"]

DEFAULT_SUBJECT_TAG = r"\[#(\d{1,20})\]"
DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class EmailSettings:
    """The email adapter's settings; every keyword is optional.

    ``agent_addresses`` are whole addresses (``support@acme.example``), ``agent_domains`` are
    domains whose addresses and subdomains' addresses are agents (``acme.example`` covers
    ``ravi@eu.acme.example``); both are compared without regard to case. ``subject_tag`` is a
    regular expression whose first group is a ticket number (``[#1234]`` by default).
    ``keep_automated`` records automated mail from outside the team (bounces, out-of-office
    replies, read receipts, list traffic) as automatic internal notes instead of dropping it.
    ``max_headers``, ``max_header_bytes``, ``max_parts`` and ``max_nesting`` bound the work one
    message may cause; ``max_message_bytes`` is the largest message read (only its header block
    and the start of its body are parsed, so this limit is generous). A time before 1 January ``earliest_year`` or after 31 December
    ``latest_year`` is implausible: it is not used (the next fallback times the message).
    """

    agent_addresses: Iterable[str] = ()
    agent_domains: Iterable[str] = ()
    subject_tag: str = DEFAULT_SUBJECT_TAG
    keep_automated: bool = False
    max_headers: int = 500
    max_header_bytes: int = 64 * 1024
    max_parts: int = 1000
    max_nesting: int = 25
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    earliest_year: int = 1970
    latest_year: int = 2100
    tag_pattern: re.Pattern[str] = field(init=False, repr=False)
    date_window: DateWindow = field(init=False, repr=False)

    def __post_init__(self) -> None:
        put = object.__setattr__
        put(self, "agent_addresses", _addresses(self.agent_addresses))
        put(self, "agent_domains", _domains(self.agent_domains))
        if not isinstance(self.subject_tag, str) or not self.subject_tag:
            raise ConfigurationError(
                "email: subject_tag: expected a regular expression", subject="subject_tag"
            )
        try:
            pattern = re.compile(self.subject_tag)
        except re.error as exc:
            raise ConfigurationError(
                f"email: subject_tag: {self.subject_tag!r} is not a regular expression: {exc}",
                subject="subject_tag",
            ) from None
        if pattern.groups < 1:
            raise ConfigurationError(
                f"email: subject_tag: {self.subject_tag!r} needs a group around the ticket "
                r"number, like \[#(\d+)\]",
                subject="subject_tag",
            )
        put(self, "tag_pattern", pattern)
        put(self, "keep_automated", bool(self.keep_automated))
        for what in (
            "max_headers",
            "max_header_bytes",
            "max_parts",
            "max_nesting",
            "max_message_bytes",
        ):
            value = getattr(self, what)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigurationError(
                    f"email: {what}: {value!r} is not a positive whole number", subject=what
                )
        for what in ("earliest_year", "latest_year"):
            value = getattr(self, what)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9998:
                raise ConfigurationError(
                    f"email: {what}: {value!r} is not a year between 1 and 9998", subject=what
                )
        if self.earliest_year > self.latest_year:
            raise ConfigurationError(
                f"email: earliest_year {self.earliest_year} is after latest_year "
                f"{self.latest_year}",
                subject="earliest_year",
            )
        put(self, "date_window", DateWindow(self.earliest_year, self.latest_year))

    def is_agent(self, address: str | None) -> bool:
        """Whether ``address`` is one of the team's: listed, or in an agent domain."""
        if not address:
            return False
        address = address.casefold()
        if address in self.agent_addresses:
            return True
        domain = address.rpartition("@")[2]
        return any(domain == d or domain.endswith("." + d) for d in self.agent_domains)

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Any], *, origin: str = "configuration"
    ) -> EmailSettings:
        """Settings from plain data (a parsed TOML table)."""
        if not isinstance(data, Mapping):
            raise ConfigurationError(f"email: {origin}: expected a table", subject=origin)
        allowed = {f for f in cls.__dataclass_fields__ if f not in ("tag_pattern", "date_window")}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ConfigurationError(
                f"email: {origin}: unknown setting(s) {unknown!r} (known: {sorted(allowed)!r})",
                subject=unknown[0],
            )
        try:
            return cls(**data)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{exc.message} (in {origin})", subject=exc.subject) from None

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> EmailSettings:
        """Settings from a TOML file of the keys ``from_mapping`` takes."""
        where = Path(path)
        try:
            data = tomllib.loads(where.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigurationError(
                f"email: cannot read {str(where)!r}: {exc.strerror or exc}", subject=str(where)
            ) from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise ConfigurationError(
                f"email: {str(where)!r} is not valid TOML: {exc}", subject=str(where)
            ) from None
        return cls.from_mapping(data, origin=str(where))


def _texts(values: Iterable[str], what: str) -> list[str]:
    if isinstance(values, str):
        raise ConfigurationError(
            f"email: {what}: expected a list, got one text {values!r}", subject=what
        )
    out = []
    for value in values:
        if (
            not isinstance(value, str)
            or not value.strip()
            or any(c.isspace() for c in value.strip())
        ):
            raise ConfigurationError(f"email: {what}: {value!r} is not usable", subject=what)
        out.append(value.strip().casefold())
    return out


def _addresses(values: Iterable[str]) -> frozenset[str]:
    out = _texts(values, "agent_addresses")
    for value in out:
        local, at, domain = value.rpartition("@")
        if not at or not local or not domain:
            raise ConfigurationError(
                f"email: agent_addresses: {value!r} is not an address like support@acme.example",
                subject="agent_addresses",
            )
    return frozenset(out)


def _domains(values: Iterable[str]) -> frozenset[str]:
    out = [v.lstrip("@").strip(".") for v in _texts(values, "agent_domains")]
    for value in out:
        if not value or "@" in value:
            raise ConfigurationError(
                f"email: agent_domains: {value!r} is not a domain like acme.example",
                subject="agent_domains",
            )
    return frozenset(out)
