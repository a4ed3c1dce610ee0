"""Small helpers shared by the benchmarks in this folder: timing, tables, environment lines."""

from __future__ import annotations

import gc
import platform
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from typing import Any


def timed(batch: Callable[[], Any], passes: int = 1) -> tuple[Any, float, float]:
    """Run ``batch`` ``passes`` times; return (last result, best wall s, best CPU s).

    Wall time is ``time.perf_counter``; CPU time is ``time.process_time`` (this process only),
    which other processes on a busy machine disturb much less. The garbage collector is off
    while a pass runs (as ``timeit`` does), so a collection triggered by one library's garbage
    is not billed to another.
    """
    best_wall = best_cpu = float("inf")
    result: Any = None
    enabled = gc.isenabled()
    try:
        for _ in range(max(passes, 1)):
            gc.collect()
            gc.disable()
            wall, cpu = time.perf_counter(), time.process_time()
            result = batch()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            gc.enable()
            best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    finally:
        if enabled:
            gc.enable()
    return result, best_wall, best_cpu


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    """A plain-text table; columns whose index is in ``right`` are right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def versions(*distributions: str) -> str:
    """One line naming Python, the platform and the versions of ``distributions``."""
    found = []
    for name in distributions:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    py = sys.version.split()[0]
    return f"Python {py} on {platform.machine()} {platform.system()}; " + ", ".join(found)
