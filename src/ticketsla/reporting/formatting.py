"""How a report's figures are written out: percentages, seconds, durations, statements."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction
from typing import Any

from ..contract_terms import VerdictStatus, format_share
from ..durations import format_duration
from .measures import US_PER_SECOND
from .statements import PeriodStatement

# ---- formatting helpers -------------------------------------------------------------------------


def percent_of(share: Fraction | None) -> float | None:
    """A share as a percentage rounded to two decimals, for JSON."""
    if share is None:
        return None
    return round(float(share * 100), 2)


def csv_percent(share: Fraction | None) -> str:
    return "" if share is None else format_share(share).rstrip("%")


def seconds_or_none(us: int | None) -> float | None:
    return None if us is None else us / US_PER_SECOND


def duration_text(us: int | None) -> str | None:
    return None if us is None else format_duration(timedelta(microseconds=us))


def statement_dict(s: PeriodStatement) -> dict[str, Any]:
    currency = s.fee.currency if s.fee else ""
    return {
        "customer": s.customer,
        "policy": s.policy,
        "period": s.period,
        "provisional": s.provisional,
        "fee": None if s.fee is None else str(s.fee.fee),
        "currency": currency,
        "verdicts": [
            {
                "goal": v.metric,
                "priorities": v.goal.scope,
                "goal_pct": percent_of(v.goal.goal),
                "status": v.status.value,
                "measured": v.measured,
                "met": v.met,
                "attainment_pct": percent_of(v.attainment),
                "shortfall_points": percent_of(v.shortfall)
                if v.status is VerdictStatus.MISSED
                else 0,
                "needed": v.needed,
                "failing_tickets": list(v.failing),
                "text": v.describe(),
            }
            for v in s.verdicts
        ],
        "credits": [
            {
                "goal": c.goal,
                "attainment_pct": percent_of(c.attainment),
                "below_pct": percent_of(c.below),
                "credit_pct": percent_of(c.credit),
                "amount": None if c.amount is None else str(c.amount),
                "tickets": list(c.tickets),
                "text": c.describe(),
            }
            for c in s.credits
        ],
        "gross_pct": percent_of(s.gross),
        "capped_pct": percent_of(s.capped),
        "clawbacks": [
            {
                "of_period": b.of_period,
                "share_pct": percent_of(b.share),
                "credit_pct": percent_of(b.credit),
                "amount": None if b.amount is None else str(b.amount),
                "good_periods": list(b.good_periods),
                "text": b.describe(),
            }
            for b in s.clawbacks
        ],
        "net_pct": percent_of(s.net),
        "net_amount": None if s.net_amount is None else str(s.net_amount),
    }
