"""Fold cost: synthetic tickets (about 10 events, four metrics) folded on one core, measured in
``Calendar.add`` calls timed in the same run.

    .venv/bin/python benchmarks/bench_clocks.py [--tickets 20000] [--rounds 3] [--seed 7]

Prints a table: seconds, tickets/s, microseconds per ticket and the cost of a ticket in
calendar-call equivalents (µs per ticket / µs per ``Calendar.add`` on aware datetimes), for the
whole fold (``ticketsla.evaluate``) and for its parts (ordering events, the fold proper), so a
change that slows one part shows where. Absolute figures move from machine to machine; the
calendar-call ratio does much less, and it is what the goal holds: the whole fold at most
``GOAL_CALENDAR_CALLS`` calls a ticket. Each row keeps its best of ``--rounds`` rounds that take
every row in turn, CPU time of this process (wall time alongside), garbage collector off.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import table, timed, versions

from ticketsla import SLAPolicy, TicketEvent, evaluate
from ticketsla.clock import fold
from ticketsla.events import order_events

# The whole fold of a ticket costs at most this many Calendar.add calls.
GOAL_CALENDAR_CALLS = 15

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


def calendar_cases(rng: random.Random, count: int) -> list[tuple[datetime, timedelta]]:
    """``Calendar.add`` inputs as the clocks meet them: any minute of 2026 in the calendar's zone,
    a target of one minute to 80 business hours."""
    zone = POLICY.calendar.zone
    start = datetime(2026, 1, 1, tzinfo=zone)
    return [
        (
            start + timedelta(minutes=rng.randrange(0, 525_600)),
            timedelta(minutes=rng.randrange(1, 80 * 60)),
        )
        for _ in range(count)
    ]


def best_of_rounds(
    batches: Sequence[tuple[str, Callable[[], Any]]], rounds: int
) -> dict[str, tuple[float, float]]:
    """Each batch's best (wall s, CPU s) over ``rounds`` rounds that take every batch in turn, so
    load that comes and goes lands on all of them."""
    best: dict[str, tuple[float, float]] = {}
    for _ in range(max(rounds, 1)):
        for label, batch in batches:
            _, wall, cpu = timed(batch)
            old_wall, old_cpu = best.get(label, (float("inf"), float("inf")))
            best[label] = (min(old_wall, wall), min(old_cpu, cpu))
    return best


def fold_cost(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    tickets = [synthetic_ticket(rng, n) for n in range(args.tickets)]
    events = sum(len(t) for t in tickets)
    at = datetime(2027, 6, 1, tzinfo=UTC)
    at_us = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    ordered = [order_events(t) for t in tickets]
    cases = calendar_cases(rng, args.calendar_calls)
    add = POLICY.calendar.add
    # warm the calendar's period index and the holiday cache
    evaluate(tickets[0], POLICY, at)
    add(*cases[0])

    batches: list[tuple[str, Callable[[], Any]]] = [
        ("Calendar.add (aware datetimes)", lambda: [add(s, d) for s, d in cases]),
        ("evaluate (whole fold)", lambda: [evaluate(t, POLICY, at) for t in tickets]),
        ("order_events only", lambda: [order_events(t) for t in tickets]),
        ("fold of ordered events", lambda: [fold(t, POLICY, at_us) for t in ordered]),
    ]
    best = best_of_rounds(batches, args.rounds)
    add_wall, add_cpu = best["Calendar.add (aware datetimes)"]
    add_wall_us, add_cpu_us = add_wall / len(cases) * 1e6, add_cpu / len(cases) * 1e6
    rows = [
        [
            "Calendar.add (aware datetimes)",
            f"{len(cases):,} calls",
            f"{add_cpu:.2f}",
            "",
            f"{add_cpu_us:.2f}",
            f"{add_wall_us:.2f}",
            "1",
        ]
    ]
    for label, _ in batches[1:]:
        wall, cpu = best[label]
        per_cpu, per_wall = cpu / args.tickets * 1e6, wall / args.tickets * 1e6
        rows.append(
            [
                label,
                f"{args.tickets:,} tickets",
                f"{cpu:.2f}",
                f"{args.tickets / cpu:,.0f}",
                f"{per_cpu:.1f}",
                f"{per_wall:.1f}",
                f"{per_cpu / add_cpu_us:.1f}",
            ]
        )
    print(f"{args.tickets:,} tickets, {events:,} events ({events / args.tickets:.1f} per ticket)")
    headers = ["part", "size", "CPU s", "tickets/s", "CPU µs each", "wall µs each", "add calls"]
    print(table(headers, rows, right=(2, 3, 4, 5, 6)))
    whole_cpu = best["evaluate (whole fold)"][1] / args.tickets * 1e6
    whole_wall = best["evaluate (whole fold)"][0] / args.tickets * 1e6
    calls, calls_wall = whole_cpu / add_cpu_us, whole_wall / add_wall_us
    verdict = "MET" if calls <= GOAL_CALENDAR_CALLS else "NOT MET"
    print(
        f"goal: a whole fold costs at most {GOAL_CALENDAR_CALLS} Calendar.add calls a ticket: "
        f"{verdict} ({calls:.1f} by CPU time, {calls_wall:.1f} by wall time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--calendar-calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(versions("ticketsla"), f"; {os.cpu_count()} cores", sep="")
    fold_cost(args)


if __name__ == "__main__":
    main()
