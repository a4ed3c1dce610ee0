"""Fold throughput: synthetic tickets (about 10 events, four metrics) folded per second, one core.

    .venv/bin/python benchmarks/bench_clocks.py [--tickets 100000] [--seed 7]

Prints a table: tickets, events, seconds, tickets/s and microseconds per ticket, for the whole
fold (``ticketsla.evaluate``) and for its parts (ordering events, the fold proper), so a change
that slows one part shows where.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from ticketsla import SLAPolicy, TicketEvent, evaluate
from ticketsla.clock import fold
from ticketsla.events import order_events

GOAL_TICKETS_PER_SECOND = 20_000

POLICY = SLAPolicy.from_mapping(
    {
        "name": "bench",
        "calendar": "us-business",
        "targets": {
            "first_response": {"urgent": "1h", "high": "4h", "normal": "8h", "low": "24h"},
            "next_response": {"urgent": "2h", "high": "4h", "normal": "8h", "low": "24h"},
            "periodic_update": {"all": "16h"},
            "resolution": {"urgent": "8h", "high": "16h", "normal": "40h", "low": "80h"},
        },
        "warnings": {"at": ["75%", "30m"]},
    }
)


def synthetic_ticket(rng: random.Random, number: int) -> list[TicketEvent]:
    """A plausible ticket: created, a reply, some back and forth, a wait, a solve, a rating."""
    start = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 525_600))
    ticket = f"T{number}"
    at = start
    seq = 0

    def event(kind: str, **fields: object) -> TicketEvent:
        nonlocal seq
        seq += 1
        return TicketEvent(ticket_id=ticket, event_id=f"{ticket}-{seq}", at=at, kind=kind, **fields)

    def later(low: int, high: int) -> datetime:
        return at + timedelta(minutes=rng.randrange(low, high))

    priority = rng.choice(["urgent", "high", "normal", "normal", "low"])
    events = [event("created", priority=priority, channel="email"), event("customer_message")]
    at = later(5, 600)
    events.append(event("agent_reply"))
    for _ in range(rng.randrange(1, 3)):
        at = later(10, 2000)
        events.append(event("customer_message"))
        at = later(10, 900)
        events.append(event("agent_reply"))
    if rng.random() < 0.5:
        events.append(event("status_changed", status="pending"))
        at = later(60, 4000)
        events.append(event("status_changed", status="open"))
    if rng.random() < 0.2:
        at = later(1, 300)
        events.append(event("priority_changed", priority=rng.choice(["urgent", "high"])))
    at = later(10, 2000)
    events.append(event("status_changed", status="solved"))
    if rng.random() < 0.3:
        at = later(10, 3000)
        events.append(event("satisfaction_rated", rating=rng.choice(["good", "bad"])))
    rng.shuffle(events)  # arrival order is not history order
    return events


def measure(label: str, tickets: list[list[TicketEvent]], run: object) -> tuple[str, float]:
    assert callable(run)
    started = time.perf_counter()
    for events in tickets:
        run(events)
    return label, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tickets = [synthetic_ticket(rng, n) for n in range(args.tickets)]
    events = sum(len(t) for t in tickets)
    at = datetime(2027, 6, 1, tzinfo=UTC)
    at_us = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    ordered = [order_events(t) for t in tickets]
    # warm the calendar's period index and the holiday cache
    evaluate(tickets[0], POLICY, at)

    rows = [
        measure("evaluate (whole fold)", tickets, lambda ev: evaluate(ev, POLICY, at)),
        measure("order_events only", tickets, order_events),
        measure("fold of ordered events", ordered, lambda ev: fold(ev, POLICY, at_us)),
    ]
    print(f"{args.tickets:,} tickets, {events:,} events ({events / args.tickets:.1f} per ticket)")
    print(f"{'part':<26}{'seconds':>10}{'tickets/s':>14}{'µs/ticket':>12}")
    for label, seconds in rows:
        rate = args.tickets / seconds
        print(f"{label:<26}{seconds:>10.2f}{rate:>14,.0f}{seconds / args.tickets * 1e6:>12.1f}")
    whole = args.tickets / rows[0][1]
    verdict = "met" if whole >= GOAL_TICKETS_PER_SECOND else "NOT met"
    print(
        f"goal: {GOAL_TICKETS_PER_SECOND:,} tickets/s on one core: {verdict} "
        f"({whole / GOAL_TICKETS_PER_SECOND:.2f}x the goal)"
    )


if __name__ == "__main__":
    main()
