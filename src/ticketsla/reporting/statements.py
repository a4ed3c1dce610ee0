"""Verdicts and credits: the pure arithmetic that turns a period's outcomes into SLO verdicts,
service credits, the cap and clawbacks (docs/contracts.md).

Shares are exact ``Fraction`` values and money is ``Decimal``; nothing here reads a clock. A
verdict and a credit carry the period label, the goal and the ticket ids behind them, so every
figure can be traced back to the tickets that produced it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from ..contract_terms import (
    CENT,
    Clawback,
    Contract,
    CreditTier,
    SLOGoal,
    VerdictStatus,
    format_share,
    ticket_order,
)
from .fees import Fee

__all__ = [
    "ClawbackLine",
    "CreditLine",
    "GoalOutcomes",
    "GoalVerdict",
    "PeriodStatement",
    "assess",
    "statements",
]

# ---- verdicts and credits -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalOutcomes:
    """What one goal measured in one period: each measurement's ticket and whether it met."""

    goal: SLOGoal
    outcomes: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalVerdict:
    """Whether one goal held in one period, by how much, and the tickets that fell short.

    ``shortfall`` is goal minus attainment when missed (0.03 is three percentage points);
    ``needed`` is how many more measurements would have had to meet for the goal to hold.
    """

    period: str
    goal: SLOGoal
    status: VerdictStatus
    measured: int
    met: int
    attainment: Fraction | None
    shortfall: Fraction
    needed: int
    failing: tuple[str, ...]

    @property
    def metric(self) -> str:
        return self.goal.metric

    def describe(self) -> str:
        goal = format_share(self.goal.goal)
        if self.status is VerdictStatus.NOT_ASSESSED:
            return (
                f"{self.metric}: not assessed, {self.measured} measured "
                f"(fewer than {self.goal.min_tickets})"
            )
        got = f"{format_share(self.attainment)} ({self.met} of {self.measured})"
        if self.status is VerdictStatus.MET:
            return f"{self.metric}: met, {got} against {goal}"
        return (
            f"{self.metric}: missed by {format_share(self.shortfall)[:-1]} percentage points, "
            f"{got} against "
            f"{goal}; {self.needed} more would have had to meet it"
        )


