"""Terminal output for people: consoles sized to the terminal, tables that never truncate,
plurals, and commands printed whole so they can be pasted."""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["console", "plural", "print_command", "print_table"]

# Output that is not a terminal (a pipe, a file) keeps long lines rather than wrapping at 80.
_PIPE_WIDTH = 160


def console(file: IO[str] | None = None, *, width: int | None = None) -> Console:
    """A console on ``file`` (stdout): the terminal's width, or ``$COLUMNS``, or 160 in a pipe."""
    out = sys.stdout if file is None else file
    if width is None and not out.isatty():
        columns = os.environ.get("COLUMNS", "")
        width = int(columns) if columns.isdigit() and int(columns) >= 20 else _PIPE_WIDTH
    return Console(file=out, width=width, highlight=False, soft_wrap=False)


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 clock``, ``2 clocks``, ``0 clocks``; ``many`` for irregular plurals."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def print_command(out: Console, command: str) -> None:
    """A command for the user to paste: one line however narrow the terminal, never wrapped."""
    out.print(command, markup=False, highlight=False, soft_wrap=True, crop=False)


def print_table(out: Console, table: Table) -> None:
    """Print ``table`` so nothing is cut: cells wrap between words, and a table too wide for the
    console even with every cell wrapped is printed as one block of ``heading value`` lines
    per row."""
    for column in table.columns:
        column.no_wrap = False
    table.min_width = None
    # Each column needs its longest word (heading included), plus padding and a border.
    words = [
        max(
            (len(w) for cell in (column.header, *column.cells) for w in str(cell).split()),
            default=1,
        )
        for column in table.columns
    ]
    pad = table.padding[1] + table.padding[3]
    frame = len(table.columns) * (pad + 1) + 1  # padding and one border per column, one more
    if sum(words) + frame > out.width:
        out.print(_vertical(table, out.width))
        return
    # Give every column its longest word, then fill the columns that want least more first,
    # so short cells stay on one line and rich only ever wraps between words.
    # Headings may wrap onto more lines; cells are what should stay on one.
    longest = [
        max([least, *(len(line) for cell in column.cells for line in str(cell).split("\n"))])
        for column, least in zip(table.columns, words, strict=True)
    ]
    spare = out.width - frame - sum(words)
    wants = [most - least for most, least in zip(longest, words, strict=True)]
    if sum(wants) > spare:
        extra = [0] * len(wants)
        order = sorted(range(len(wants)), key=wants.__getitem__)
        for place, index in enumerate(order):
            extra[index] = min(wants[index], spare // (len(order) - place))
            spare -= extra[index]
        for column, least, more in zip(table.columns, words, extra, strict=True):
            column.width = least + more
    out.print(table)


def _vertical(table: Table, width: int) -> Table:
    """One ``heading  value`` grid per row, rows separated by a blank line, title on top."""
    headings = [str(c.header) for c in table.columns]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold", max_width=max(width - max(map(len, headings)) - 2, 20))
    if table.title:
        grid.add_row(Text(str(table.title)), "")
    rows = list(zip(*(list(c.cells) for c in table.columns), strict=True))
    for index, row in enumerate(rows):
        if index or table.title:
            grid.add_row("", "")
        for heading, cell in zip(headings, row, strict=True):
            grid.add_row(heading, cell if isinstance(cell, Text) else Text(str(cell)))
    return grid
