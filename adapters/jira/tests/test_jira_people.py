"""Customers, agents and automations are told apart by the documented rule."""

from __future__ import annotations

from typing import Any

import pytest
from ticketsla_jira import People

from ticketsla.events import Actor

REPORTER = {"accountId": "712020:aaaa", "accountType": "atlassian"}


def user(account_id: str, account_type: str = "atlassian", **extra: Any) -> dict[str, Any]:
    return {"accountId": account_id, "accountType": account_type, **extra}


@pytest.mark.parametrize(
    ("who", "people", "expected"),
    [
        (None, People(), Actor.SYSTEM),
        ({}, People(), Actor.SYSTEM),
        (user("qm:1", "customer"), People(), Actor.CUSTOMER),
        (user("557058:bot", "app"), People(), Actor.SYSTEM),
        (user("712020:bbbb"), People(), Actor.AGENT),
        (REPORTER, People(), Actor.CUSTOMER),
        (REPORTER, People.build(reporter_is_customer=False), Actor.AGENT),
        (user("qm:1", "customer"), People.build(agent_accounts=["QM:1"]), Actor.AGENT),
        (user("712020:bbbb"), People.build(customer_accounts=["712020:bbbb"]), Actor.CUSTOMER),
        (
            user("712020:cccc", emailAddress="Lee@Partner.example"),
            People.build(customer_accounts=["lee@partner.example"]),
            Actor.CUSTOMER,
        ),
        (user("557058:bot", "app"), People.build(agent_accounts=["557058:bot"]), Actor.AGENT),
        ({"name": "jdoe", "key": "jdoe"}, People(), Actor.AGENT),
    ],
    ids=[
        "no-user",
        "empty-user",
        "portal-customer",
        "app",
        "licensed-agent",
        "reporter",
        "reporter-rule-off",
        "listed-agent-wins-over-type",
        "listed-customer-wins-over-type",
        "email-match-ignores-case",
        "listed-app-is-agent",
        "server-user-without-type",
    ],
)
def test_actor_rule(who: dict[str, Any] | None, people: People, expected: Actor) -> None:
    """Each step of the documented rule decides as written."""
    assert people.actor(who, frozenset({"712020:aaaa"})) is expected
