"""``ticketsla due`` and ``ticketsla calendar show|list``: calendar arithmetic a person can check."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, timedelta

from ..calendar import Calendar, bundled_calendar_names
from ..durations import format_duration, parse_duration
from ..errors import ConfigurationError
from .common import Subparsers, instant_option, show_help, today_in

__all__ = ["register"]


def register(commands: Subparsers) -> None:
    """Add ``due`` and ``calendar show|list`` to the ``ticketsla`` sub-commands."""
    due = commands.add_parser(
        "due", help="when a target falls due on a calendar", description=_cmd_due.__doc__
    )
    due.add_argument("--calendar", required=True, help="bundled name or path to a .toml file")
    due.add_argument("--start", help="ISO 8601 instant with offset (default: now)")
    due.add_argument("--in", dest="duration", required=True, help="business time: 4h, 90m, PT4H")
    due.set_defaults(handler=_cmd_due)

    calendar = commands.add_parser("calendar", help="inspect calendars")
    calendar.set_defaults(handler=show_help(calendar))
    calendar_commands = calendar.add_subparsers(title="calendar commands", metavar="COMMAND")
    show = calendar_commands.add_parser(
        "show", help="open periods day by day", description=_cmd_calendar_show.__doc__
    )
    show.add_argument("calendar", help="bundled name or path to a .toml file")
    show.add_argument("--from", dest="first", help="first local date, YYYY-MM-DD (default: today)")
    show.add_argument("--days", type=int, default=14, help="how many days (default 14)")
    show.set_defaults(handler=_cmd_calendar_show)
    listing = calendar_commands.add_parser(
        "list", help="the bundled calendars", description=_cmd_calendar_list.__doc__
    )
    listing.set_defaults(handler=_cmd_calendar_list)


def _cmd_due(args: argparse.Namespace) -> int:
    """Print when a business-time target falls due, in the calendar's zone and in UTC."""
    cal = Calendar.load(args.calendar)
    start = instant_option(args.start or None, "--start")
    duration = parse_duration(args.duration, field="--in")
    due = cal.add(start, duration)
    start_local = start.astimezone(cal.zone)
    print(f"calendar  {cal.name} ({cal.timezone})")
    print(f"start     {start_local.isoformat()}  open: {'yes' if cal.is_open(start) else 'no'}")
    print(f"target    {format_duration(duration)} business time")
    print(f"due       {due.isoformat()}  ({due.strftime('%a %d %b %Y %H:%M %Z')})")
    print(f"due UTC   {due.astimezone(UTC).isoformat()}")
    print(f"wall time {_wall(due - start)} after start")
    return 0


def _cmd_calendar_show(args: argparse.Namespace) -> int:
    """List a calendar's open periods day by day, with holidays, so a person can check it."""
    cal = Calendar.load(args.calendar)
    if args.days < 1 or args.days > 3660:
        raise ConfigurationError(f"--days: {args.days} is not between 1 and 3660", subject="--days")
    first = _parse_date(args.first) if args.first else today_in(cal.zone)
    if first > date.max - timedelta(days=args.days + 1):
        raise ConfigurationError(
            f"--from: {first.isoformat()} plus {args.days} days runs past the year 9999",
            subject="--from",
        )
    last = first + timedelta(days=args.days)
    names = dict(cal.holidays.names(first, last)) if cal.holidays else {}
    start = datetime(first.year, first.month, first.day, tzinfo=cal.zone)
    end = datetime(last.year, last.month, last.day, tzinfo=cal.zone)
    total = cal.elapsed(start, end)  # first, so dates the calendar cannot reach print nothing
    print(f"{cal.name} ({cal.timezone})" + (f": {cal.description}" if cal.description else ""))
    by_day: dict[date, list[str]] = {}
    for period in cal.periods(start, end):
        for piece_start, piece_end in _split_at_midnight(period.start, period.end, cal):
            label = f"{piece_start:%H:%M}-{_clock(piece_end, piece_start.date())} {piece_start:%Z}"
            by_day.setdefault(piece_start.date(), []).append(label)
    day = first
    while day < last:
        note = ""
        if cal.is_holiday(day):
            note = f"  holiday: {names.get(day, 'closed date')}"
        elif day in dict(cal.special):
            note = "  special hours"
        opened = ", ".join(by_day.get(day, [])) or "closed"
        print(f"{day.isoformat()} {day.strftime('%a')}  {opened}{note}")
        day += timedelta(days=1)
    days = "this day" if args.days == 1 else f"these {args.days} days"
    print(f"open time in {days}: {format_duration(total)}")
    return 0


def _cmd_calendar_list(args: argparse.Namespace) -> int:
    """List the bundled calendars with their time zones."""
    for name in bundled_calendar_names():
        cal = Calendar.load(name)
        print(f"{name:<16} {cal.timezone:<20} {cal.description}")
    return 0


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigurationError(
            f"--from: {text!r} is not a date like 2026-12-21", subject="--from"
        ) from exc


def _split_at_midnight(
    start: datetime, end: datetime, cal: Calendar
) -> list[tuple[datetime, datetime]]:
    """Cut a period at each local midnight, so a day-by-day listing shows each day's share."""
    pieces: list[tuple[datetime, datetime]] = []
    while start < end:
        next_day = start.date() + timedelta(days=1)
        midnight = datetime(next_day.year, next_day.month, next_day.day, tzinfo=cal.zone)
        cut = min(end, midnight)
        pieces.append((start, cut))
        start = cut
    return pieces


def _clock(at: datetime, day: date) -> str:
    """``HH:MM`` of ``at``, or ``24:00`` when it is the midnight after ``day``."""
    if at.date() != day and at.hour == 0 and at.minute == 0:
        return "24:00"
    return f"{at:%H:%M}"


def _wall(value: timedelta) -> str:
    """A wall-clock span such as ``2d 20h`` (not business time)."""
    return format_duration(value, days=True)
