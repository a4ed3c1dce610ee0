"""The report's figures: which clocks fall in a period, attainment, business-time percentiles,
FCR, CSAT, CSAT of breached vs met tickets, grouping, contracts, chart data, JSON and CSV.

Unless a test says otherwise the policy is on the 24x7 calendar (business time is real time):
first response 1h (urgent 30m), resolution 8h, so every expected value is plain arithmetic.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from support.report_builders import at, policy, ticket
from ticketsla import ConfigurationError, SLAPolicy, TicketEvent
from ticketsla._instants import MICROSECOND, to_us
from ticketsla.contract import Fee, FeeTable, VerdictStatus
from ticketsla.report import (
    NONE,
    Dimension,
    Report,
    ReportPeriod,
    TicketRecord,
    compare_reports,
    nearest_rank,
    report_from_events,
)

OCTOBER = ReportPeriod.parse("2026-10")
LATER = at("2026-12-01T00:00Z")
MINUTE = 60 * 1_000_000
SOLVED = "2026-10-05T11:00Z"


def report(
    events: Iterable[TicketEvent],
    rules: SLAPolicy | None = None,
    *,
    period: ReportPeriod = OCTOBER,
    now: str = "2026-12-01T00:00Z",
    by: tuple[str, ...] = (),
    fees: FeeTable | None = None,
) -> Report:
    return report_from_events(
        list(events), rules or policy(), period, now=at(now), by=by, fees=fees
    )


def us(minutes: float) -> int:
    return round(minutes * MINUTE)


def five_first_responses() -> list[TicketEvent]:
    """T1..T5 created Monday 5 October 10:00 UTC, answered after 10, 20, 30, 40 and 90 minutes,
    solved at 12:00 (resolution 2h)."""
    events: list[TicketEvent] = []
    for n, minutes in enumerate((10, 20, 30, 40, 90), start=1):
        reply = (at("2026-10-05T10:00Z") + timedelta(minutes=minutes)).isoformat()
        events += ticket(f"T{n}", "2026-10-05T10:00Z", reply=reply, solved="2026-10-05T12:00Z")
    return events


# ---- which clocks count where ---------------------------------------------------------------------


def test_a_breach_counts_in_the_period_it_happened_even_if_answered_later() -> None:
    """Created 30 September 22:00, due 23:00, answered 1 October 01:00: September's breach; the
    3h answer is October's first response for the time statistics."""
    events = ticket(
        "T1", "2026-09-30T22:00Z", reply="2026-10-01T01:00Z", solved="2026-10-01T02:00Z"
    )
    october = report(events)
    first = october.total.metric("first_response")
    assert first is not None
    assert (first.measured, first.breached, first.fulfilled) == (0, 0, 1)
    assert first.median_us == us(180)
    resolution = october.total.metric("resolution")
    assert resolution is not None
    assert (resolution.measured, resolution.met) == (1, 1)

    september = report(events, period=ReportPeriod.parse("2026-09"))
    first_sept = september.total.metric("first_response")
    assert first_sept is not None
    assert (first_sept.measured, first_sept.breached, first_sept.fulfilled) == (1, 1, 0)
    assert first_sept.breached_tickets == ("T1",)


def test_a_clock_still_running_at_the_end_of_the_period_is_open() -> None:
    """Created 31 October 23:30 and unanswered: at the end of October (the evaluation instant,
    even when asked in December) 30 of 60 minutes are used, so both clocks are open."""
    result = report(ticket("T1", "2026-10-31T23:30Z"))
    assert result.as_of_us == OCTOBER.end_us
    assert (result.total.measured, result.total.open) == (0, 2)
    assert result.total.tickets == 0


def test_attainment_and_ticket_counts() -> None:
    """Five first responses, one (90 minutes) over the hour; five resolutions in 2h: 9 of 10
    targets met, 4 of 5 tickets without a breach."""
    total = report(five_first_responses()).total
    assert (total.tickets, total.tickets_met, total.tickets_breached) == (5, 4, 1)
    assert (total.measured, total.met, total.breached) == (10, 9, 1)
    assert total.attainment == Fraction(9, 10)
    first = total.metric("first_response")
    assert first is not None
    assert first.attainment == Fraction(4, 5)
    assert first.breached_tickets == ("T5",)


