"""SLA policy files: what loads, what is refused (naming file, key and value), and PolicySet choice."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ticketsla import (
    FCRDefinition,
    OnReopen,
    PolicyError,
    PolicySet,
    Priority,
    SLAPolicy,
    Status,
    TicketEvent,
    evaluate,
)

FIXTURES = Path(__file__).parent / "fixtures" / "policies"
NY = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def write(tmp_path: Path, text: str, name: str = "bad.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def mapping(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "p",
        "calendar": "us-business",
        "targets": {"resolution": {"all": "8h"}},
    }
    data.update(extra)
    return data


# ---- the issue's example ----------------------------------------------------------------------


def test_issue_example_policy_loads_with_every_setting() -> None:
    """The TOML example of issue 3 loads: calendar, match, targets, metric override, warnings."""
    policy = SLAPolicy.load(FIXTURES / "standard.toml")
    assert policy.name == "standard"
    assert policy.calendar.name == "us-business"
    assert policy.match == (("channel", frozenset({"email", "web"})),)
    assert policy.target("first_response", "urgent") == timedelta(hours=1)
    assert policy.target("first_response", Priority.HIGH) == timedelta(hours=4)
    assert policy.target("first_response", "normal") == timedelta(hours=8)
    assert policy.target("first_response", "low") is None  # no target: no clock
    assert policy.target("resolution", "normal") == timedelta(hours=16)
    assert policy.target("resolution", "urgent") is None
    assert policy.target("next_response", "normal") is None  # not in the file at all
    assert policy.metric_names == ("first_response", "resolution")
    resolution = policy.definition("resolution")
    assert resolution.pause_while == frozenset({Status.PENDING, Status.ON_HOLD})
    assert resolution.on_reopen is OnReopen.CONTINUE
    assert policy.calendar_for("resolution").name == "24x7"
    assert policy.calendar_for("first_response").name == "us-business"
    assert [(w.label, w.share, w.lead_us) for w in policy.warnings] == [
        ("75%", 0.75, None),
        ("30m", None, 30 * 60 * 1_000_000),
    ]
    assert policy.fcr == FCRDefinition()  # one_touch unless the file says otherwise
    assert policy.default_priority is Priority.NORMAL
    assert policy.source == str(FIXTURES / "standard.toml")


def test_a_priority_without_a_target_gets_no_clock() -> None:
    """A low-priority ticket under the example policy has no first-response clock (as in Zendesk)."""
    policy = SLAPolicy.load(FIXTURES / "standard.toml")
    created = TicketEvent(
        ticket_id="T-1",
        event_id="e1",
        at=datetime(2026, 3, 10, 9, tzinfo=NY),
        kind="created",
        priority="low",
    )
    state = evaluate([created], policy, datetime(2026, 3, 10, 10, tzinfo=NY))
    assert state.clock("first_response") is None
    assert state.clock("resolution") is None
    assert state.clocks == ()


def test_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    """A policy file without ``name`` is named after the file."""
    path = write(
        tmp_path, 'calendar = "24x7"\n[targets.resolution]\nall = "1h"\n', "gold-tier.toml"
    )
    assert SLAPolicy.load(path).name == "gold-tier"


def test_calendar_path_is_relative_to_the_policy_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """``calendar = "x.toml"`` is read next to the policy file, whatever the working directory."""
    monkeypatch.chdir(Path(__file__).parent)
    policy = SLAPolicy.load(FIXTURES / "relative-calendar.toml")
    assert policy.calendar.name == "ny-round-the-clock"
    assert policy.calendar.timezone == "America/New_York"


def test_calendar_path_relative_to_the_file_is_also_used_for_a_metric(tmp_path: Path) -> None:
    """A metric's ``calendar`` may be a file next to the policy, too."""
    (tmp_path / "cal.toml").write_text(
        (FIXTURES / "calendar-ny-round-the-clock.toml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    path = write(
        tmp_path,
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n'
        '[metrics.resolution]\ncalendar = "cal.toml"\n',
        "p.toml",
    )
    assert SLAPolicy.load(path).calendar_for("resolution").name == "ny-round-the-clock"


# ---- targets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [{"all": "2h", "urgent": "30m"}, {"urgent": "30m", "all": "2h"}],
    ids=["all-first", "all-last"],
)
def test_all_priority_key_fills_every_priority_not_named(table: dict[str, str]) -> None:
    """``all`` applies to each priority without its own entry, wherever it stands in the table."""
    policy = SLAPolicy.from_mapping(mapping(targets={"first_response": table}))
    assert policy.target("first_response", "urgent") == timedelta(minutes=30)
    for priority in ("high", "normal", "low"):
        assert policy.target("first_response", priority) == 2 * H


