"""Reading a calendar from the mapping form of a calendar file (docs/calendars.md): every key and
value checked, each error naming the calendar, the key and the value. ``Calendar.from_mapping`` and
``Calendar.load`` are the ways in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from ._config import named_table
from .calendar import WEEKDAYS, Calendar, HolidayRule, TimeRange, _zone
from .errors import CalendarError

__all__ = ["calendar_from_mapping"]

_TOP_KEYS = frozenset({"name", "timezone", "description", "hours", "holidays", "special"})
_HOLIDAY_KEYS = frozenset({"country", "subdiv", "categories", "observed", "dates", "exclude"})


def _parse_ranges(value: Any, where: str) -> tuple[TimeRange, ...]:
    if not isinstance(value, list):
        raise CalendarError(
            f"{where}: expected a list of ranges like ['09:00-17:00'], got {value!r}"
        )
    return tuple(sorted(TimeRange.parse(text, where=where) for text in value))


def _parse_date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise CalendarError(f"{where}: {value!r} is not a date like '2026-12-24'")


def calendar_from_mapping(data: Mapping[str, Any], *, source: str) -> Calendar:
    name, where = named_table(data, "calendar", source, _TOP_KEYS, CalendarError)
    timezone = data.get("timezone")
    if timezone is None:
        raise CalendarError(f"{where('timezone')}: missing; give an IANA zone like 'Europe/Berlin'")
    _zone(timezone, where("timezone"))

    hours = _weekly_hours(data, where)
    rule, closed, worked = _holidays_of(data, where)
    special = _special_days(data, where)
    description = data.get("description", "")
    if not isinstance(description, str):
        raise CalendarError(f"{where('description')}: expected a text, got {description!r}")
    return Calendar(
        name=name,
        timezone=timezone,
        hours=hours,
        holidays=rule,
        closed_dates=closed,
        worked_dates=worked,
        special=special,
        description=description,
        source=source,
    )


def _weekly_hours(
    data: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[tuple[TimeRange, ...], ...]:
    """The ``hours`` table: the opening hours of each weekday, Monday first."""
    raw_hours = data.get("hours", {})
    if not isinstance(raw_hours, Mapping):
        raise CalendarError(f"{where('hours')}: expected a table of weekdays, got {raw_hours!r}")
    for key in raw_hours:
        if key not in WEEKDAYS:
            raise CalendarError(
                f"{where('hours.' + str(key))}: unknown weekday (use {', '.join(WEEKDAYS)})"
            )
    hours = tuple(_parse_ranges(raw_hours.get(d, []), where(f"hours.{d}")) for d in WEEKDAYS)
    return hours


def _holidays_of(
    data: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[HolidayRule | None, frozenset[date], frozenset[date]]:
    """The ``holidays`` table: the public-holiday rule, the dates closed and the dates worked."""
    raw_holidays = data.get("holidays", {})
    if not isinstance(raw_holidays, Mapping):
        raise CalendarError(f"{where('holidays')}: expected a table, got {raw_holidays!r}")
    for key in raw_holidays:
        if key not in _HOLIDAY_KEYS:
            raise CalendarError(
                f"{where('holidays.' + str(key))}: unknown key "
                f"(allowed: {', '.join(sorted(_HOLIDAY_KEYS))})"
            )
    rule = _holiday_rule(raw_holidays, where)
    closed = frozenset(
        _parse_date(v, where("holidays.dates")) for v in _list(raw_holidays, "dates", where)
    )
    worked = frozenset(
        _parse_date(v, where("holidays.exclude")) for v in _list(raw_holidays, "exclude", where)
    )
    both = closed & worked
    if both:
        raise CalendarError(
            f"{where('holidays')}: {min(both).isoformat()} is both in dates and in exclude"
        )
    return rule, closed, worked


def _special_days(
    data: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[tuple[date, tuple[TimeRange, ...]], ...]:
    """The ``special`` table: dates with opening hours of their own, in date order."""
    raw_special = data.get("special", {})
    if not isinstance(raw_special, Mapping):
        raise CalendarError(f"{where('special')}: expected a table of dates, got {raw_special!r}")
    special = tuple(
        sorted(
            (_parse_date(k, where(f"special.{k}")), _parse_ranges(v, where(f"special.{k}")))
            for k, v in raw_special.items()
        )
    )
    return special


def _list(table: Mapping[str, Any], key: str, where: Callable[[str], str]) -> list[Any]:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise CalendarError(f"{where('holidays.' + key)}: expected a list, got {value!r}")
    return value


def _holiday_rule(table: Mapping[str, Any], where: Callable[[str], str]) -> HolidayRule | None:
    country = table.get("country")
    if country is None:
        for key in ("subdiv", "categories", "observed"):
            if key in table:
                raise CalendarError(f"{where('holidays.' + key)}: needs holidays.country")
        return None
    if not isinstance(country, str):
        raise CalendarError(
            f"{where('holidays.country')}: expected a country code, got {country!r}"
        )
    subdiv = table.get("subdiv")
    if subdiv is not None and not isinstance(subdiv, str):
        raise CalendarError(f"{where('holidays.subdiv')}: expected a text, got {subdiv!r}")
    categories = table.get("categories", [])
    if isinstance(categories, str):
        categories = [categories]
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise CalendarError(
            f"{where('holidays.categories')}: expected a list of names, got {categories!r}"
        )
    observed = table.get("observed", True)
    if not isinstance(observed, bool):
        raise CalendarError(
            f"{where('holidays.observed')}: expected true or false, got {observed!r}"
        )
    rule = HolidayRule(
        country=country, subdiv=subdiv, categories=tuple(categories), observed=observed
    )
    try:  # fail at load time, not in the middle of a calculation
        rule.dates(2026)
    except (NotImplementedError, ValueError, KeyError) as exc:
        raise CalendarError(
            f"{where('holidays')}: the holidays package does not know "
            f"country={country!r} subdiv={subdiv!r} categories={categories!r}: {exc}"
        ) from exc
    return rule