def test_business_time_percentiles_use_the_nearest_rank() -> None:
    """10, 20, 30, 40, 90 minutes: the median is the 3rd value (30m), the 90th percentile the
    5th (90m, since 90% of 5 is 4.5, rounded up)."""
    total = report(five_first_responses()).total
    first, resolution = total.metric("first_response"), total.metric("resolution")
    assert first is not None
    assert resolution is not None
    assert (first.median_us, first.p90_us) == (us(30), us(90))
    assert (resolution.median_us, resolution.p90_us) == (us(120), us(120))


@pytest.mark.parametrize(
    ("values", "share", "expected"),
    [
        ([4, 1, 3, 2], Fraction(1, 2), 2),
        ([4, 1, 3, 2], Fraction(9, 10), 4),
        ([7], Fraction(9, 10), 7),
        ([], Fraction(1, 2), None),
    ],
)
def test_nearest_rank(values: list[int], share: Fraction, expected: int | None) -> None:
    """The percentile is the smallest value with at least that share at or below it."""
    assert nearest_rank(values, share) == expected


def test_time_is_business_time_on_the_policy_calendar() -> None:
    """Friday 16 October 16:00 to Monday 19 October 10:00 in New York is 2 business hours on
    us-business (Friday 16-17, Monday 9-10), within a 4h target."""
    rules = policy(calendar="us-business", targets={"first_response": {"all": "4h"}})
    events = ticket("T1", "2026-10-16T16:00-04:00", reply="2026-10-19T10:00-04:00")
    first = report(events, rules).total.metric("first_response")
    assert first is not None
    assert (first.met, first.median_us) == (1, us(120))


# ---- FCR and CSAT ---------------------------------------------------------------------------------