def test_duration_forms_are_accepted_in_targets() -> None:
    """Targets may be written 90m, 1h30m or PT1H30M."""
    for text in ("90m", "1h30m", "PT1H30M", "5400s"):
        policy = SLAPolicy.from_mapping(mapping(targets={"resolution": {"all": text}}))
        assert policy.target("resolution", "normal") == timedelta(minutes=90)


def test_default_priority_applies_to_tickets_without_one() -> None:
    """``default_priority`` picks the target of a ticket that never had a priority."""
    policy = SLAPolicy.from_mapping(
        mapping(default_priority="high", targets={"resolution": {"high": "4h", "normal": "8h"}})
    )
    assert policy.target("resolution", None) == 4 * H


# ---- refusals, each naming the file, the key and the value ---------------------------------------


BAD_FILES = [
    pytest.param(
        'calendar = "us-business"\n[targets.time_travel]\nall = "1h"\n',
        "targets.time_travel",
        "'time_travel'",
        id="unknown-metric",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.first_response]\ncritical = "1h"\n',
        "targets.first_response.critical",
        "'critical'",
        id="unknown-priority",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n'
        '[metrics.resolution]\npause_while = ["waiting"]\n',
        "metrics.resolution.pause_while",
        "'waiting'",
        id="unknown-status",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n'
        '[metrics.resolution]\nstart = ["status:waiting"]\n',
        "metrics.resolution.start",
        "'waiting'",
        id="unknown-status-in-trigger",
    ),
    pytest.param(
        'calendar = "mars-business"\n[targets.resolution]\nall = "1h"\n',
        "calendar",
        "'mars-business'",
        id="unknown-calendar",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n'
        '[metrics.resolution]\ncalendar = "venus-business"\n',
        "metrics.resolution.calendar",
        "'venus-business'",
        id="unknown-metric-calendar",
    ),
    pytest.param(
        'calendar = "us-business"\ncolour = "red"\n[targets.resolution]\nall = "1h"\n',
        "colour",
        "unknown key",
        id="unknown-top-key",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[metrics.resolution]\nfrob = 1\n',
        "metrics.resolution.frob",
        "unknown key",
        id="unknown-metric-key",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[warnings]\nbefore = ["1h"]\n',
        "warnings.before",
        "unknown key",
        id="unknown-warnings-key",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[outcomes]\ncsat = "1-5"\n',
        "outcomes.csat",
        "unknown key",
        id="unknown-outcomes-key",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "soon"\n',
        "targets.resolution.all",
        "'soon'",
        id="bad-duration",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "0m"\n',
        "targets.resolution.all",
        "'0m'",
        id="zero-target",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "P1M"\n',
        "targets.resolution.all",
        "'P1M'",
        id="months-target",
    ),
    pytest.param(
        'calendar = "us-business"\ndefault_priority = "meh"\n[targets.resolution]\nall = "1h"\n',
        "default_priority",
        "'meh'",
        id="unknown-default-priority",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n'
        '[metrics.resolution]\non_reopen = "forget"\n',
        "metrics.resolution.on_reopen",
        "'forget'",
        id="unknown-on-reopen",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[metrics.resolution]\ncycles = "few"\n',
        "metrics.resolution.cycles",
        "'few'",
        id="unknown-cycles",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[metrics.resolution]\nafter = "triage"\n',
        "metrics.resolution.after",
        "'triage'",
        id="unknown-after",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n'
        '[metrics.first_response]\npause_while = ["pending"]\n',
        "metrics.first_response",
        "[targets.first_response]",
        id="override-without-targets",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.triage]\nall = "1h"\n[metrics.triage]\nstart = ["created"]\n',
        "targets.triage",
        "'triage'",
        id="custom-metric-without-stop",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[warnings]\nat = ["150%"]\n',
        "warnings.at",
        "'150%'",
        id="warning-share-too-big",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[warnings]\nat = ["0%"]\n',
        "warnings.at",
        "'0%'",
        id="warning-share-zero",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[warnings]\nat = ["soonish"]\n',
        "warnings.at",
        "'soonish'",
        id="warning-not-a-duration",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[warnings]\nat = "75%"\n',
        "warnings.at",
        "expected a list",
        id="warnings-not-a-list",
    ),
    pytest.param(
        'calendar = "us-business"\n[targets.resolution]\nall = "1h"\n[outcomes]\nfcr = "two_touch"\n',
        "outcomes.fcr",
        "'two_touch'",
        id="unknown-fcr",
    ),
    pytest.param(
        '[targets.resolution]\nall = "1h"\n',
        "calendar",
        "missing",
        id="missing-calendar",
    ),
    pytest.param('calendar = "us-business"\n', "targets", "at least one metric", id="no-targets"),
    pytest.param(
        'calendar = "us-business"\n[match]\npriority = ["critical"]\n[targets.resolution]\nall = "1h"\n',
        "match.priority",
        "'critical'",
        id="match-unknown-priority",
    ),
    pytest.param(
        'calendar = "us-business"\n[match]\nstatus = "waiting"\n[targets.resolution]\nall = "1h"\n',
        "match.status",
        "'waiting'",
        id="match-unknown-status",
    ),
]


