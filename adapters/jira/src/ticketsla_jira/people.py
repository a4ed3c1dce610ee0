"""Who did it: telling a Jira customer from an agent and from an automation.

The rule, first match wins (documented in ``docs/adapters/jira.md``):

1. no user at all (an anonymous or system change): **system**;
2. one of the user's identifiers (``accountId``, ``emailAddress``, ``key``, ``name``) is listed in
   ``agent_accounts``: **agent**; listed in ``customer_accounts``: **customer**;
3. ``accountType`` is ``"app"`` (Automation for Jira, integrations, bots): **system**, and its
   messages are marked automatic;
4. ``accountType`` is ``"customer"`` (a Jira Service Management portal-only customer):
   **customer**;
5. the user is the issue's reporter, when the payload names the reporter and
   ``reporter_is_customer`` is on (the default): **customer** (in a service project the reporter
   is the person who raised the request);
6. anyone else (a licensed ``"atlassian"`` account): **agent**.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ticketsla.errors import ConfigurationError
from ticketsla.events import Actor

__all__ = ["People", "user_ids", "user_label"]

_ID_FIELDS = ("accountId", "emailAddress", "key", "name")


def user_ids(user: Mapping[str, Any] | None) -> frozenset[str]:
    """Every identifier a Jira user object carries, case folded."""
    if not user:
        return frozenset()
    found = set()
    for field in _ID_FIELDS:
        value = user.get(field)
        if isinstance(value, str) and value.strip():
            found.add(value.strip().casefold())
    return frozenset(found)


def user_label(user: Mapping[str, Any] | None) -> str | None:
    """The identifier recorded for a user: the account id, else the key, name or email."""
    if not user:
        return None
    for field in ("accountId", "key", "name", "emailAddress"):
        value = user.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class People:
    """The account lists and the reporter switch of the rule above."""

    agent_accounts: frozenset[str] = frozenset()
    customer_accounts: frozenset[str] = frozenset()
    reporter_is_customer: bool = True

    @classmethod
    def build(
        cls,
        *,
        agent_accounts: Iterable[str] = (),
        customer_accounts: Iterable[str] = (),
        reporter_is_customer: bool = True,
    ) -> People:
        """Validate and case-fold the account lists; one account in both lists is an error."""
        agents = _accounts(agent_accounts, "agent_accounts")
        customers = _accounts(customer_accounts, "customer_accounts")
        both = agents & customers
        if both:
            raise ConfigurationError(
                f"jira: accounts {sorted(both)!r} are listed both as agents and as customers",
                subject="agent_accounts",
            )
        return cls(
            agent_accounts=agents,
            customer_accounts=customers,
            reporter_is_customer=bool(reporter_is_customer),
        )

    def actor(self, user: Mapping[str, Any] | None, reporter: frozenset[str]) -> Actor:
        """The actor for ``user`` on an issue whose reporter has the identifiers ``reporter``."""
        ids = user_ids(user)
        if user is None or not (ids or user.get("accountType")):
            return Actor.SYSTEM
        if ids & self.agent_accounts:
            return Actor.AGENT
        if ids & self.customer_accounts:
            return Actor.CUSTOMER
        account_type = user.get("accountType")
        if account_type == "app":
            return Actor.SYSTEM
        if account_type == "customer":
            return Actor.CUSTOMER
        if self.reporter_is_customer and ids & reporter:
            return Actor.CUSTOMER
        return Actor.AGENT


def _accounts(values: Iterable[str], what: str) -> frozenset[str]:
    if isinstance(values, str):
        raise ConfigurationError(
            f"jira: {what}: expected a list of account ids or emails, got one text {values!r}",
            subject=what,
        )
    out = set()
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(
                f"jira: {what}: {value!r} is not an account id or email", subject=what
            )
        out.add(value.strip().casefold())
    return frozenset(out)
