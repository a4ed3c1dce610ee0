"""Seeded, realistic ticket histories for the engine's tests and benchmark.

``ticket_history(rng, ticket_id, start)`` writes one ticket's life: created with a priority and a
channel, customer messages and agent replies, waits on the customer (pending), sometimes a
priority change, a solve, sometimes a reopen and a second solve. ``stream(n_events, seed)`` gives
tickets' events until there are ``n_events`` of them; ``with_duplicates`` adds redeliveries.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from ticketsla import PolicySet, SLAPolicy, TicketEvent

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday

POLICY_MAPPINGS = (
    {
        "name": "urgent-24x7",
        "calendar": "24x7",
        "match": {"priority": ["urgent", "high"]},
        "targets": {
            "first_response": {"urgent": "30m", "high": "1h"},
            "next_response": {"urgent": "1h", "high": "2h"},
            "resolution": {"urgent": "4h", "high": "8h"},
        },
        "warnings": {"at": ["50%", "75%"]},
    },
    {
        "name": "standard",
        "calendar": "us-business",
        "targets": {
            "first_response": {"all": "4h"},
            "next_response": {"all": "8h"},
            "periodic_update": {"all": "1d"},
            "resolution": {"all": "3d"},
        },
        "warnings": {"at": ["75%", "30m"]},
    },
)


def policies() -> PolicySet:
    """The two policies the tests and the benchmark use: urgent/high around the clock, the rest
    on US business hours."""
    urgent, standard = (SLAPolicy.from_mapping(m) for m in POLICY_MAPPINGS)
    return PolicySet([urgent], default=standard)


def ticket_history(rng: random.Random, ticket_id: str, start: datetime) -> list[TicketEvent]:
    """One ticket's events in history order; ids are ``<ticket>-<n>`` in source ``bench``."""
    events: list[TicketEvent] = []
    now = start

    def add(kind: str, minutes: float, **fields: object) -> None:
        nonlocal now
        now = now + timedelta(minutes=minutes, microseconds=rng.randrange(1_000_000))
        events.append(
            TicketEvent(
                ticket_id=ticket_id,
                event_id=f"{ticket_id}-{len(events) + 1}",
                source="bench",
                at=now,
                kind=kind,
                **fields,
            )
        )

    priority = rng.choices(["urgent", "high", "normal", "low"], weights=[1, 3, 10, 4])[0]
    add(
        "created",
        0,
        status="new",
        priority=priority,
        channel=rng.choice(["email", "web", "chat"]),
        actor="customer",
    )
    for _ in range(rng.randint(1, 3)):
        add("agent_reply", rng.expovariate(1 / 90))
        if rng.random() < 0.4:
            add("status_changed", rng.uniform(1, 5), status="pending")
        add("customer_message", rng.expovariate(1 / 240))
        if rng.random() < 0.15:
            add(
                "priority_changed",
                rng.uniform(1, 30),
                priority=rng.choice(["urgent", "high", "normal"]),
            )
        if rng.random() < 0.2:
            add("internal_note", rng.uniform(1, 60))
    add("agent_reply", rng.expovariate(1 / 120))
    if rng.random() < 0.8:
        add("status_changed", rng.uniform(1, 600), status="solved")
        if rng.random() < 0.15:
            add("customer_message", rng.uniform(60, 3000))
            add("agent_reply", rng.expovariate(1 / 60))
            add("status_changed", rng.uniform(1, 120), status="solved")
    return events


def stream(
    n_events: int, seed: int, *, spread: timedelta = timedelta(days=20)
) -> list[TicketEvent]:
    """Tickets' events until ``n_events``, tickets created at random over ``spread``, in time order."""
    rng = random.Random(seed)
    events: list[TicketEvent] = []
    number = 0
    while len(events) < n_events:
        number += 1
        start = START + timedelta(seconds=rng.uniform(0, spread.total_seconds()))
        events.extend(ticket_history(rng, f"T{seed}-{number}", start))
    events = events[:n_events]
    events.sort(key=lambda e: e.order)
    return events


def with_duplicates(events: list[TicketEvent], share: float, seed: int) -> list[TicketEvent]:
    """``events`` plus redeliveries of a random ``share`` of them, shuffled."""
    rng = random.Random(seed)
    out = list(events) + rng.sample(events, int(len(events) * share))
    rng.shuffle(out)
    return out


def chunks(items: list[TicketEvent], size: int) -> Iterator[list[TicketEvent]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