def test_fcr_counts_tickets_first_solved_in_the_period() -> None:
    """One reply then solved: FCR; two replies: not; unsolved: not counted; solved in
    September: not October's. 1 of 2."""
    events = [
        *ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z", solved="2026-10-05T11:00Z"),
        *ticket(
            "T2",
            "2026-10-05T10:00Z",
            replies=["2026-10-05T10:10Z", "2026-10-05T10:20Z"],
            solved="2026-10-05T11:00Z",
        ),
        *ticket("T3", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z"),
        *ticket("T4", "2026-09-29T10:00Z", reply="2026-09-29T10:10Z", solved="2026-09-30T10:00Z"),
    ]
    fcr = report(events).total.fcr
    assert (fcr.decided, fcr.achieved, fcr.pending, fcr.rate) == (2, 1, 0, Fraction(1, 2))
    assert fcr.definitions == ("solved with at most one public agent reply",)


def test_fcr_is_pending_while_its_reopen_window_is_open() -> None:
    """No-reopen-within-7-days FCR of a ticket solved on 28 October is undecided on 1 November."""
    rules = policy(outcomes={"fcr": {"definition": "no_reopen_within", "window": "7d"}})
    events = ticket(
        "T1", "2026-10-28T10:00Z", reply="2026-10-28T10:10Z", solved="2026-10-28T11:00Z"
    )
    fcr = report(events, rules).total.fcr
    assert (fcr.decided, fcr.pending, fcr.rate) == (0, 1, None)


def test_csat_is_the_positive_share_of_ratings_given_in_the_period() -> None:
    """good, bad, 5 and 3 (of 1-5) in October, good in September: 2 positive of 4 (3 is
    neutral), on two scales."""
    events = [
        *ticket("T1", "2026-10-05T10:00Z", rating="good", rated="2026-10-06T10:00Z"),
        *ticket("T2", "2026-10-05T10:00Z", rating="bad", rated="2026-10-06T10:00Z"),
        *ticket("T3", "2026-10-05T10:00Z", rating=5, rated="2026-10-06T10:00Z"),
        *ticket("T4", "2026-10-05T10:00Z", rating=3, rated="2026-10-06T10:00Z"),
        *ticket("T5", "2026-09-05T10:00Z", rating="good", rated="2026-09-06T10:00Z"),
    ]
    csat = report(events).total.csat
    assert (csat.responses, csat.positive, csat.neutral, csat.negative) == (4, 2, 1, 1)
    assert csat.share == Fraction(1, 2)
    assert csat.scales == ("1-5", "good/bad")


def test_csat_of_breached_tickets_is_reported_apart_from_met_ones() -> None:
    """T1 breached its first response and was rated good; T2 and T3 met, rated bad and good:
    breached 1 of 1 positive, met 1 of 2."""
    events = [
        *ticket(
            "T1",
            "2026-10-05T10:00Z",
            reply="2026-10-05T12:00Z",
            solved="2026-10-05T12:00Z",
            rating="good",
        ),
        *ticket(
            "T2",
            "2026-10-05T10:00Z",
            reply="2026-10-05T10:10Z",
            solved="2026-10-05T10:30Z",
            rating="bad",
        ),
        *ticket(
            "T3",
            "2026-10-05T10:00Z",
            reply="2026-10-05T10:10Z",
            solved="2026-10-05T10:30Z",
            rating="good",
        ),
    ]
    total = report(events).total
    assert (total.csat_breached.responses, total.csat_breached.share) == (1, Fraction(1))
    assert (total.csat_met.responses, total.csat_met.share) == (2, Fraction(1, 2))


# ---- grouping ---------------------------------------------------------------------------------------


def mixed() -> list[TicketEvent]:
    """Four tickets of 5 October, solved at 11:00; only T2 (urgent, 40 minutes) breaches."""
    return [
        *ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z", solved=SOLVED),
        *ticket(
            "T2", "2026-10-05T10:00Z", reply="2026-10-05T10:40Z", solved=SOLVED, priority="urgent"
        ),
        *ticket(
            "T3",
            "2026-10-05T10:00Z",
            reply="2026-10-05T10:10Z",
            solved=SOLVED,
            organization="globex",
            channel="web",
            source="zendesk",
        ),
        *ticket(
            "T4", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z", solved=SOLVED, organization=None
        ),
    ]


def test_groups_by_customer_and_priority() -> None:
    """Groups are keyed by the values, sorted, with (none) for a ticket without organization;
    the urgent ticket answered in 40 minutes breached its 30-minute target."""
    result = report(mixed(), by=("customer", "priority"))
    assert [g.key for g in result.groups] == [
        (("customer", NONE), ("priority", "normal")),
        (("customer", "acme"), ("priority", "normal")),
        (("customer", "acme"), ("priority", "urgent")),
        (("customer", "globex"), ("priority", "normal")),
    ]
    urgent = result.group(customer="acme", priority="urgent")
    assert urgent is not None
    assert urgent.metric("first_response") is not None
    assert urgent.breached == 1
    assert urgent.label == "acme, urgent"


def test_groups_by_channel_source_and_policy() -> None:
    """The channel field, the events' source and the policy's name are dimensions too."""
    result = report(mixed(), by=("channel", "source", "policy"))
    assert [dict(g.key) for g in result.groups] == [
        {"channel": "email", "source": "api", "policy": "gold"},
        {"channel": "web", "source": "zendesk", "policy": "gold"},
    ]
    assert [g.tickets for g in result.groups] == [3, 1]


def test_grouping_by_metric_puts_fcr_and_csat_in_their_own_groups() -> None:
    """By metric, each clock metric is a group, and so are fcr and csat."""
    events = ticket(
        "T1",
        "2026-10-05T10:00Z",
        reply="2026-10-05T10:10Z",
        solved="2026-10-05T11:00Z",
        rating="good",
    )
    result = report(events, by=("metric",))
    assert [g.label for g in result.groups] == ["csat", "fcr", "first_response", "resolution"]
    csat = result.group(metric="csat")
    assert csat is not None
    assert (csat.measured, csat.csat.responses) == (0, 1)


def test_a_dimension_given_twice_is_refused() -> None:
    """Grouping by customer and organisation is grouping by the same thing twice."""
    with pytest.raises(ConfigurationError, match="given twice"):
        report(mixed(), by=("customer", "organisation"))


def test_ticket_record_keeps_the_source_and_first_solve() -> None:
    """A record notes the source of the ticket's first event and the instant of its first solve."""
    events = ticket(
        "T1",
        "2026-10-05T10:00Z",
        reply="2026-10-05T10:10Z",
        solved="2026-10-05T11:00Z",
        source="jira",
    )
    record = TicketRecord.from_events(events, policy(), to_us(at("2026-11-01T00:00Z")))
    assert record.source == "jira"
    assert record.solved_us == to_us(at("2026-10-05T11:00Z"))


# ---- contracts inside a report ----------------------------------------------------------------------

CONTRACT: dict[str, Any] = {
    "slo": {"first_response": "90%"},
    "credits": [{"goal": "first_response", "below": "90%", "credit": "10%"}],
}


def contract_tickets() -> list[TicketEvent]:
    """acme: three answered in 10 minutes, A4 in 2 hours; globex: two in 10 minutes."""
    events: list[TicketEvent] = []
    for name in ("A1", "A2", "A3"):
        events += ticket(name, "2026-10-05T10:00Z", reply="2026-10-05T10:10Z")
    events += ticket("A4", "2026-10-05T10:00Z", reply="2026-10-05T12:00Z")
    for name in ("G1", "G2"):
        events += ticket(
            name, "2026-10-05T10:00Z", reply="2026-10-05T10:10Z", organization="globex"
        )
    return events


def test_verdicts_and_credits_per_customer_name_the_tickets_behind_them() -> None:
    """acme met 3 of 4 (75% < 90%, 1 more needed): 10% of 1000 EUR, behind it ticket A4; globex
    met 2 of 2 and has no fee row."""
    fees = FeeTable((Fee(customer="acme", fee=Decimal("1000"), currency="EUR"),))
    result = report(contract_tickets(), policy(CONTRACT), by=("customer",), fees=fees)
    acme, globex = result.contracts
    assert (acme.customer, acme.policy, acme.period) == ("acme", "gold", "2026-10")
    [verdict] = acme.verdicts
    assert (verdict.status, verdict.attainment, verdict.needed) == (
        VerdictStatus.MISSED,
        Fraction(3, 4),
        1,
    )
    [credit] = acme.credits
    assert (credit.credit, credit.amount, credit.tickets) == (
        Fraction(1, 10),
        Decimal("100.00"),
        ("A4",),
    )
    assert globex.customer == "globex"
    assert globex.verdicts[0].status is VerdictStatus.MET
    assert globex.credits == ()
    assert globex.fee is None
    [chart_acme, chart_globex] = result.charts.credits
    assert (chart_acme.credit, chart_acme.amount, chart_acme.tickets) == (
        Fraction(1, 10),
        Decimal("100.00"),
        ("A4",),
    )
    assert chart_globex.amount is None


def test_a_report_looks_back_for_clawback() -> None:
    """Clawback after 1 good period: September's 10% credit (its one ticket breached) is earned
    back in October, the only statement the October report shows."""
    rules = policy({**CONTRACT, "clawback": {"after": 1}})
    events = [
        *ticket("S1", "2026-09-10T10:00Z", reply="2026-09-10T12:00Z"),
        *ticket("O1", "2026-10-10T10:00Z", reply="2026-10-10T10:10Z"),
    ]
    [october] = report(events, rules).contracts
    assert october.period == "2026-10"
    [back] = october.clawbacks
    assert (back.of_period, back.credit) == ("2026-09", Fraction(1, 10))
    assert october.net == Fraction(-1, 10)


def test_a_period_not_over_yet_is_provisional() -> None:
    """Asked on 20 October, the October report is evaluated then and marked provisional; a
    ticket created 19 October 23:30 and unanswered is open, not breached."""
    events = [*contract_tickets(), *ticket("A5", "2026-10-19T23:30Z")]
    result = report(events, policy(CONTRACT), now="2026-10-20T00:00Z")
    assert result.provisional
    assert result.as_of_us == to_us(at("2026-10-20T00:00Z"))
    assert all(s.provisional for s in result.contracts)
    first = result.total.metric("first_response")
    assert first is not None
    assert (first.open, first.breached) == (1, 1)


# ---- chart data ---------------------------------------------------------------------------------------


def test_weekly_attainment_counts_each_clock_in_the_week_of_its_decision() -> None:
    """Met on Monday 5 October (W41), breached on Monday 19 October (W43)."""
    events = [
        *ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z"),
        *ticket("T2", "2026-10-19T10:00Z", reply="2026-10-19T12:00Z"),
    ]
    weekly = dict(report(events).charts.weekly)
    assert [(w.week, w.measured, w.met) for w in weekly["first_response"]] == [
        ("2026-W40", 0, 0),
        ("2026-W41", 1, 1),
        ("2026-W42", 0, 0),
        ("2026-W43", 1, 0),
        ("2026-W44", 0, 0),
    ]


def test_breaches_by_hour_use_the_report_time_zone() -> None:
    """A breach at 11:00 UTC is in hour 11 of a UTC report and hour 7 of a New York one (EDT)."""
    events = ticket(
        "T1", "2026-10-05T10:00Z", reply="2026-10-05T12:00Z", solved="2026-10-05T12:00Z"
    )
    utc = report(events).charts.breaches_by_hour
    new_york = report(
        events, period=ReportPeriod.parse("2026-10", timezone="America/New_York")
    ).charts.breaches_by_hour
    assert (utc[11], sum(utc)) == (1, 1)
    assert (new_york[7], sum(new_york)) == (1, 1)


def test_time_to_first_response_buckets_per_priority() -> None:
    """10m falls in <15m, exactly 15m in 15-30m, 90m in 1-2h; the urgent ticket's 20m in
    15-30m; priorities come urgent first."""
    events = [
        *ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z"),
        *ticket("T2", "2026-10-05T10:00Z", reply="2026-10-05T10:15Z"),
        *ticket("T3", "2026-10-05T10:00Z", reply="2026-10-05T11:30Z"),
        *ticket("T4", "2026-10-05T10:00Z", reply="2026-10-05T10:20Z", priority="urgent"),
    ]
    assert report(events).charts.ttfr == (
        ("urgent", (0, 1, 0, 0, 0, 0, 0, 0)),
        ("normal", (1, 1, 0, 1, 0, 0, 0, 0)),
    )


# ---- outputs --------------------------------------------------------------------------------------------


def test_json_holds_the_figures_and_their_definitions() -> None:
    """to_dict is JSON-ready and says what was counted and how."""
    data = json.loads(json.dumps(report(five_first_responses(), by=("customer",)).to_dict()))
    assert data["period"]["label"] == "2026-10"
    assert data["total"]["attainment_pct"] == 90.0
    [metric, _] = data["groups"][0]["metrics"]
    assert (metric["median"], metric["p90"], metric["median_seconds"]) == ("30m", "1h 30m", 1800.0)
    assert "breach" in data["definitions"]["period_rule"]


def test_csv_has_a_row_per_group_and_measure() -> None:
    """The five-ticket month in CSV: first response, resolution and FCR rows for acme."""
    assert report(five_first_responses(), by=("customer",)).to_csv() == (
        "period,customer,measure,measured,met,not_met,open,attainment_pct,median_seconds,"
        "p90_seconds\n"
        "2026-10,acme,first_response,5,4,1,0,80,1800.0,5400.0\n"
        "2026-10,acme,resolution,5,5,0,0,100,7200.0,7200.0\n"
        "2026-10,acme,fcr,5,5,0,0,100,,\n"
    )


def test_credits_csv_lists_each_credit_with_its_tickets() -> None:
    """One credit row for acme with the share, amount and the ticket behind it."""
    fees = FeeTable((Fee(customer="acme", fee=Decimal("1000"), currency="EUR"),))
    text = report(contract_tickets(), policy(CONTRACT), fees=fees).credits_csv()
    assert text.splitlines()[1:] == [
        "acme,gold,2026-10,no,credit,first_response,75,90,10,100.00,EUR,A4"
    ]


# ---- what-if ------------------------------------------------------------------------------------------


def test_whatif_shows_the_change_and_the_clocks_that_flip() -> None:
    """Tightening first response from 1h to 30m turns T1's 40-minute answer into a breach:
    first-response attainment 100% -> 50%, one more breach."""
    events = [
        *ticket("T1", "2026-10-05T10:00Z", reply="2026-10-05T10:40Z", solved=SOLVED),
        *ticket("T2", "2026-10-05T10:00Z", reply="2026-10-05T10:10Z", solved=SOLVED),
    ]
    tighter = policy(targets={"first_response": {"all": "30m"}, "resolution": {"all": "8h"}})
    result = compare_reports(report(events), report(events, tighter))
    changes = {(c.group, c.measure): c for c in result.changes}
    first = changes[("all tickets", "first_response attainment")]
    assert (first.before, first.after, first.delta_text()) == (1, Fraction(1, 2), "-50 pts")
    breaches = changes[("all tickets", "breaches")]
    assert (breaches.before, breaches.after, breaches.delta_text()) == (0, 1, "+1")
    assert result.newly_breached == (("T1", "first_response", 1),)
    assert result.newly_met == ()
    assert json.loads(json.dumps(result.to_dict()))["newly_breached"][0]["ticket_id"] == "T1"


def test_dimension_enum_round_trips_through_the_report() -> None:
    """A report keeps the dimensions it was grouped by, parsed from their names."""
    assert report(mixed(), by=("organisation",)).by == (Dimension.CUSTOMER,)


def test_durations_are_whole_microseconds() -> None:
    """Business time statistics are integers (no float hours anywhere)."""
    first = report(five_first_responses()).total.metric("first_response")
    assert first is not None
    assert isinstance(first.median_us, int)
    assert first.median_us == timedelta(minutes=30) // MICROSECOND
