"""Fold cost: synthetic tickets (about 10 events, four metrics) folded on one core, measured in
``Calendar.add`` calls timed in the same run.

    .venv/bin/python benchmarks/bench_clocks.py [--tickets 20000] [--rounds 3] [--seed 7]

Prints a table: seconds, tickets/s, microseconds per ticket and the cost of a ticket in
calendar-call equivalents (µs per ticket / µs per ``Calendar.add`` on aware datetimes), for the
whole fold (``ticketsla.evaluate``) and for its parts (ordering events, the fold proper), so a
change that slows one part shows where. Each row keeps its best of ``--rounds`` rounds that take
every row in turn, CPU time of this process (wall time alongside), garbage collector off.

Absolute figures move from machine to machine; the calendar-call ratio does much less, and it is
what the goal holds: the whole fold at most ``GOAL_CALENDAR_CALLS`` calls a ticket. The goal's
figure is measured in pairs (``paired_ratios``): a slice of ``Calendar.add`` calls and a slice of
tickets taken in turn, a few milliseconds each, the middle of every pair's ratio. On a shared
machine the best of whole batches moves by a fifth or more from one process to the next; the
pairs' middle moves by a few percent.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import table, timed, versions

from ticketsla import SLAPolicy, TicketEvent, evaluate
from ticketsla.clock import fold
from ticketsla.events import order_events
from ticketsla.fold_snapshot import SNAPSHOT_LAG, FoldSnapshot, fold_with_snapshot, snapshot_key

# The whole fold of a ticket costs at most this many Calendar.add calls.
GOAL_CALENDAR_CALLS = 15
# The slices measured in turn for the goal's figure (see paired_ratios)
PAIR_CALLS = 1000
PAIR_TICKETS = 50
# A late event on a 1,000-event ticket costs at most this many times one on a 50-event ticket.
GOAL_LATE_RATIO = 3.0
LATE_SIZES = (50, 1000)

POLICY_MAPPING: dict[str, Any] = {
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
POLICY = SLAPolicy.from_mapping(POLICY_MAPPING)


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


def paired_ratios(
    add: Callable[[datetime, timedelta], datetime],
    cases: Sequence[tuple[datetime, timedelta]],
    tickets: Sequence[list[TicketEvent]],
    at: datetime,
    rounds: int,
) -> list[float]:
    """The cost of a ticket's ``evaluate`` in ``Calendar.add`` calls, measured in pairs: a slice
    of ``PAIR_CALLS`` calls, then a slice of ``PAIR_TICKETS`` tickets (a few milliseconds each),
    over every slice of the tickets in each of ``rounds`` rounds. Load on a shared machine comes
    and goes over seconds, so the two halves of a pair run under the same load, where the best
    of whole batches compares a short batch's luckiest moment with a long one's."""
    clock = time.process_time
    ratios = []
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(max(rounds, 1)):
            for pair, first in enumerate(range(0, len(tickets) - PAIR_TICKETS + 1, PAIR_TICKETS)):
                offset = pair * PAIR_CALLS % (len(cases) - PAIR_CALLS + 1)
                calls = cases[offset : offset + PAIR_CALLS]
                batch = tickets[first : first + PAIR_TICKETS]
                start = clock()
                for moment, length in calls:
                    add(moment, length)
                middle = clock()
                for events in batch:
                    evaluate(events, POLICY, at)
                end = clock()
                per_call = (middle - start) / PAIR_CALLS
                if per_call > 0:  # a slice the CPU clock did not see tick gives no ratio
                    ratios.append((end - middle) / PAIR_TICKETS / per_call)
    finally:
        if enabled:
            gc.enable()
    return sorted(ratios)


def fold_cost(args: argparse.Namespace) -> None:
    if args.tickets < PAIR_TICKETS or args.calendar_calls < PAIR_CALLS:
        raise SystemExit(
            f"the pairs need --tickets {PAIR_TICKETS} and --calendar-calls {PAIR_CALLS} at least"
        )
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
    print(
        f"best of {args.rounds} rounds of whole batches: {calls:.1f} Calendar.add calls a ticket "
        f"by CPU time, {calls_wall:.1f} by wall time"
    )
    ratios = paired_ratios(add, cases, tickets, at, args.rounds)
    middle = statistics.median(ratios)
    low, high = ratios[len(ratios) // 10], ratios[len(ratios) * 9 // 10]
    print(
        f"in pairs ({len(ratios):,} pairs of {PAIR_CALLS:,} calls and {PAIR_TICKETS} tickets): "
        f"{middle:.1f} calls a ticket in the middle, {low:.1f}-{high:.1f} in the middle 80%"
    )
    verdict = "MET" if middle <= GOAL_CALENDAR_CALLS else "NOT MET"
    print(
        f"goal: a whole fold costs at most {GOAL_CALENDAR_CALLS} Calendar.add calls a ticket: "
        f"{verdict} ({middle:.1f}, the middle of the pairs by CPU time)"
    )


def long_ticket(rng: random.Random, number: int, size: int) -> list[TicketEvent]:
    """A long-running ticket of ``size`` events in history order: back and forth with the
    customer, internal notes, reassignments, waits on the customer, the odd priority change."""
    at = datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(minutes=rng.randrange(0, 100_000))
    ticket = f"L{number}"
    events = [
        TicketEvent(
            ticket_id=ticket, event_id=f"{ticket}-0", at=at, kind="created", priority="high"
        )
    ]
    pending = False
    while len(events) < size:
        at += timedelta(minutes=rng.randrange(5, 600))
        roll = rng.random()
        fields: dict[str, Any] = {}
        if roll < 0.3:
            kind = "customer_message"
            pending = False
        elif roll < 0.6:
            kind = "agent_reply"
        elif roll < 0.75:
            kind = "internal_note"
        elif roll < 0.85:
            kind, fields = "assigned", {"assignee": f"agent{rng.randrange(9)}"}
        elif roll < 0.95:
            pending = not pending
            kind, fields = "status_changed", {"status": "pending" if pending else "open"}
        else:
            kind, fields = (
                "priority_changed",
                {"priority": rng.choice(["urgent", "high", "normal"])},
            )
        events.append(
            TicketEvent(
                ticket_id=ticket, event_id=f"{ticket}-{len(events)}", at=at, kind=kind, **fields
            )
        )
    return events


def late_event_cost(args: argparse.Namespace) -> None:
    """A late event lands among the last events of a ticket whose previous fold left a snapshot:
    refolding the whole history against resuming from the snapshot (kept in memory, or read
    from JSON and the next one written back, as a store would), for short and long tickets."""
    rng = random.Random(args.seed)
    key = snapshot_key(POLICY)
    later = 60_000_000  # a minute later: every settled cycle's state is copied to the new instant
    Case = tuple[list[TicketEvent], list[TicketEvent], FoldSnapshot, str, int]
    cases: dict[int, list[Case]] = {}
    cycles: dict[int, int] = {}
    for size in LATE_SIZES:
        cases[size] = []
        for n in range(args.late_tickets):
            history = long_ticket(rng, n, size)
            at_us = history[-1].at_us + 1
            _, snapshot = fold_with_snapshot(history, POLICY, at_us, key=key)
            assert snapshot is not None
            slot = size - 1 - rng.randrange(1, 8)  # between two of the last few events
            between = history[slot].at + (history[slot + 1].at - history[slot].at) / 2
            late = TicketEvent(
                ticket_id=history[0].ticket_id, event_id="late", at=between, kind="internal_note"
            )
            everything = [*history, late]
            rest = [*history[snapshot.count :], late]
            # as the engine refolds: as of just after the last event, which a late event
            # before it leaves where it was
            whole = fold(everything, POLICY, at_us)
            cycles[size] = cycles.get(size, 0) + len(whole.clocks)
            text = snapshot.to_json()
            for kept in (snapshot, FoldSnapshot.from_json(text)):
                resumed, _ = fold_with_snapshot(rest, POLICY, at_us, key=key, snapshot=kept)
                assert resumed == whole, "resuming from a snapshot must give the whole fold"
            resumed, _ = fold_with_snapshot(rest, POLICY, at_us + later, key=key, snapshot=snapshot)
            assert resumed == fold(everything, POLICY, at_us + later)
            cases[size].append((everything, rest, snapshot, text, at_us))

    def refold(size: int) -> Callable[[], Any]:
        return lambda: [fold(every, POLICY, at) for every, _, _, _, at in cases[size]]

    def resume(size: int, shift: int = 0) -> Callable[[], Any]:
        def batch() -> list[Any]:
            return [
                fold_with_snapshot(rest, POLICY, at + shift, key=key, snapshot=kept)
                for _, rest, kept, _, at in cases[size]
            ]

        return batch

    def resume_later(size: int) -> Callable[[], Any]:
        return resume(size, later)

    def resume_json(size: int) -> Callable[[], Any]:
        def batch() -> list[str | None]:
            out = []
            for _, rest, _, text, at in cases[size]:
                snapshot = FoldSnapshot.from_json(text)
                _, taken = fold_with_snapshot(rest, POLICY, at, key=key, snapshot=snapshot)
                out.append(None if taken is None else taken.to_json())
            return out

        return batch

    ways = {
        "refold the whole history": refold,
        "resume, snapshot in memory": resume,
        "resume in memory, a minute later": resume_later,
        "resume, snapshot via JSON": resume_json,
    }
    batches = [(f"{how}, {size}", make(size)) for how, make in ways.items() for size in LATE_SIZES]
    best = best_of_rounds(batches, args.rounds)
    count = args.late_tickets
    small, large = LATE_SIZES
    rows = []
    for how in ways:
        cpu = [best[f"{how}, {size}"][1] / count * 1e6 for size in LATE_SIZES]
        rows.append([how, f"{cpu[0]:,.0f}", f"{cpu[1]:,.0f}", f"{cpu[1] / cpu[0]:.1f}x"])
    print()
    print(
        f"late events: {count} tickets of {small} and of {large} events ({cycles[small] / count:.0f}"
        f" and {cycles[large] / count:.0f} clock cycles each), the late event among the last 8, "
        f"the snapshot {SNAPSHOT_LAG} events before the end; refolded as of just after the last "
        "event, as the engine does, or a minute later"
    )
    headers = ["after a late event", f"CPU µs, {small}", f"CPU µs, {large}", "ratio"]
    print(table(headers, rows, right=(1, 2, 3)))
    ratio = (
        best[f"resume, snapshot in memory, {large}"][1]
        / best[f"resume, snapshot in memory, {small}"][1]
    )
    verdict = "MET" if ratio <= GOAL_LATE_RATIO else "NOT MET"
    print(
        f"goal: a late event on a {large}-event ticket costs at most {GOAL_LATE_RATIO:g}x one on "
        f"a {small}-event ticket (snapshot in memory): {verdict} ({ratio:.1f}x by CPU time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--calendar-calls", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--late-tickets", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", choices=("fold", "late"), help="run one of the two parts")
    args = parser.parse_args()
    print(versions("ticketsla"), f"; {os.cpu_count()} cores", sep="")
    if args.only != "late":
        fold_cost(args)
    if args.only != "fold":
        late_event_cost(args)


if __name__ == "__main__":
    main()
