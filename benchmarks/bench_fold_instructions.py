"""The fold's cost counted in machine instructions, which do not move with load: a steady
cross-check of ``bench_clocks.py --only fold`` and ``bench_fold_versions.py``.

    .venv/bin/python benchmarks/bench_fold_instructions.py [PATH] [--tickets 300]

Needs valgrind (Debian: ``apt-get install valgrind``). Each measure runs in a child Python
under ``valgrind --tool=callgrind`` twice, once with one round over the work and once with
three; the difference, divided by two rounds and the number of items, is the instructions one
item costs, without start-up and set-up. The items are those of ``bench_clocks.py --only
fold``: ``evaluate`` on a synthetic ticket's events in arrival order, the fold of the same
events already ordered, and one ``Calendar.add`` on aware datetimes. The last column gives a
ticket's cost in ``Calendar.add`` calls by instructions; it runs below the timed figure,
because an instruction of the fold takes longer on average than one of ``Calendar.add``.

``PATH`` is another checkout's ``src`` folder (as for ``bench_fold_versions.py``): its fold is
counted too, against this checkout's ``Calendar.add``. Children run two at a time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import table, versions

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODES = ("evaluate", "fold", "add")
COLLECTED = re.compile(r"Collected : (\d+)")


def child(src: str, mode: str, rounds: int, tickets: int) -> None:
    """Run ``rounds`` rounds of ``mode`` with the ``ticketsla`` found in ``src``."""
    import random
    from datetime import UTC, datetime

    sys.path.insert(0, src)
    from bench_clocks import POLICY_MAPPING, calendar_cases, synthetic_ticket

    import ticketsla
    from ticketsla import SLAPolicy, evaluate
    from ticketsla.clock import fold

    if not Path(ticketsla.__file__).resolve().is_relative_to(Path(src).resolve()):
        raise SystemExit(f"ticketsla came from {ticketsla.__file__}, not from {src}")
    from ticketsla.events import order_events

    mapping = POLICY_MAPPING | {"calendar": str(ROOT / "calendars" / "us-business.toml")}
    policy = SLAPolicy.from_mapping(mapping)
    rng = random.Random(7)
    arrived = [synthetic_ticket(rng, n) for n in range(tickets)]
    ordered = [order_events(t) for t in arrived]
    cases = calendar_cases(rng, tickets)
    at = datetime(2027, 6, 1, tzinfo=UTC)
    at_us = int(at.timestamp()) * 1_000_000
    add = policy.calendar.add
    evaluate(arrived[0], policy, at)  # warm the calendar's index and the holiday cache
    add(*cases[0])
    for _ in range(rounds):
        if mode == "evaluate":
            for events in arrived:
                evaluate(events, policy, at)
        elif mode == "fold":
            for events in ordered:
                fold(events, policy, at_us)
        else:
            for start, length in cases:
                add(start, length)


def instructions(src: str, mode: str, rounds: int, tickets: int) -> int:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        str(rounds),
        "--src",
        src,
        "--tickets",
        str(tickets),
    ]
    # one hash seed for every child: string hashes steer dict and set probing, which moves the
    # count by about half a percent from one run to the next otherwise
    env = os.environ | {"PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    found = COLLECTED.search(done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{mode} under valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_item(src: str, mode: str, tickets: int) -> float:
    with ThreadPoolExecutor(max_workers=2) as pool:
        one, three = pool.map(lambda rounds: instructions(src, mode, rounds, tickets), (1, 3))
    return (three - one) / 2 / tickets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("previous", nargs="?", type=Path, help="another checkout's src folder")
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ROUNDS"), help=argparse.SUPPRESS)
    parser.add_argument("--src", default=str(ROOT / "src"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.src, args.child[0], int(args.child[1]), args.tickets)
        return
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not on PATH (Debian: apt-get install valgrind)")
    if args.previous is not None and not (args.previous / "ticketsla" / "__init__.py").is_file():
        parser.error(f"{args.previous}: no ticketsla package in it (give a checkout's src folder)")
    print(f"{versions('ticketsla')}; {os.cpu_count()} cores; {args.tickets} items per round")
    unit = per_item(str(ROOT / "src"), "add", args.tickets)
    sources = [("this checkout", str(ROOT / "src"))]
    if args.previous is not None:
        sources.insert(0, ("previous", str(args.previous.resolve())))
    rows = [["Calendar.add (this checkout)", "", f"{unit:,.0f}", "1"]]
    for label, src in sources:
        for mode in MODES[:2]:
            count = per_item(src, mode, args.tickets)
            rows.append([label, mode, f"{count:,.0f}", f"{count / unit:.1f}"])
    headers = ["version", "part", "instructions each", "add calls"]
    print(table(headers, rows, right=(2, 3)))


if __name__ == "__main__":
    main()