@pytest.mark.parametrize(("text", "key", "value"), BAD_FILES)
def test_bad_policy_file_is_a_policy_error_naming_file_key_and_value(
    tmp_path: Path, text: str, key: str, value: str
) -> None:
    """Every invalid setting is a PolicyError whose message names the file, the key and the value."""
    path = write(tmp_path, text)
    with pytest.raises(PolicyError) as info:
        SLAPolicy.load(path)
    message = str(info.value)
    assert str(path) in message
    assert f": {key}" in message
    assert value in message
    assert isinstance(info.value, ValueError)


def test_match_on_status_is_refused_because_policies_are_chosen_by_ticket_fields() -> None:
    """``[match] status`` is refused even for a real status: status pauses clocks, not policies."""
    with pytest.raises(PolicyError, match=r"match\.status: 'pending': .*pause_while"):
        SLAPolicy.from_mapping(mapping(match={"status": "pending"}))


def test_unreadable_or_invalid_toml_file_is_a_policy_error(tmp_path: Path) -> None:
    """A missing file and a file that is not TOML are PolicyErrors naming the file."""
    missing = tmp_path / "nope.toml"
    with pytest.raises(PolicyError, match=r"nope\.toml'?: cannot be read"):
        SLAPolicy.load(missing)
    broken = write(tmp_path, "calendar = \n")
    with pytest.raises(PolicyError, match=r"bad\.toml'?: not valid TOML"):
        SLAPolicy.load(broken)


# ---- warnings -----------------------------------------------------------------------------------


def test_warnings_parse_shares_and_lead_times_and_per_metric_overrides() -> None:
    """``[warnings] at`` holds shares and lead times; ``[metrics.M] warnings`` replaces them for M."""
    policy = SLAPolicy.from_mapping(
        mapping(
            targets={"first_response": {"all": "4h"}, "resolution": {"all": "8h"}},
            metrics={"first_response": {"warnings": ["1h30m", "50%"]}},
            warnings={"at": ["75%", "PT30M"]},
        )
    )
    assert [(w.label, w.share, w.lead_us) for w in policy.warnings_for("resolution")] == [
        ("75%", 0.75, None),
        ("PT30M", None, 1_800_000_000),
    ]
    assert [(w.label, w.share, w.lead_us) for w in policy.warnings_for("first_response")] == [
        ("1h30m", None, 5_400_000_000),
        ("50%", 0.5, None),
    ]
    four_hours = 4 * 3_600_000_000
    # 75 % of 4h is 3h used; 30m lead on 4h is 3h30m used; a lead longer than the target never fires
    assert policy.warnings[0].elapsed_at(four_hours) == 3 * 3_600_000_000
    assert policy.warnings[1].elapsed_at(four_hours) == 3 * 3_600_000_000 + 1_800_000_000
    assert policy.warnings[1].elapsed_at(1_800_000_000) is None


# ---- FCR definitions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("one_touch", "one_touch"),
        ("no_customer_followup", "no_customer_followup"),
        ({"definition": "no_reopen_within", "window": "7d"}, "no_reopen_within(7d)"),
    ],
)
def test_fcr_definitions_load_from_outcomes(value: Any, text: str) -> None:
    """``[outcomes] fcr`` takes a definition name, or a table with no_reopen_within and a window."""
    policy = SLAPolicy.from_mapping(mapping(outcomes={"fcr": value}))
    assert str(policy.fcr) == text


def test_fcr_inline_table_loads_from_a_file() -> None:
    """``fcr = { definition = "no_reopen_within", window = "7d" }`` loads from TOML."""
    policy = SLAPolicy.load(FIXTURES / "fcr-no-reopen.toml")
    assert policy.fcr.window_us == 7 * 24 * 3_600_000_000
    assert policy.calendar.name == "de-business"


# ---- custom metrics -----------------------------------------------------------------------------


def test_custom_metrics_load_with_triggers_cycles_and_their_own_calendar() -> None:
    """A custom metric's start/stop/cancel triggers, cycles, calendar and warnings are read."""
    policy = SLAPolicy.load(FIXTURES / "custom-metrics.toml")
    assert policy.metric_names == ("first_response", "time_to_assign", "customer_wait")
    assign = policy.definition("time_to_assign")
    assert assign.start == frozenset({"created"})
    assert assign.stop == frozenset({"assigned", "status:solved"})
    assert not assign.many_cycles
    wait = policy.definition("customer_wait")
    assert wait.start == frozenset({"status:pending"})
    assert wait.cancel == frozenset({"status:solved", "status:closed"})
    assert wait.many_cycles
    assert policy.calendar_for("customer_wait").name == "24x7"
    assert [w.label for w in policy.warnings_for("customer_wait")] == ["50%"]
    assert policy.default_priority is Priority.HIGH
    assert policy.target("time_to_assign", None) == H  # default priority high
    assert policy.target("time_to_assign", "low") is None


