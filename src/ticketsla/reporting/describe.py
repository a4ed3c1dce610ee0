"""The SLA document: what a customer signs up to, written from a policy file.

``describe(policy, today=date(...))`` builds the document as a list of blocks (headings,
paragraphs, lists, tables); ``.to_markdown()`` and ``.to_html()`` render the same blocks, so the
two forms never disagree. ``today`` is a parameter (the command line passes the real date): the
holidays listed are those of the twelve months from it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..calendar import WEEKDAYS, Calendar
from ..contract_terms import Contract, format_share
from ..durations import format_duration
from ..events import Priority
from ..metrics import MetricDefinition, OnReopen
from ..outcomes import CSAT_MEASURE, FCR_MEASURE
from ..policy import SLAPolicy

__all__ = ["Block", "SLADocument", "describe"]

_LOOSE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TRIGGERS = {
    "created": "the ticket is created",
    "customer_message": "the customer writes",
    "agent_reply": "an agent replies publicly",
    "internal_note": "an internal note is added",
    "priority_changed": "the priority changes",
    "assigned": "the ticket is assigned",
    "satisfaction_rated": "the customer rates the ticket",
    "fields_changed": "a ticket field changes",
    "status_changed": "the status changes",
    "due_set": "an agent sets a due date",
    "due_cleared": "an agent removes the due date",
}
_REOPEN = {
    OnReopen.CONTINUE: "a reopened ticket continues this clock with its elapsed time kept",
    OnReopen.RESTART: "a reopened ticket restarts this clock from zero",
    OnReopen.NEW_CYCLE: "a reopened ticket starts a new clock",
    OnReopen.IGNORE: "",
}


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of the document: ``kind`` is heading, paragraph, list or table."""

    kind: str
    text: str = ""
    level: int = 2
    items: tuple[str, ...] = ()
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class SLADocument:
    """The SLA document of one policy, renderable as Markdown or as one HTML page."""

    title: str
    blocks: tuple[Block, ...]

    def to_markdown(self) -> str:
        out: list[str] = []
        for block in self.blocks:
            if block.kind == "heading":
                out.append(f"{'#' * block.level} {_md(block.text)}")
            elif block.kind == "paragraph":
                out.append(_md_line(block.text))
            elif block.kind == "list":
                out.append("\n".join(f"- {_md_line(item)}" for item in block.items))
            else:
                lines = [
                    "| " + " | ".join(_md_cell(h) for h in block.header) + " |",
                    "|" + "|".join(" --- " for _ in block.header) + "|",
                ]
                lines.extend(
                    "| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows
                )
                out.append("\n".join(lines))
        return "\n\n".join(out) + "\n"

    def to_html(self) -> str:
        body: list[str] = []
        for block in self.blocks:
            if block.kind == "heading":
                body.append(f"<h{block.level}>{escape_html(block.text)}</h{block.level}>")
            elif block.kind == "paragraph":
                body.append(f"<p>{escape_html(block.text)}</p>")
            elif block.kind == "list":
                items = "".join(f"<li>{escape_html(item)}</li>" for item in block.items)
                body.append(f"<ul>{items}</ul>")
            else:
                head = "".join(f'<th scope="col">{escape_html(h)}</th>' for h in block.header)
                rows = "".join(
                    "<tr>" + "".join(f"<td>{escape_html(c)}</td>" for c in row) + "</tr>"
                    for row in block.rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        return _PAGE.format(title=escape_html(self.title), body="\n".join(body))


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{title}</title>
<style>
body {{ font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ font-size: 1.7rem; border-bottom: 2px solid #2f6fdf; padding-bottom: .3rem; }}
h2 {{ font-size: 1.25rem; margin-top: 2rem; }}
h3 {{ font-size: 1.05rem; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; }}
th, td {{ border: 1px solid #d5dae3; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
th {{ background: #f1f4f9; }}
@media print {{ body {{ margin: 0; max-width: none; }} }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def escape_html(text: str) -> str:
    return html.escape(text, quote=True)


def _md(text: str) -> str:
    """Escape the characters Markdown would read as markup in running text (an underscore
    inside a word, as in first_response, is left alone: it marks nothing)."""
    out = text
    for char in ("\\", "`", "*", "[", "]", "<", ">", "|"):
        out = out.replace(char, "\\" + char)
    return _LOOSE_UNDERSCORE.sub(r"\\_", out)


def _md_line(text: str) -> str:
    """Running text that starts a line: a leading #, - or + would make a heading or a list."""
    out = _md(text)
    return "\\" + out if out.startswith(("#", "-", "+")) else out


def _md_cell(text: str) -> str:
    return _md(text).replace("\n", " ")


# ---- building the document ------------------------------------------------------------------


def describe(policy: SLAPolicy, *, today: date) -> SLADocument:
    """The SLA document of ``policy``, with holidays for the twelve months from ``today``."""
    blocks: list[Block] = [Block("heading", f"Service level agreement: {policy.name}", level=1)]
    if policy.description:
        blocks.append(Block("paragraph", policy.description))
    blocks.append(
        Block(
            "paragraph",
            f"This document describes the service levels of the policy {policy.name!r} as of "
            f"{today.isoformat()}. Times are business time on the calendars below unless "
            "stated otherwise.",
        )
    )
    blocks.extend(_coverage(policy))
    blocks.extend(_hours(policy, today))
    blocks.extend(_targets(policy))
    blocks.extend(_clocks(policy))
    blocks.extend(_objectives(policy.contract, policy))
    blocks.extend(_credits(policy.contract))
    blocks.extend(_escalation(policy))
    return SLADocument(title=f"Service level agreement: {policy.name}", blocks=tuple(blocks))


def _coverage(policy: SLAPolicy) -> list[Block]:
    blocks = [Block("heading", "Services and channels covered")]
    if not policy.match:
        blocks.append(Block("paragraph", "Every ticket is covered by this agreement."))
    else:
        items = []
        for name, values in policy.match:
            listed = ", ".join(sorted(values))
            if name == "tags":
                items.append(f"tickets tagged with all of: {listed}")
            else:
                label = {"organization": "customers (organization)"}.get(name, name)
                items.append(f"{label}: {listed}")
        blocks.append(Block("paragraph", "Tickets are covered when they match all of:"))
        blocks.append(Block("list", items=tuple(items)))
    blocks.append(
        Block(
            "paragraph",
            f"A ticket without a priority is treated as {policy.default_priority.value}.",
        )
    )
    return blocks


def _calendars(policy: SLAPolicy) -> list[tuple[Calendar, tuple[str, ...]]]:
    """Each calendar the policy uses, with the metrics measured on it."""
    seen: dict[str, tuple[Calendar, list[str]]] = {}
    for metric in policy.metric_names:
        cal = policy.calendar_for(metric)
        seen.setdefault(cal.name, (cal, []))[1].append(metric)
    if policy.calendar.name not in seen:
        seen[policy.calendar.name] = (policy.calendar, [])
    ordered = sorted(seen.values(), key=lambda item: item[0].name != policy.calendar.name)
    return [(cal, tuple(metrics)) for cal, metrics in ordered]


def _hours(policy: SLAPolicy, today: date) -> list[Block]:
    blocks = [Block("heading", "Business hours")]
    last = _one_year_after(today)
    for cal, metrics in _calendars(policy):
        if len(_calendars(policy)) > 1:
            blocks.append(Block("heading", f"Calendar {cal.name}", level=3))
        used = (
            f" It measures {', '.join(metrics)}."
            if metrics and len(metrics) < len(policy.metric_names)
            else ""
        )
        about = f" ({cal.description.rstrip('.')})" if cal.description else ""
        blocks.append(
            Block(
                "paragraph",
                f"Calendar {cal.name}{about}, in the time zone {cal.timezone}.{used}",
            )
        )
        blocks.extend(_week_and_special_days(cal, today, last))
        blocks.extend(_holiday_blocks(cal, today, last))
    return blocks


def _week_and_special_days(cal: Calendar, today: date, last: date) -> list[Block]:
    """The weekly opening hours, and the days up to ``last`` with hours of their own."""
    rows = []
    for index, _ in enumerate(WEEKDAYS):
        ranges = cal.hours[index]
        rows.append((_DAY_NAMES[index], ", ".join(str(r) for r in ranges) or "closed"))
    blocks = [Block("table", header=("Day", "Open"), rows=tuple(rows))]
    special = [(d, r) for d, r in cal.special if today <= d <= last and not cal.is_holiday(d)]
    if special:
        blocks.append(Block("paragraph", "Days with their own hours:"))
        blocks.append(
            Block(
                "table",
                header=("Date", "Open"),
                rows=tuple((_day(d), ", ".join(str(x) for x in r) or "closed") for d, r in special),
            )
        )
    return blocks


def _holiday_blocks(cal: Calendar, today: date, last: date) -> list[Block]:
    """The holidays from ``today`` to ``last``, and the public holidays worked as ordinary days."""
    blocks = []
    holidays = _holidays(cal, today, last)
    if holidays:
        blocks.append(
            Block(
                "paragraph",
                f"Holidays from {today.isoformat()} to {last.isoformat()}, on which no "
                "business time passes:",
            )
        )
        blocks.append(Block("table", header=("Date", "Holiday"), rows=tuple(holidays)))
    else:
        blocks.append(
            Block(
                "paragraph",
                f"No holidays from {today.isoformat()} to {last.isoformat()}.",
            )
        )
    worked = sorted(d for d in cal.worked_dates if today <= d <= last)
    if worked:
        blocks.append(
            Block(
                "paragraph",
                "Public holidays worked as ordinary days: "
                + ", ".join(_day(d) for d in worked)
                + ".",
            )
        )
    return blocks


def _one_year_after(today: date) -> date:
    try:
        return today.replace(year=today.year + 1) - timedelta(days=1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def _holidays(cal: Calendar, first: date, last: date) -> list[tuple[str, str]]:
    names = dict(cal.holidays.names(first, last)) if cal.holidays else {}
    out = []
    day = first
    while day <= last:
        if cal.is_holiday(day):
            out.append((_day(day), names.get(day, "closed")))
        day += timedelta(days=1)
    return out


def _day(day: date) -> str:
    return f"{day.isoformat()} ({_DAY_NAMES[day.weekday()][:3]})"


def _targets(policy: SLAPolicy) -> list[Block]:
    priorities = list(Priority)
    rows = []
    for metric in policy.metric_names:
        cells = []
        for priority in priorities:
            target = policy.target(metric, priority)
            cells.append("-" if target is None else format_duration(target))
        rows.append((metric, *cells))
    return [
        Block("heading", "Targets"),
        Block(
            "paragraph",
            "Business time allowed per priority. A target is met when the clock stops at or "
            "before its due time; when the priority changes, the new target applies from the "
            "clock's original start.",
        ),
        Block("table", header=("Metric", *(p.value for p in priorities)), rows=tuple(rows)),
    ]


def _trigger(text: str) -> str:
    if text.startswith("status:"):
        status = text.removeprefix("status:").replace("_", " ")
        return f"the ticket is {status}" if status in ("solved", "closed") else f"it is {status}"
    return _TRIGGERS.get(text, text)


def _words(triggers: Iterable[str]) -> str:
    items = sorted(_trigger(t) for t in triggers)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _clock_sentence(definition: MetricDefinition) -> str:
    parts = [f"Starts when {_words(definition.start)}"]
    if definition.after:
        parts[0] += f" (once {definition.after} has stopped)"
    parts.append(f"stops when {_words(definition.stop)}")
    if definition.cancel:
        parts.append(f"is cancelled when {_words(definition.cancel)}")
    if definition.pause_while:
        statuses = " or ".join(sorted(s.value.replace("_", " ") for s in definition.pause_while))
        parts.append(f"pauses while the ticket is {statuses}")
    else:
        parts.append("never pauses")
    sentence = "; ".join(parts) + "."
    if definition.many_cycles:
        sentence += " It runs again for every new wait."
    reopen = _REOPEN[definition.on_reopen]
    if reopen:
        sentence += f" On reopening, {reopen}."
    return sentence


def _clocks(policy: SLAPolicy) -> list[Block]:
    items = [f"{d.name}: {_clock_sentence(d)}" for d in policy.metrics]
    blocks = [
        Block("heading", "When clocks run and pause"),
        Block("list", items=tuple(items)),
        Block(
            "paragraph",
            "Automatic replies and internal notes do not count as a response. Outside business "
            "hours and on holidays no business time passes, but a target passed at 17:00 is "
            "breached at 17:00, not at the next opening.",
        ),
    ]
    if policy.warnings:
        labels = ", ".join(w.label for w in policy.warnings)
        blocks.append(Block("paragraph", f"Warnings are raised at: {labels}."))
    return blocks


def _objectives(contract: Contract, policy: SLAPolicy) -> list[Block]:
    blocks = [Block("heading", "Service level objectives")]
    if not contract.goals:
        blocks.append(Block("paragraph", "This policy sets no service level objectives."))
        return blocks
    period = "calendar month" if contract.period.value == "month" else "ISO week (Monday-Sunday)"
    blocks.append(
        Block(
            "paragraph",
            f"Each objective is assessed per {period}, over the clocks decided in it (a clock "
            "counts in the period of its breach, or of its fulfilment when it met its target).",
        )
    )
    rows = tuple(
        (goal.metric, format_share(goal.goal), goal.scope, str(goal.min_tickets), goal.describe())
        for goal in contract.goals
    )
    blocks.append(
        Block(
            "table",
            header=("Objective", "Goal", "Priorities", "Minimum measured", "Meaning"),
            rows=rows,
        )
    )
    notes = []
    if contract.goal(FCR_MEASURE):
        notes.append(f"First contact resolution: {policy.fcr.describe()}.")
    if contract.goal(CSAT_MEASURE):
        notes.append(
            "Customer satisfaction: the share of ratings that are positive (good; on a number "
            "scale the top quarter, 4-5 on 1-5)."
        )
    notes.append(
        "A period in which fewer tickets were measured than the minimum is not assessed for "
        "that objective."
    )
    blocks.append(Block("list", items=tuple(notes)))
    return blocks


def _credits(contract: Contract) -> list[Block]:
    blocks = [Block("heading", "Service credits")]
    if not contract.credits:
        blocks.append(Block("paragraph", "This policy grants no service credits."))
        return blocks
    rows = []
    for goal in contract.goals:
        for tier in contract.tiers(goal.metric):
            rows.append(
                (
                    goal.metric,
                    f"below {format_share(tier.below)}",
                    f"{format_share(tier.credit)} of the period's fee",
                )
            )
    blocks.append(Block("table", header=("Objective", "Attainment", "Credit"), rows=tuple(rows)))
    items = [
        "For each objective the deepest tier reached applies; tiers do not add up.",
        "Credits for different objectives add up.",
    ]
    if contract.credit_cap is not None:
        items.append(
            f"Credits of one period never exceed {format_share(contract.credit_cap)} of that "
            "period's fee."
        )
    items.append("Each credit names the objective missed and the tickets that fell short.")
    blocks.append(Block("list", items=tuple(items)))
    if contract.clawback is not None:
        blocks.append(Block("heading", "Clawback", level=3))
        blocks.append(Block("paragraph", contract.clawback.describe().capitalize() + "."))
    return blocks


def _escalation(policy: SLAPolicy) -> list[Block]:
    levels = policy.contract.escalation
    blocks = [Block("heading", "Escalation")]
    if not levels:
        blocks.append(Block("paragraph", "This policy defines no escalation levels."))
        return blocks
    rows: list[Sequence[str]] = []
    for level in levels:
        number = str(level.level)
        if level.name != f"level-{level.level}":
            number += f" ({level.name})"
        action = level.action or "-"
        if level.urgent:
            action += " (urgent: sent at any hour)"
        rows.append(
            (
                number,
                level.describe_when(),
                level.describe_scope(),
                ", ".join(level.notify) or "-",
                action,
            )
        )
    blocks.append(
        Block(
            "table",
            header=("Level", "When", "Metrics", "Notify", "Action"),
            rows=tuple(tuple(r) for r in rows),
        )
    )
    blocks.append(
        Block(
            "paragraph",
            "Each level fires once per clock cycle. A notification to someone with working "
            "hours of their own waits until those hours begin, unless the level is urgent.",
        )
    )
    return blocks
