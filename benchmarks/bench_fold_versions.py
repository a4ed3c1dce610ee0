"""The clock fold of another checkout against this one, in one process, taking turns.

    .venv/bin/python benchmarks/bench_fold_versions.py PATH [--tickets 3000] [--rounds 8]

``PATH`` is the ``src`` folder of another checkout (``git worktree add /tmp/previous <commit>``
gives one at ``/tmp/previous/src``). Its ``ticketsla`` package is copied into a temporary folder
as ``ticketsla_previous``, so both versions are imported side by side; the same synthetic tickets
as ``bench_clocks.py --only fold`` go through each in turn, both as ``bench_clocks.py`` times
them (``evaluate`` on events in arrival order, and the fold of events already ordered), best of
``--rounds`` rounds, CPU time of this process, garbage collector off. This checkout's
``Calendar.add`` takes its turn in the same rounds, so the "add calls" column (µs a ticket / µs
a call) sees the same machine and load as the folds, which separate runs of ``bench_clocks.py``
do not always do. Answers are checked equal on the first 500 tickets before anything is timed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import table, timed, versions
from bench_clocks import POLICY, POLICY_MAPPING, calendar_cases, synthetic_ticket

from ticketsla import evaluate
from ticketsla.clock import fold
from ticketsla.events import order_events

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("previous", type=Path, help="the src folder of the other checkout")
    parser.add_argument("--tickets", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (args.previous / "ticketsla" / "__init__.py").is_file():
        parser.error(f"{args.previous}: no ticketsla package in it (give a checkout's src folder)")
    print(f"{versions('ticketsla')}; {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(args.previous / "ticketsla", Path(folder) / "ticketsla_previous")
        sys.path.insert(0, folder)
        previous = importlib.import_module("ticketsla_previous")
        compare(args, previous)


def compare(args: argparse.Namespace, previous: Any) -> None:
    old_fold = importlib.import_module(f"{previous.__name__}.clock").fold
    old_events = importlib.import_module(f"{previous.__name__}.events")
    # a bundled calendar is found next to the package: the copy names it by path
    mapping = POLICY_MAPPING | {"calendar": str(ROOT / "calendars" / "us-business.toml")}
    old_policy = previous.SLAPolicy.from_mapping(mapping)
    rng = random.Random(args.seed)
    arrived = [synthetic_ticket(rng, n) for n in range(args.tickets)]  # in arrival order
    old_arrived = [[old_events.TicketEvent.from_dict(e.to_dict()) for e in t] for t in arrived]
    tickets = [order_events(t) for t in arrived]
    old_tickets = [old_events.order_events(t) for t in old_arrived]
    at = datetime(2027, 6, 1, tzinfo=UTC)
    at_us = (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    for new, old in zip(arrived[:500], old_arrived[:500], strict=True):
        if repr(evaluate(new, POLICY, at)) != repr(previous.evaluate(old, old_policy, at)):
            raise SystemExit(f"the two folds answer differently on ticket {new[0].ticket_id}")
    cases = calendar_cases(rng, 20_000)
    add = POLICY.calendar.add
    runs: dict[str, Callable[[], Any]] = {
        "Calendar.add": lambda: [add(start, length) for start, length in cases],
        "previous: evaluate": lambda: [previous.evaluate(t, old_policy, at) for t in old_arrived],
        "this checkout: evaluate": lambda: [evaluate(t, POLICY, at) for t in arrived],
        "previous: fold of ordered events": lambda: [
            old_fold(t, old_policy, at_us) for t in old_tickets
        ],
        "this checkout: fold of ordered events": lambda: [fold(t, POLICY, at_us) for t in tickets],
    }
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(max(args.rounds, 1)):
        for label, run in runs.items():
            _, _, cpu = timed(run)
            best[label] = min(best[label], cpu)
    unit = best.pop("Calendar.add") / len(cases) * 1e6
    rows = []
    for label, cpu in best.items():
        each = cpu / args.tickets * 1e6
        base = best[label.replace("this checkout", "previous")] / args.tickets * 1e6
        rows.append([label, f"{each:.1f}", f"{each / base:.2f}", f"{each / unit:.1f}"])
    print(
        f"{args.tickets:,} tickets, best of {args.rounds} rounds taking turns; "
        f"Calendar.add {unit:.2f} µs in the same rounds"
    )
    headers = ["fold", "CPU µs a ticket", "of previous", "add calls"]
    print(table(headers, rows, right=(1, 2, 3)))


if __name__ == "__main__":
    main()