def test_asking_for_a_metric_the_policy_lacks_names_it() -> None:
    """``definition`` of an unmeasured metric is a PolicyError listing the metrics there are."""
    policy = SLAPolicy.from_mapping(mapping())
    with pytest.raises(PolicyError, match=r"no metric 'next_response' \(has: resolution\)"):
        policy.definition("next_response")


# ---- PolicySet ----------------------------------------------------------------------------------


def named(name: str, target: str, **match: Any) -> SLAPolicy:
    return SLAPolicy.from_mapping(
        {
            "name": name,
            "calendar": "us-business",
            "targets": {"first_response": {"all": target}},
            "match": match,
        }
    )


VIP = named("vip", "1h", tags=["vip"])
EMAIL = named("email", "4h", channel=["email", "web"])
DEFAULT = named("default", "8h")
SET = PolicySet([VIP, EMAIL], default=DEFAULT)


def test_policy_set_first_match_wins() -> None:
    """A VIP email ticket matches both policies; the first listed wins, and the reason says why."""
    policy, why = SET.choose({"tags": frozenset({"vip", "billing"}), "channel": "email"})
    assert policy is VIP
    assert why == "policy 'vip': matches tags in ['vip']"


def test_policy_set_skips_non_matching_policies_and_says_so() -> None:
    """An email ticket without the vip tag skips 'vip' (naming what it lacks) and gets 'email'."""
    policy, why = SET.choose({"channel": "web"})
    assert policy is EMAIL
    assert why == "policy 'email': matches channel in ['email', 'web']"


def test_policy_set_falls_back_to_the_default_listing_each_skip() -> None:
    """A chat ticket matches nothing: the default is chosen and each skipped policy is explained."""
    policy, why = SET.choose({"channel": "chat"})
    assert policy is DEFAULT
    assert why == (
        "default policy 'default' after skipping 'vip' (tags lacks ['vip']); "
        "'email' (channel='chat' not in ['email', 'web'])"
    )


def test_policy_set_without_default_may_choose_nothing() -> None:
    """With no default and no match, no policy applies and no clock runs."""
    only_vip = PolicySet([VIP])
    policy, why = only_vip.choose({"channel": "chat"})
    assert policy is None
    assert why == "no policy matches after skipping 'vip' (tags lacks ['vip'])"
    created = TicketEvent(
        ticket_id="T-1", event_id="e1", at=datetime(2026, 3, 10, 9, tzinfo=NY), kind="created"
    )
    state = evaluate([created], only_vip, datetime(2026, 3, 10, 12, tzinfo=NY))
    assert state.policy is None
    assert state.clocks == ()


def test_policy_set_choice_is_recorded_on_the_ticket_and_in_explain() -> None:
    """evaluate() records the chosen policy and its reason, and explain() shows the reason."""
    created = TicketEvent(
        ticket_id="T-1",
        event_id="e1",
        at=datetime(2026, 3, 10, 9, tzinfo=NY),
        kind="created",
        channel="email",
    )
    state = evaluate([created], SET, datetime(2026, 3, 10, 9, 30, tzinfo=NY))
    assert state.policy == "email"
    assert state.policy_reason.startswith("policy 'email': matches channel")
    assert "policy 'email': matches channel in ['email', 'web']" in state.explain()
    clock = state.clock("first_response")
    assert clock is not None
    assert clock.policy == "email"
    assert clock.target == 4 * H


def test_policy_set_matches_priority_and_custom_fields() -> None:
    """``[match]`` may name the priority or any custom field; all keys must match."""
    urgent_billing = SLAPolicy.from_mapping(
        mapping(name="urgent-billing", match={"priority": "urgent", "product": ["billing"]})
    )
    policies = PolicySet([urgent_billing], default=DEFAULT)
    assert policies.choose({"priority": Priority.URGENT, "product": "billing"})[0] is urgent_billing
    assert policies.choose({"priority": Priority.URGENT, "product": "sales"})[0] is DEFAULT
    assert policies.choose({"priority": Priority.HIGH, "product": "billing"})[0] is DEFAULT


def test_policy_set_refuses_repeated_names_and_finds_by_name() -> None:
    """Policy names in a set are unique; ``get`` finds one by name or raises naming it."""
    with pytest.raises(PolicyError, match="repeated: vip"):
        PolicySet([VIP, named("vip", "2h")])
    assert SET.get("email") is EMAIL
    assert SET.get("default") is DEFAULT
    with pytest.raises(PolicyError, match="no policy named 'gold'"):
        SET.get("gold")
