"""The contract side: SLO goals, credit tiers, cap, clawback and escalation as read from a policy
file, and the verdict and credit arithmetic. Every expected figure is worked out in a comment."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from support.report_builders import policy
from ticketsla import ConfigurationError, PolicyError, SLAPolicy, TicketSLAError
from ticketsla.contract import (
    Contract,
    Fee,
    FeeTable,
    GoalOutcomes,
    SLOGoal,
    SLOPeriod,
    VerdictStatus,
    assess,
    format_share,
    parse_share,
    statements,
    ticket_order,
)
from ticketsla.events import Priority

GOLD_CONTRACT: dict[str, Any] = {
    "slo": {
        "period": "month",
        "credit_cap": "12%",
        "first_response": "95%",
        "resolution": {"goal": "90%", "priority": ["urgent", "high"]},
        "fcr": "70%",
        "csat": "90%",
    },
    "credits": [
        {"goal": "first_response", "below": "90%", "credit": "10%"},
        {"goal": "first_response", "below": "95%", "credit": "5%"},
        {"goal": "resolution", "below": "90%", "credit": "5%"},
    ],
    "clawback": {"after": 2, "level": "97%"},
    "escalation": [
        {"when": "75%", "notify": "team-lead"},
        {"when": "2h after breach", "notify": ["head of support"], "action": "call"},
    ],
}


def contract(**table: Any) -> Contract:
    return Contract.from_mapping(table, metrics=["first_response", "resolution"])


def outcomes(met: int, missed: int, prefix: str = "T") -> tuple[tuple[str, bool], ...]:
    """``met`` tickets that met and ``missed`` that did not, numbered from 1."""
    rows = [(f"{prefix}{n}", True) for n in range(1, met + 1)]
    rows += [(f"{prefix}{n}", False) for n in range(met + 1, met + missed + 1)]
    return tuple(rows)


# ---- shares ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "share"),
    [("95%", Fraction(19, 20)), ("99.5%", Fraction(199, 200)), (" 100 % ", Fraction(1))],
)
def test_parse_share_reads_percentages_exactly(text: str, share: Fraction) -> None:
    """A percentage text becomes the exact fraction of one it names."""
    assert parse_share(text, where="slo.first_response") == share


@pytest.mark.parametrize("text", ["95", "0.95", "101%", "0%", "-5%", "ninety%", 95])
def test_parse_share_refuses_what_is_not_a_percentage(text: Any) -> None:
    """A bare number, a share over 100% or zero is a PolicyError naming where it was."""
    with pytest.raises(PolicyError, match=r"slo\.fcr"):
        parse_share(text, where="slo.fcr")


@pytest.mark.parametrize(
    ("share", "text"),
    [(Fraction(19, 20), "95%"), (Fraction(2, 3), "66.67%"), (Fraction(1, 8), "12.5%"), (None, "-")],
)
def test_format_share_prints_at_most_two_decimals(share: Fraction | None, text: str) -> None:
    """Shares print as percentages without trailing zeros, rounded half up to two places."""
    assert format_share(share) == text


def test_ticket_order_compares_digit_runs_as_numbers() -> None:
    """Ticket ids sort as people expect: T2 before T10, and texts still compare as texts."""
    assert sorted(["T10", "T2", "A-1", "T1"], key=ticket_order) == ["A-1", "T1", "T2", "T10"]


# ---- reading the contract ---------------------------------------------------------------------


def test_contract_is_read_from_the_policy_file_tables() -> None:
    """[slo], [[credits]], [clawback] and [[escalation]] land on SLAPolicy.contract."""
    c = policy(GOLD_CONTRACT).contract
    assert c.period is SLOPeriod.MONTH
    assert [(g.metric, g.goal) for g in c.goals] == [
        ("first_response", Fraction(19, 20)),
        ("resolution", Fraction(9, 10)),
        ("fcr", Fraction(7, 10)),
        ("csat", Fraction(9, 10)),
    ]
    resolution = c.goal("resolution")
    assert resolution is not None
    assert resolution.priorities == frozenset({Priority.URGENT, Priority.HIGH})
    assert resolution.applies_to("urgent")
    assert not resolution.applies_to("normal")
    # tiers of a goal come shallowest first, whatever the file's order
    assert [(t.below, t.credit) for t in c.tiers("first_response")] == [
        (Fraction(95, 100), Fraction(5, 100)),
        (Fraction(90, 100), Fraction(10, 100)),
    ]
    assert c.credit_cap == Fraction(12, 100)
    assert c.clawback is not None
    assert (c.clawback.after, c.clawback.level, c.clawback.share) == (2, Fraction(97, 100), 1)
    assert [e.notify for e in c.escalation] == [("team-lead",), ("head of support",)]
    assert c.escalation[1].offset_us == 2 * 3600 * 1_000_000


def test_a_policy_without_slo_has_an_empty_contract() -> None:
    """No [slo] and no [[escalation]] leaves an empty, falsy contract and the policy unchanged."""
    plain = policy()
    assert plain.contract == Contract()
    assert not plain.contract


def test_unknown_top_level_keys_are_still_refused() -> None:
    """Accepting slo and credits did not open the door to typos such as 'slos'."""
    with pytest.raises(PolicyError, match="slos: unknown key"):
        policy({"slos": {"first_response": "95%"}})


def test_a_goal_may_name_a_custom_metric_of_the_policy() -> None:
    """A goal on a custom metric defined in [metrics] is accepted."""
    custom = policy(
        {
            "targets": {"first_response": {"all": "1h"}, "handoff": {"all": "2h"}},
            "metrics": {"handoff": {"start": "assigned", "stop": "agent_reply"}},
            "slo": {"handoff": "80%"},
        }
    )
    assert custom.contract.goals == (SLOGoal(metric="handoff", goal=Fraction(4, 5)),)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"slo": {"next_response": "95%"}}, r"slo\.next_response: unknown goal"),
        ({"slo": {"period": "quarter", "fcr": "70%"}}, r"slo\.period: 'quarter'"),
        ({"slo": {"fcr": {"goal": "70%", "priority": ["asap"]}}}, r"unknown priority 'asap'"),
        ({"slo": {"fcr": {"priority": ["urgent"]}}}, r"slo\.fcr\.goal: missing"),
        ({"slo": {"fcr": "70%", "min_tickets": 0}}, r"min_tickets: expected a whole number"),
        (
            {"slo": {"fcr": "70%"}, "credits": [{"goal": "csat", "below": "90%", "credit": "5%"}]},
            r"credits\[0\]\.goal: 'csat' has no goal",
        ),
        (
            {"slo": {"fcr": "70%"}, "credits": [{"goal": "fcr", "below": "80%", "credit": "5%"}]},
            r"above the goal 70%",
        ),
        (
            {
                "slo": {"fcr": "70%"},
                "credits": [
                    {"goal": "fcr", "below": "70%", "credit": "10%"},
                    {"goal": "fcr", "below": "60%", "credit": "5%"},
                ],
            },
            r"a deeper miss must not credit less",
        ),
        (
            {"slo": {"fcr": "70%"}, "credits": [{"goal": "fcr", "below": "70%"}]},
            r"credits\[0\]\.credit: missing",
        ),
        ({"slo": {"fcr": "70%", "credit_cap": "10%"}}, r"a cap needs \[\[credits\]\]"),
        ({"slo": {"fcr": "70%"}, "clawback": {"after": 2}}, r"clawback needs \[\[credits\]\]"),
        ({"escalation": [{"when": "soon"}]}, r"escalation\[0\]\.when: 'soon'"),
        ({"escalation": [{"when": "breach", "metrics": ["resolve"]}]}, r"unknown metric"),
        ({"escalation": [{"when": "breach", "page": "x"}]}, r"escalation\[0\]\.page: unknown"),
    ],
)
def test_contract_mistakes_are_policy_errors_naming_the_key(
    table: dict[str, Any], message: str
) -> None:
    """Each mistake in the contract tables raises a PolicyError that names the offending key."""
    with pytest.raises(PolicyError, match=message):
        policy(table)


def test_policy_load_reads_the_contract_from_toml(tmp_path: Path) -> None:
    """SLAPolicy.load accepts the TOML form documented in docs/contracts.md."""
    path = tmp_path / "gold.toml"
    path.write_text(
        'name = "gold"\ncalendar = "24x7"\n[targets.first_response]\nall = "1h"\n'
        '[slo]\nfirst_response = "95%"\nperiod = "week"\n'
        '[[credits]]\ngoal = "first_response"\nbelow = "95%"\ncredit = "5%"\n'
        "[clawback]\nafter = 3\n",
        encoding="utf-8",
    )
    loaded = SLAPolicy.load(path).contract
    assert loaded.period is SLOPeriod.WEEK
    assert loaded.clawback is not None
    assert loaded.clawback.level is None
    assert loaded.clawback.share == 1


# ---- verdicts -------------------------------------------------------------------------------------


GOAL_95 = SLOGoal(metric="first_response", goal=Fraction(95, 100))


def test_a_goal_reached_exactly_is_met() -> None:
    """19 of 20 is exactly 95%: met, nothing more needed."""
    verdict = assess(GOAL_95, outcomes(19, 1), "2026-10")
    assert verdict.status is VerdictStatus.MET
    assert (verdict.attainment, verdict.needed, verdict.shortfall) == (Fraction(19, 20), 0, 0)
    assert verdict.failing == ("T20",)


def test_a_missed_goal_says_by_how_much_and_how_many_more() -> None:
    """17 of 20 is 85%: 10 points short; 19 would have had to meet, so 2 more."""
    verdict = assess(GOAL_95, outcomes(17, 3), "2026-10")
    assert verdict.status is VerdictStatus.MISSED
    assert verdict.shortfall == Fraction(10, 100)
    assert verdict.needed == 2
    assert verdict.failing == ("T18", "T19", "T20")
    assert "missed by 10 percentage points" in verdict.describe()


def test_more_needed_rounds_up_to_whole_tickets() -> None:
    """6 of 7 at a 95% goal: 95% of 7 is 6.65, so all 7 must meet: 1 more."""
    verdict = assess(GOAL_95, outcomes(6, 1), "2026-10")
    assert verdict.attainment == Fraction(6, 7)
    assert verdict.needed == 1


def test_too_few_measurements_are_not_assessed() -> None:
    """With min_tickets = 5, a period with 3 measured gives no verdict, whatever they were."""
    goal = SLOGoal(metric="fcr", goal=Fraction(70, 100), min_tickets=5)
    verdict = assess(goal, outcomes(0, 3), "2026-10")
    assert verdict.status is VerdictStatus.NOT_ASSESSED
    assert verdict.needed == 0
    empty = assess(GOAL_95, (), "2026-10")
    assert empty.status is VerdictStatus.NOT_ASSESSED
    assert empty.attainment is None


# ---- credits, cap, clawback -----------------------------------------------------------------------


def gold() -> Contract:
    return policy(GOLD_CONTRACT).contract


def period(
    label: str, c: Contract, first_response: tuple[int, int], resolution: tuple[int, int] = (1, 0)
) -> tuple[str, tuple[GoalOutcomes, ...], bool]:
    by_goal = {
        "first_response": outcomes(*first_response),
        "resolution": outcomes(*resolution, prefix="R"),
    }
    return (
        label,
        tuple(GoalOutcomes(goal=g, outcomes=by_goal.get(g.metric, ())) for g in c.goals),
        False,
    )


def test_the_deepest_tier_reached_applies_and_tiers_do_not_add_up() -> None:
    """First response at 88% is below 95% and 90%: the 10% tier applies, not 5% + 10%."""
    c = gold()
    [s] = statements(c, customer="acme", policy="gold", periods=[period("2026-10", c, (22, 3))])
    # 22 of 25 = 88%
    assert [(line.goal, line.credit) for line in s.credits] == [
        ("first_response", Fraction(10, 100))
    ]
    assert s.credits[0].tickets == ("T23", "T24", "T25")
    assert s.gross == s.capped == s.net == Fraction(10, 100)


def test_credits_of_several_goals_add_up_to_the_cap() -> None:
    """10% (first response 88%) + 5% (resolution 50%) = 15%, capped at 12%; 120.00 of 1000."""
    c = gold()
    fee = Fee(customer="acme", fee=Decimal("1000"), currency="EUR")
    [s] = statements(
        c,
        customer="acme",
        policy="gold",
        periods=[period("2026-10", c, (22, 3), resolution=(1, 1))],
        fee=fee,
    )
    assert [line.amount for line in s.credits] == [Decimal("100.00"), Decimal("50.00")]
    assert (s.gross, s.capped, s.net) == (Fraction(15, 100), Fraction(12, 100), Fraction(12, 100))
    assert s.net_amount == Decimal("120.00")


def test_credits_are_earned_back_after_enough_good_periods() -> None:
    """Clawback after 2 periods at 97%+: August credits 5%, September and October are good, so
    October gives the 5% back; with a 2000 fee that is 100.00."""
    c = gold()
    fee = Fee(customer="acme", fee=Decimal("2000"))
    result = statements(
        c,
        customer="acme",
        policy="gold",
        periods=[
            period("2026-08", c, (93, 7)),  # 93% < 95%: the 5% tier
            period("2026-09", c, (98, 2)),  # 98% >= 97%
            period("2026-10", c, (97, 3)),  # 97% >= 97%
        ],
        fee=fee,
    )
    august, september, october = result
    assert august.net == Fraction(5, 100)
    assert august.net_amount == Decimal("100.00")
    assert september.clawbacks == ()
    [back] = october.clawbacks
    assert (back.of_period, back.credit, back.amount) == ("2026-08", Fraction(5, 100), 100)
    assert back.good_periods == ("2026-09", "2026-10")
    assert october.net == Fraction(-5, 100)
    assert october.net_amount == Decimal("-100.00")


def test_one_period_below_the_level_breaks_the_run() -> None:
    """September at 96% is below the 97% level: no clawback in October."""
    c = gold()
    result = statements(
        c,
        customer="acme",
        policy="gold",
        periods=[
            period("2026-08", c, (93, 7)),
            period("2026-09", c, (96, 4)),
            period("2026-10", c, (100, 0)),
        ],
    )
    assert all(s.clawbacks == () for s in result)


def test_fee_shares_round_half_up_to_the_cent() -> None:
    """5% of 8000.50 is 400.025, which rounds half up to 400.03."""
    assert Fee(customer="x", fee=Decimal("8000.50")).of(Fraction(5, 100)) == Decimal("400.03")


# ---- fee tables ------------------------------------------------------------------------------------


def test_fee_table_reads_csv_and_toml(tmp_path: Path) -> None:
    """The CSV and TOML forms give the same fees per customer."""
    csv_file = tmp_path / "fees.csv"
    csv_file.write_text("customer,fee,currency\nacme,12000,EUR\nglobex,800.5,\n", encoding="utf-8")
    toml_file = tmp_path / "fees.toml"
    toml_file.write_text(
        '[customers.acme]\nfee = 12000\ncurrency = "EUR"\n[customers.globex]\nfee = "800.5"\n',
        encoding="utf-8",
    )
    for table in (FeeTable.load(csv_file), FeeTable.load(toml_file)):
        assert table.get("acme") == Fee(customer="acme", fee=Decimal("12000"), currency="EUR")
        assert table.get("globex") == Fee(customer="globex", fee=Decimal("800.5"))
        assert table.get("initech") is None


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("fees.csv", "customer,amount\nacme,1\n", "needs a 'fee' column"),
        ("fees.csv", "customer,fee\nacme,1\nacme,2\n", "'acme' appears twice"),
        ("fees.csv", "customer,fee\nacme,lots\n", "line 2: fee: 'lots' is not an amount"),
        ("fees.csv", "customer,fee\nacme,-5\n", "must be zero or more"),
        ("fees.csv", "customer,fee\n", "no customers"),
        ("fees.toml", "[customers.acme]\nprice = 1\n", "expected fee"),
        ("fees.json", "{}", "expected a .csv or .toml file"),
    ],
)
def test_fee_table_mistakes_are_configuration_errors(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    """A malformed fee table is a ConfigurationError saying what is wrong and where."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message) as info:
        FeeTable.load(path)
    assert isinstance(info.value, TicketSLAError)
