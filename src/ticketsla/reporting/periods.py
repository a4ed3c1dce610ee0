"""Report periods: a month, an ISO week, a range of dates or of instants, in a time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._instants import from_us, to_us
from ..contract_terms import SLOPeriod
from ..errors import ConfigurationError

__all__ = ["PeriodKind", "ReportPeriod"]

# ---- periods -------------------------------------------------------------------------------


class PeriodKind(StrEnum):
    """What a report period is: a calendar month, an ISO week, or any other range."""

    MONTH = "month"
    WEEK = "week"
    RANGE = "range"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportPeriod:
    """A stretch of real time ``[start, end)`` in a time zone: a month, an ISO week or a range.

    ``ReportPeriod.parse("2026-10")`` is October 2026 from local midnight to local midnight,
    ``"2026-W43"`` is an ISO week (Monday to Monday), ``"2026-10-01..2026-10-15"`` is the local
    dates 1 to 15 October inclusive, and ``"2026-10-01T08:00Z..2026-10-02T08:00Z"`` is the range
    between two instants (the end excluded).
    """

    label: str
    kind: PeriodKind
    start_us: int
    end_us: int
    timezone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    @property
    def start(self) -> datetime:
        return from_us(self.start_us, self.zone)

    @property
    def end(self) -> datetime:
        return from_us(self.end_us, self.zone)

    def contains(self, us: int | None) -> bool:
        return us is not None and self.start_us <= us < self.end_us

    # -- construction --

    @classmethod
    def parse(cls, text: str, *, timezone: str = "UTC") -> ReportPeriod:
        """A month (``2026-10``), an ISO week (``2026-W43``) or a range (``FROM..TO``)."""
        raw = text.strip() if isinstance(text, str) else ""
        _zone(timezone)
        if ".." in raw:
            first, _, last = raw.partition("..")
            return cls._range(first.strip(), last.strip(), raw, timezone)
        if len(raw) == 8 and raw[4:6].upper() == "-W":
            year, week = _ints(raw[:4], raw[6:], raw)
            return cls.week(year, week, timezone=timezone)
        if len(raw) == 7 and raw[4] == "-":
            year, month = _ints(raw[:4], raw[5:], raw)
            return cls.month(year, month, timezone=timezone)
        raise ConfigurationError(
            f"period {text!r}: expected a month like 2026-10, an ISO week like 2026-W43, or a "
            "range like 2026-10-01..2026-10-15",
            subject=text,
        )

    @classmethod
    def month(cls, year: int, month: int, *, timezone: str = "UTC") -> ReportPeriod:
        if not 1 <= month <= 12 or not 1900 <= year <= 9000:
            raise ConfigurationError(f"period {year}-{month:02d}: no such month", subject=month)
        after = date(year + (month == 12), month % 12 + 1, 1)
        return cls(
            label=f"{year:04d}-{month:02d}",
            kind=PeriodKind.MONTH,
            start_us=_midnight(date(year, month, 1), timezone),
            end_us=_midnight(after, timezone),
            timezone=timezone,
        )

    @classmethod
    def week(cls, year: int, week: int, *, timezone: str = "UTC") -> ReportPeriod:
        try:
            monday = date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ConfigurationError(
                f"period {year}-W{week:02d}: no such ISO week", subject=week
            ) from None
        return cls(
            label=f"{year:04d}-W{week:02d}",
            kind=PeriodKind.WEEK,
            start_us=_midnight(monday, timezone),
            end_us=_midnight(monday + timedelta(days=7), timezone),
            timezone=timezone,
        )

    @classmethod
    def between(cls, start: datetime, end: datetime, *, timezone: str = "UTC") -> ReportPeriod:
        """The range ``[start, end)`` between two aware instants."""
        lo, hi = to_us(start, "start"), to_us(end, "end")
        if hi <= lo:
            raise ConfigurationError(
                f"period: {end.isoformat()} is not after {start.isoformat()}", subject="period"
            )
        zone = _zone(timezone)
        label = f"{from_us(lo, zone).isoformat()}..{from_us(hi, zone).isoformat()}"
        return cls(label=label, kind=PeriodKind.RANGE, start_us=lo, end_us=hi, timezone=timezone)

    @classmethod
    def _range(cls, first: str, last: str, raw: str, timezone: str) -> ReportPeriod:
        if len(first) == 10 and len(last) == 10:
            lo, hi = _date(first, raw), _date(last, raw)
            if hi < lo:
                raise ConfigurationError(f"period {raw!r}: {last} is before {first}", subject=raw)
            return cls(
                label=f"{first}..{last}",
                kind=PeriodKind.RANGE,
                start_us=_midnight(lo, timezone),
                end_us=_midnight(hi + timedelta(days=1), timezone),
                timezone=timezone,
            )
        try:
            start, end = datetime.fromisoformat(first), datetime.fromisoformat(last)
        except ValueError:
            raise ConfigurationError(
                f"period {raw!r}: expected two dates (2026-10-01..2026-10-15) or two instants "
                "with offsets (2026-10-01T08:00Z..2026-10-02T08:00Z)",
                subject=raw,
            ) from None
        if start.tzinfo is None or end.tzinfo is None:
            raise ConfigurationError(
                f"period {raw!r}: instants need an offset (2026-10-01T08:00+02:00 or Z)",
                subject=raw,
            )
        return cls.between(start, end, timezone=timezone)

    @classmethod
    def containing(cls, kind: SLOPeriod | str, us: int, *, timezone: str = "UTC") -> ReportPeriod:
        """The month or ISO week (in ``timezone``) that holds instant ``us``."""
        day = from_us(us, _zone(timezone)).date()
        if SLOPeriod(kind) is SLOPeriod.MONTH:
            return cls.month(day.year, day.month, timezone=timezone)
        year, week, _ = day.isocalendar()
        return cls.week(year, week, timezone=timezone)

    # -- arithmetic --

    def shift(self, steps: int) -> ReportPeriod:
        """The period ``steps`` months, weeks or range-lengths later (earlier when negative)."""
        if self.kind is PeriodKind.MONTH:
            start = from_us(self.start_us, self.zone).date()
            index = start.year * 12 + start.month - 1 + steps
            return ReportPeriod.month(index // 12, index % 12 + 1, timezone=self.timezone)
        if self.kind is PeriodKind.WEEK:
            monday = from_us(self.start_us, self.zone).date() + timedelta(weeks=steps)
            year, week, _ = monday.isocalendar()
            return ReportPeriod.week(year, week, timezone=self.timezone)
        length = self.end_us - self.start_us
        zone = self.zone
        lo, hi = self.start_us + steps * length, self.end_us + steps * length
        return ReportPeriod(
            label=f"{from_us(lo, zone).isoformat()}..{from_us(hi, zone).isoformat()}",
            kind=PeriodKind.RANGE,
            start_us=lo,
            end_us=hi,
            timezone=self.timezone,
        )

    def weeks(self) -> tuple[ReportPeriod, ...]:
        """The ISO weeks that overlap this period, clipped to it (for weekly charts)."""
        out: list[ReportPeriod] = []
        week = ReportPeriod.containing(SLOPeriod.WEEK, self.start_us, timezone=self.timezone)
        while week.start_us < self.end_us:
            out.append(
                ReportPeriod(
                    label=week.label,
                    kind=PeriodKind.WEEK if self.contains_whole(week) else PeriodKind.RANGE,
                    start_us=max(week.start_us, self.start_us),
                    end_us=min(week.end_us, self.end_us),
                    timezone=self.timezone,
                )
            )
            week = week.shift(1)
        return tuple(out)

    def contains_whole(self, other: ReportPeriod) -> bool:
        return self.start_us <= other.start_us and other.end_us <= self.end_us

    def slo_periods(self, kind: SLOPeriod | str) -> tuple[ReportPeriod, ...]:
        """The SLO periods (months or ISO weeks) that end within this period, ``(start, end]``:
        those a report for this period gives verdicts for."""
        last = ReportPeriod.containing(kind, self.end_us - 1, timezone=self.timezone)
        if last.end_us > self.end_us:
            last = last.shift(-1)
        out: list[ReportPeriod] = []
        while self.start_us < last.end_us:
            out.append(last)
            last = last.shift(-1)
        return tuple(reversed(out))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "timezone": self.timezone,
        }


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigurationError(f"unknown time zone {name!r}", subject=name) from None


def _midnight(day: date, timezone: str) -> int:
    return to_us(datetime(day.year, day.month, day.day, tzinfo=_zone(timezone)))


def _ints(a: str, b: str, raw: str) -> tuple[int, int]:
    if not (a.isdigit() and b.isdigit()):
        raise ConfigurationError(f"period {raw!r}: expected digits", subject=raw)
    return int(a), int(b)


def _date(text: str, raw: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"period {raw!r}: {text!r} is not a date", subject=raw) from None
