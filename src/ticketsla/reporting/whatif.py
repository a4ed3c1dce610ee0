"""What-if: one period under two policies, and what would change between them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from ..contract_terms import format_share, ticket_order
from ..outcomes import CSAT_MEASURE, FCR_MEASURE, OUTCOME_MEASURES
from .build import Report
from .formatting import percent_of
from .summaries import GroupSummary, metric_order

__all__ = ["Change", "ChangeUnit", "WhatIf", "compare_reports"]

# ---- what-if: one period under two policies ---------------------------------------------------


class ChangeUnit(StrEnum):
    """What the figures of a ``Change`` are (``share`` is written ``percent`` in JSON)."""

    SHARE = "share"
    COUNT = "count"
    MONEY = "money"


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One figure under the current (``before``) and the proposed (``after``) policy.

    ``unit`` says what ``before`` and ``after`` hold: a share (a Fraction of one), a count or
    money (a Decimal).
    """

    group: str
    measure: str
    unit: ChangeUnit
    before: Any
    after: Any

    @property
    def delta(self) -> Any:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    def text(self, value: Any) -> str:
        if value is None:
            return "-"
        if self.unit is ChangeUnit.SHARE:
            return format_share(value, places=1)
        if self.unit is ChangeUnit.MONEY:
            return f"{value:,.2f}"
        return str(value)

    def delta_text(self) -> str:
        delta = self.delta
        if delta is None:
            return "-"
        if self.unit is ChangeUnit.SHARE:
            points = format_share(delta, places=1)[:-1]
            return ("+" if delta > 0 else "") + points + " pts"
        if self.unit is ChangeUnit.MONEY:
            return f"{delta:+,.2f}"
        return f"{delta:+d}"

    def to_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            if value is None:
                return None
            if self.unit is ChangeUnit.SHARE:
                return percent_of(value)
            return str(value) if self.unit is ChangeUnit.MONEY else value

        return {
            "group": self.group,
            "measure": self.measure,
            "unit": "percent" if self.unit is ChangeUnit.SHARE else self.unit.value,
            "before": plain(self.before),
            "after": plain(self.after),
            "delta": None if self.delta is None else plain(self.delta),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class WhatIf:
    """The same tickets and period reported under the current and a proposed policy."""

    before: Report
    after: Report
    changes: tuple[Change, ...]
    newly_breached: tuple[tuple[str, str, int], ...]  # (ticket, metric, cycle)
    newly_met: tuple[tuple[str, str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.before.period.to_dict(),
            "changes": [c.to_dict() for c in self.changes],
            "newly_breached": [
                {"ticket_id": t, "metric": m, "cycle": c} for t, m, c in self.newly_breached
            ],
            "newly_met": [{"ticket_id": t, "metric": m, "cycle": c} for t, m, c in self.newly_met],
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


def compare_reports(before: Report, after: Report) -> WhatIf:
    """What changes from ``before`` to ``after``: attainment, breaches, FCR, CSAT and credits,
    in total and per group, and which clocks of the period flip between met and breached."""
    pairs: list[tuple[str, GroupSummary | None, GroupSummary | None]] = [
        ("all tickets", before.total, after.total)
    ]
    labels = sorted({g.label for g in before.groups} | {g.label for g in after.groups})
    lookup_before = {g.label: g for g in before.groups}
    lookup_after = {g.label: g for g in after.groups}
    pairs.extend((label, lookup_before.get(label), lookup_after.get(label)) for label in labels)
    changes = [change for pair in pairs for change in _group_changes(*pair)]
    changes.extend(_credit_changes(before, after))
    return WhatIf(
        before=before,
        after=after,
        changes=tuple(changes),
        newly_breached=_flips(before, after, to=False),
        newly_met=_flips(before, after, to=True),
    )


def _share(group: str, measure: str, before: Any, after: Any) -> Change:
    return Change(group=group, measure=measure, unit=ChangeUnit.SHARE, before=before, after=after)


def _group_changes(label: str, old: GroupSummary | None, new: GroupSummary | None) -> list[Change]:
    """Attainment, breaches, attainment per metric, FCR and CSAT of one group."""
    changes = [
        _share(
            label, "attainment", old.attainment if old else None, new.attainment if new else None
        ),
        Change(
            group=label,
            measure="breaches",
            unit=ChangeUnit.COUNT,
            before=old.breached if old else 0,
            after=new.breached if new else 0,
        ),
    ]
    metrics = sorted({m.metric for g in (old, new) if g for m in g.metrics}, key=metric_order)
    for metric in metrics:
        a = old.metric(metric) if old else None
        b = new.metric(metric) if new else None
        changes.append(
            _share(
                label,
                f"{metric} attainment",
                a.attainment if a else None,
                b.attainment if b else None,
            )
        )
    changes.append(
        _share(label, FCR_MEASURE, old.fcr.rate if old else None, new.fcr.rate if new else None)
    )
    changes.append(
        _share(
            label, CSAT_MEASURE, old.csat.share if old else None, new.csat.share if new else None
        )
    )
    return changes


def _credit_changes(before: Report, after: Report) -> list[Change]:
    """Credits per customer, as a share of the fee and, when every amount is known, as money."""
    changes = []
    credit_before = {c.customer: c for c in before.charts.credits}
    credit_after = {c.customer: c for c in after.charts.credits}
    for customer in sorted(set(credit_before) | set(credit_after)):
        a_credit, b_credit = credit_before.get(customer), credit_after.get(customer)
        changes.append(
            _share(
                f"customer {customer}",
                "credits (share of fee)",
                a_credit.credit if a_credit else Fraction(0),
                b_credit.credit if b_credit else Fraction(0),
            )
        )
        amounts = [c.amount for c in (a_credit, b_credit) if c is not None]
        known = [a for a in amounts if a is not None]
        if amounts and len(known) == len(amounts):
            zero = known[0] - known[0]
            changes.append(
                Change(
                    group=f"customer {customer}",
                    measure="credits (amount)",
                    unit=ChangeUnit.MONEY,
                    before=a_credit.amount if a_credit else zero,
                    after=b_credit.amount if b_credit else zero,
                )
            )
    return changes


def _flips(before: Report, after: Report, *, to: bool) -> tuple[tuple[str, str, int], ...]:
    def decided(report: Report) -> dict[tuple[str, str, int], bool]:
        return {
            (m.ticket_id, m.metric, m.cycle): bool(m.ok)
            for m in report.measurements
            if m.metric not in OUTCOME_MEASURES
            and m.ok is not None
            and report.period.contains(m.at_us)
        }

    old, new = decided(before), decided(after)
    flipped = [k for k, ok in new.items() if ok is to and old.get(k) is (not to)]
    return tuple(sorted(flipped, key=lambda k: (ticket_order(k[0]), k[1], k[2])))