def assess(goal: SLOGoal, outcomes: Iterable[tuple[str, bool]], period: str) -> GoalVerdict:
    """The verdict of ``goal`` over one period's ``(ticket_id, met)`` outcomes."""
    rows = tuple(outcomes)
    measured = len(rows)
    met = sum(1 for _, ok in rows if ok)
    failing = tuple(sorted({ticket for ticket, ok in rows if not ok}, key=ticket_order))
    if measured < goal.min_tickets or measured == 0:
        return GoalVerdict(
            period=period,
            goal=goal,
            status=VerdictStatus.NOT_ASSESSED,
            measured=measured,
            met=met,
            attainment=Fraction(met, measured) if measured else None,
            shortfall=Fraction(0),
            needed=0,
            failing=failing,
        )
    attainment = Fraction(met, measured)
    if attainment >= goal.goal:
        status, shortfall, needed = VerdictStatus.MET, Fraction(0), 0
    else:
        status = VerdictStatus.MISSED
        shortfall = goal.goal - attainment
        needed = math.ceil(goal.goal * measured) - met
    return GoalVerdict(
        period=period,
        goal=goal,
        status=status,
        measured=measured,
        met=met,
        attainment=attainment,
        shortfall=shortfall,
        needed=needed,
        failing=failing,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditLine:
    """One credit: the goal missed, the tier it fell into, and the tickets behind it."""

    period: str
    goal: str
    below: Fraction
    credit: Fraction
    amount: Decimal | None
    attainment: Fraction
    tickets: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"{self.goal} at {format_share(self.attainment)} is below "
            f"{format_share(self.below)}: {format_share(self.credit)} of the fee "
            f"({len(self.tickets)} {'ticket' if len(self.tickets) == 1 else 'tickets'} fell short)"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClawbackLine:
    """A credit earned back: ``share`` of the credit of ``of_period`` after ``good_periods``."""

    period: str
    of_period: str
    share: Fraction
    credit: Fraction  # share of the fee taken back
    amount: Decimal | None
    good_periods: tuple[str, ...]

    def describe(self) -> str:
        return (
            f"{format_share(self.share)} of the {format_share(self.credit / self.share)} credit "
            f"of {self.of_period} earned back after {len(self.good_periods)} good periods "
            f"({', '.join(self.good_periods)})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodStatement:
    """One customer's contract under one policy for one SLO period.

    ``gross`` adds up the credit lines; ``capped`` is ``gross`` limited to the cap; ``net`` is
    ``capped`` less the clawbacks applied in this period (negative when more is earned back
    than is credited). Shares are of the period's fee; amounts need a fee table.
    """

    customer: str
    policy: str
    period: str
    provisional: bool
    verdicts: tuple[GoalVerdict, ...]
    credits: tuple[CreditLine, ...]
    clawbacks: tuple[ClawbackLine, ...]
    gross: Fraction
    capped: Fraction
    net: Fraction
    fee: Fee | None

    @property
    def net_amount(self) -> Decimal | None:
        if self.fee is None:
            return None
        credited = sum((c.amount or Decimal(0) for c in self.credits), Decimal(0))
        if self.capped < self.gross:
            credited = self.fee.of(self.capped)
        back = sum((c.amount or Decimal(0) for c in self.clawbacks), Decimal(0))
        return (credited - back).quantize(CENT)


def statements(
    contract: Contract,
    *,
    customer: str,
    policy: str,
    periods: Sequence[tuple[str, Sequence[GoalOutcomes], bool]],
    fee: Fee | None = None,
) -> list[PeriodStatement]:
    """Verdicts, credits, the cap and clawback for consecutive periods, oldest first.

    ``periods`` holds, per SLO period, its label, the outcomes of each goal and whether it is
    provisional (not over yet). Clawback looks back ``clawback.after`` periods, so pass that many
    periods before the first one you want to show.
    """
    out: list[PeriodStatement] = []
    for index, (label, goal_outcomes, provisional) in enumerate(periods):
        verdicts = tuple(assess(g.goal, g.outcomes, label) for g in goal_outcomes)
        lines: list[CreditLine] = []
        for verdict in verdicts:
            if verdict.status is not VerdictStatus.MISSED or verdict.attainment is None:
                continue
            tier = _tier_for(contract.tiers(verdict.metric), verdict.attainment)
            if tier is None:
                continue
            lines.append(
                CreditLine(
                    period=label,
                    goal=verdict.metric,
                    below=tier.below,
                    credit=tier.credit,
                    amount=None if fee is None else fee.of(tier.credit),
                    attainment=verdict.attainment,
                    tickets=verdict.failing,
                )
            )
        gross = sum((line.credit for line in lines), Fraction(0))
        capped = gross if contract.credit_cap is None else min(gross, contract.credit_cap)
        clawbacks = _clawbacks(contract.clawback, out, index, label, verdicts, fee)
        back = sum((c.credit for c in clawbacks), Fraction(0))
        out.append(
            PeriodStatement(
                customer=customer,
                policy=policy,
                period=label,
                provisional=provisional,
                verdicts=verdicts,
                credits=tuple(lines),
                clawbacks=clawbacks,
                gross=gross,
                capped=capped,
                net=capped - back,
                fee=fee,
            )
        )
    return out


def _tier_for(tiers: Sequence[CreditTier], attainment: Fraction) -> CreditTier | None:
    """The deepest tier the attainment falls below (tiers do not add up)."""
    chosen = None
    for tier in tiers:  # shallowest first
        if attainment < tier.below:
            chosen = tier
    return chosen


def _is_good(verdicts: Sequence[GoalVerdict], level: Fraction | None) -> bool:
    assessed = [v for v in verdicts if v.status is not VerdictStatus.NOT_ASSESSED]
    if not assessed:
        return False
    for verdict in assessed:
        assert verdict.attainment is not None
        bar = verdict.goal.goal if level is None else level
        if verdict.attainment < bar:
            return False
    return True


def _clawbacks(
    rule: Clawback | None,
    earlier: Sequence[PeriodStatement],
    index: int,
    label: str,
    verdicts: Sequence[GoalVerdict],
    fee: Fee | None,
) -> tuple[ClawbackLine, ...]:
    """Clawback in period ``index``: the credit of period ``index - after`` is earned back when
    every period after it up to and including this one was good."""
    if rule is None or index < rule.after:
        return ()
    credited = earlier[index - rule.after]
    if credited.capped <= 0:
        return ()
    run = [*earlier[index - rule.after + 1 :], None]
    for statement in run:
        period_verdicts = verdicts if statement is None else statement.verdicts
        if not _is_good(period_verdicts, rule.level):
            return ()
    credit = credited.capped * rule.share
    good = (*(s.period for s in earlier[index - rule.after + 1 :]), label)
    amount = None
    if fee is not None:
        amount = fee.of(credit)
    return (
        ClawbackLine(
            period=label,
            of_period=credited.period,
            share=rule.share,
            credit=credit,
            amount=amount,
            good_periods=good,
        ),
    )
