"""The clock fold of another checkout against this one, in one process, taking turns.

    .venv/bin/python benchmarks/bench_fold_versions.py PATH [--tickets 3000] [--rounds 8]

``PATH`` is the ``src`` folder of another checkout (``git worktree add /tmp/previous <commit>``
gives one at ``/tmp/previous/src``). Its ``ticketsla`` package is copied into a temporary folder
as ``ticketsla_previous``, so both versions are imported side by side; the same synthetic tickets
as ``bench_clocks.py --only fold`` are folded by each in turn, best of ``--rounds`` rounds, CPU
time of this process, garbage collector off. Sharing one process and taking turns, the two meet
the same machine and load, which the ``Calendar.add`` unit of ``bench_clocks.py`` does not
always do. Answers are checked equal on the first 500 tickets before anything is timed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import shutil
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import table, timed, versions
from bench_clocks import POLICY, POLICY_MAPPING, synthetic_ticket

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
    tickets = [order_events(synthetic_ticket(rng, n)) for n in range(args.tickets)]
    old_tickets = [
        old_events.order_events([old_events.TicketEvent.from_dict(e.to_dict()) for e in t])
        for t in tickets
    ]
    at_us = (datetime(2027, 6, 1, tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )
    for new, old in zip(tickets[:500], old_tickets[:500], strict=True):
        if repr(fold(new, POLICY, at_us).clocks) != repr(old_fold(old, old_policy, at_us).clocks):
            raise SystemExit(f"the two folds answer differently on ticket {new[0].ticket_id}")
    best = {"previous": float("inf"), "this checkout": float("inf")}
    for _ in range(max(args.rounds, 1)):
        _, _, cpu = timed(lambda: [old_fold(t, old_policy, at_us) for t in old_tickets])
        best["previous"] = min(best["previous"], cpu)
        _, _, cpu = timed(lambda: [fold(t, POLICY, at_us) for t in tickets])
        best["this checkout"] = min(best["this checkout"], cpu)
    base = best["previous"]
    rows = [
        [label, f"{cpu / args.tickets * 1e6:.1f}", f"{cpu / base:.2f}"]
        for label, cpu in best.items()
    ]
    print(f"{args.tickets:,} tickets, best of {args.rounds} rounds taking turns")
    print(table(["fold of ordered events", "CPU µs a ticket", "of previous"], rows, right=(1, 2)))


if __name__ == "__main__":
    main()
