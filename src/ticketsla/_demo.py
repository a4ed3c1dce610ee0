"""``ticketsla demo``: a synthetic helpdesk, end to end, in under a minute.

Five customers on three policies and three calendars raise a few thousand tickets over two
months (September and October 2026). Each ticket's story (creation, replies, a wait on the
customer, an escalation, a solve, a reopen, a rating) is written as the payloads its helpdesk
would send: Zendesk webhooks and satisfaction ratings, Jira webhooks, and e-mail messages. The
payloads go through the installed adapters (``ticketsla-zendesk``, ``ticketsla-jira``,
``ticketsla-email``); a source whose adapter is not installed is turned into events directly, and
the demo says so. The helpdesk backend adds what the sources do not carry: each ticket's
customer (from its CRM), and for e-mail the statuses, priorities and survey ratings set in its
own interface. Deliveries arrive in order, except a few late ones and a few duplicates, as
webhooks do. Everything is stored by an ``SLAEngine`` in a SQLite file, scanned, and reported on.

The story is drawn from ``random.Random(seed)`` and the clock of the demo is fixed, so the same
seed gives the same database, report and page.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from .calendar import Calendar
from .contract import FeeTable
from .events import Priority, TicketEvent
from .policy import PolicySet, SLAPolicy
from .report import Report, ReportPeriod, report_from_events
from .sources import PayloadLimits

__all__ = ["DemoResult", "run_demo"]

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the demo's clock: the Monday after October
REPORT_PERIOD = "2026-10"
AGENT_DOMAIN = "helpdesk.example"
_PRIORITY_WEIGHTS = (
    (Priority.URGENT, 5),
    (Priority.HIGH, 20),
    (Priority.NORMAL, 60),
    (Priority.LOW, 15),
)
_ZENDESK_PRIORITY = {p: p.value.upper() for p in Priority}
_JIRA_PRIORITY = {
    Priority.URGENT: "Highest",
    Priority.HIGH: "High",
    Priority.NORMAL: "Medium",
    Priority.LOW: "Low",
}
_JIRA_STATUS = {
    "open": "Waiting for support",
    "pending": "Waiting for customer",
    "solved": "Resolved",
}

POLICIES = {
    "gold": """\
name = "gold"
description = "Key accounts: US business hours, fast first responses, service credits."
calendar = "us-business"

[match]
organization = ["northwind", "globex"]

[targets.first_response]
urgent = "1h"
high = "2h"
normal = "4h"
low = "8h"

[targets.resolution]
urgent = "8h"
high = "16h"
normal = "40h"
low = "80h"

[slo]
first_response = "95%"
resolution = "90%"
fcr = "60%"
csat = "85%"
credit_cap = "15%"

[[credits]]
goal = "first_response"
below = "95%"
credit = "5%"

[[credits]]
goal = "first_response"
below = "90%"
credit = "10%"

[[credits]]
goal = "resolution"
below = "90%"
credit = "5%"

[clawback]
after = 2
level = "97%"

[[escalation]]
when = "75%"
notify = ["team-lead"]

[[escalation]]
when = "1h after breach"
notify = ["head-of-support"]
action = "call the customer"
""",
    "silver": """\
name = "silver"
description = "Business customers in Europe: Berlin hours with a lunch break."
calendar = "de-business"

[match]
organization = ["initech"]

[targets.first_response]
urgent = "2h"
high = "4h"
all = "8h"

[targets.resolution]
all = "40h"

[slo]
first_response = "90%"
resolution = "85%"
csat = "80%"

[[credits]]
goal = "first_response"
below = "90%"
credit = "5%"
""",
    "standard": """\
name = "standard"
description = "Everyone else: the follow-the-sun desk, Sunday 22:00 to Friday 22:00 UTC."
calendar = "follow-the-sun"

[targets.first_response]
urgent = "2h"
all = "8h"

[targets.resolution]
all = "72h"

[slo]
first_response = "90%"
""",
}
FEES = "customer,fee,currency\nnorthwind,24000,USD\nglobex,18000,USD\ninitech,9000,EUR\n"


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    policy: str
    source: str
    weight: int
    within: float  # share of first responses given within target


CUSTOMERS = (
    Customer("northwind", "gold", "zendesk", 30, 0.94),
    Customer("globex", "gold", "jira", 25, 0.89),
    Customer("initech", "silver", "email", 20, 0.91),
    Customer("umbrella", "standard", "zendesk", 15, 0.95),
    Customer("hooli", "standard", "jira", 10, 0.84),
)


@dataclass(slots=True)
class _Step:
    """One thing that happens to a ticket: ``kind`` is created, customer, agent, status,
    priority or rating."""

    at: datetime
    kind: str
    value: Any = None


@dataclass(slots=True)
class _Story:
    number: int
    customer: Customer
    priority: Priority
    steps: list[_Step] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    """What the demo made: where its files are, what was delivered, and the report."""

    folder: Path
    database: Path
    html: Path
    json: Path
    tickets: int
    payloads: int
    duplicates_sent: int
    late_sent: int
    stored: int
    duplicates_dropped: int
    late_stored: int
    breaches_scanned: int
    warnings_scanned: int
    via_adapters: tuple[str, ...]
    direct: tuple[str, ...]
    report: Report


# ---- the stories ------------------------------------------------------------------------------


def _weighted(rng: random.Random, items: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _arrival(rng: random.Random, cal: Calendar) -> datetime:
    """A creation instant: mostly inside the calendar's open hours, some at night or weekends."""
    span = int((END - START).total_seconds())
    while True:
        at = START + timedelta(seconds=rng.randrange(span))
        if cal.is_open(at) or rng.random() < 0.12:
            return at


def _later(cal: Calendar, at: datetime, business: timedelta) -> datetime:
    return cal.add(at, business).astimezone(UTC)


def _story(rng: random.Random, number: int, policies: dict[str, SLAPolicy]) -> _Story:
    customer = _weighted(rng, [(c, c.weight) for c in CUSTOMERS])
    policy = policies[customer.policy]
    cal = policy.calendar
    priority = _weighted(rng, _PRIORITY_WEIGHTS)
    story = _Story(number, customer, priority)
    created = _arrival(rng, cal)
    story.steps.append(_Step(created, "created", priority))
    first_target = policy.target("first_response", priority) or timedelta(hours=8)
    if priority is not Priority.URGENT and rng.random() < 0.05:  # an escalation
        higher = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH}.get(
            priority, Priority.URGENT
        )
        story.steps.append(_Step(_later(cal, created, first_target * 0.2), "priority", higher))
        priority = higher
        first_target = policy.target("first_response", priority) or first_target
    share = rng.uniform(0.05, 0.95) if rng.random() < customer.within else rng.uniform(1.05, 2.6)
    reply = _later(cal, created, first_target * share)
    story.steps.append(_Step(reply, "agent"))
    last = reply
    if rng.random() < 0.3:  # asked the customer something, waited, got an answer
        story.steps.append(_Step(last + timedelta(minutes=1), "status", "pending"))
        answer = last + timedelta(minutes=rng.randrange(60, 3 * 24 * 60))
        story.steps.append(_Step(answer, "customer"))
        last = _later(cal, answer, timedelta(minutes=rng.randrange(10, 240)))
        story.steps.append(_Step(last, "agent"))
    resolution = policy.target("resolution", priority) or timedelta(hours=40)
    solve_share = rng.uniform(0.1, 0.9) if rng.random() < 0.9 else rng.uniform(1.05, 1.8)
    solved = max(
        _later(cal, created, resolution * solve_share),
        last + timedelta(minutes=rng.randrange(5, 90)),
    )
    story.steps.append(_Step(solved, "status", "solved"))
    if rng.random() < 0.07:  # the customer writes back: reopened, answered, solved again
        back = solved + timedelta(minutes=rng.randrange(60, 2 * 24 * 60))
        story.steps.append(_Step(back, "customer"))
        again = _later(cal, back, timedelta(minutes=rng.randrange(15, 180)))
        story.steps.append(_Step(again, "agent"))
        solved = again + timedelta(minutes=rng.randrange(5, 60))
        story.steps.append(_Step(solved, "status", "solved"))
    if rng.random() < 0.45:
        happy = 0.9 if share <= 1 else 0.5
        good = rng.random() < happy
        rated = solved + timedelta(minutes=rng.randrange(30, 24 * 60))
        story.steps.append(_Step(rated, "rating", good))
    story.steps = [s for s in story.steps if s.at <= NOW]
    return story


# ---- payloads ---------------------------------------------------------------------------------


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


class _Writer:
    """Turns stories into (instant, source, payload) deliveries, one per source action."""

    def __init__(self, rng: random.Random, direct: Iterable[str] = ()) -> None:
        self.rng = rng
        self.counter = 0
        self.direct = frozenset(direct)  # sources written as events: no adapter installed

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def ticket_id(self, story: _Story) -> str:
        if story.customer.source == "zendesk":
            return str(100000 + story.number)
        if story.customer.source == "jira":
            return f"HELP-{story.number}"
        return f"t{story.number}@{story.customer.name}.example"

    def deliveries(self, story: _Story) -> list[tuple[datetime, str, Any]]:
        source = story.customer.source
        out: list[tuple[datetime, str, Any]] = []
        if source in self.direct:
            for step in story.steps:
                for event in _direct(source, step, self.ticket_id(story), self.next_id()):
                    out.append((step.at, "event", event.to_dict()))
        else:
            render: Callable[[_Story, _Step], list[tuple[str, Any]]] = getattr(self, source)
            for step in story.steps:
                out.extend((step.at, kind, payload) for kind, payload in render(story, step))
        created = story.steps[0].at
        backend = {
            "ticket_id": self.ticket_id(story),
            "event_id": f"crm-{self.ticket_id(story)}",
            "source": "helpdesk",
            "at": created.isoformat(),
            "kind": "fields_changed",
            "organization": story.customer.name,
        }
        out.append((created, "event", backend))
        return out

    # -- Zendesk: event webhooks and the ratings API --

    def zendesk(self, story: _Story, step: _Step) -> list[tuple[str, Any]]:
        ticket = str(100000 + story.number)
        requester = str(900000 + story.number)
        base = {
            "id": f"01DEMO{self.next_id():020d}",
            "time": _iso(step.at),
            "subject": f"zen:ticket:{ticket}",
            "account_id": 22129848,
            "zendesk_event_version": "2022-11-06",
        }
        detail: dict[str, Any] = {"id": ticket, "requester_id": requester, "actor_id": "7001"}
        if step.kind == "created":
            detail.update(
                actor_id=requester,
                status="NEW",
                priority=_ZENDESK_PRIORITY[step.value],
                subject=f"Request {story.number}",
                tags=[],
                via={"channel": self.rng.choice(["email", "web", "api"])},
            )
            return [
                (
                    "zendesk",
                    {
                        **base,
                        "type": "zen:event-type:ticket.created",
                        "detail": detail,
                        "event": {},
                    },
                )
            ]
        if step.kind in ("agent", "customer"):
            staff = step.kind == "agent"
            comment = {
                "id": str(5_000_000 + self.next_id()),
                "is_public": True,
                "body": "...",
                "author": {"id": "7001" if staff else requester, "is_staff": staff},
            }
            return [
                (
                    "zendesk",
                    {
                        **base,
                        "type": "zen:event-type:ticket.comment_added",
                        "detail": detail,
                        "event": {"comment": comment},
                    },
                )
            ]
        if step.kind == "status":
            event = {"current": str(step.value).upper(), "previous": None}
            return [
                (
                    "zendesk",
                    {
                        **base,
                        "type": "zen:event-type:ticket.status_changed",
                        "detail": detail,
                        "event": event,
                    },
                )
            ]
        if step.kind == "priority":
            event = {"current": _ZENDESK_PRIORITY[step.value], "previous": None}
            return [
                (
                    "zendesk",
                    {
                        **base,
                        "type": "zen:event-type:ticket.priority_changed",
                        "detail": detail,
                        "event": event,
                    },
                )
            ]
        rating = {
            "satisfaction_rating": {
                "id": self.next_id(),
                "ticket_id": int(ticket),
                "requester_id": int(requester),
                "score": "good" if step.value else "bad",
                "created_at": _iso(step.at),
                "updated_at": _iso(step.at),
            }
        }
        return [("zendesk", rating)]

    # -- Jira Service Management: webhooks --

    def jira(self, story: _Story, step: _Step) -> list[tuple[str, Any]]:
        customer = {
            "accountId": f"qm:{story.number}",
            "displayName": "Customer",
            "accountType": "customer",
        }
        agent = {"accountId": "712020:agent", "displayName": "Agent", "accountType": "atlassian"}
        stamp = step.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
        issue: dict[str, Any] = {
            "id": str(200000 + story.number),
            "key": f"HELP-{story.number}",
            "fields": {},
        }
        millis = int(step.at.timestamp() * 1000)
        if step.kind == "created":
            issue["fields"] = {
                "created": stamp,
                "summary": f"Request {story.number}",
                "priority": {"name": _JIRA_PRIORITY[step.value]},
                "status": {"name": "Waiting for support", "statusCategory": {"key": "new"}},
                "reporter": customer,
                "labels": [],
            }
            return [
                (
                    "jira",
                    {
                        "timestamp": millis,
                        "webhookEvent": "jira:issue_created",
                        "user": customer,
                        "issue": issue,
                    },
                )
            ]
        if step.kind in ("agent", "customer"):
            comment = {
                "id": str(300000 + self.next_id()),
                "author": agent if step.kind == "agent" else customer,
                "body": "...",
                "created": stamp,
                "jsdPublic": True,
            }
            return [
                (
                    "jira",
                    {
                        "timestamp": millis,
                        "webhookEvent": "comment_created",
                        "comment": comment,
                        "issue": issue,
                    },
                )
            ]
        if step.kind == "status":
            item = {
                "field": "status",
                "fromString": None,
                "toString": _JIRA_STATUS[str(step.value)],
            }
            user = agent
        elif step.kind == "priority":
            item = {"field": "priority", "fromString": None, "toString": _JIRA_PRIORITY[step.value]}
            user = agent
        else:
            score = self.rng.choice(["4", "5"]) if step.value else self.rng.choice(["1", "2", "3"])
            item = {"field": "satisfaction", "fromString": None, "toString": score}
            user = customer
        changelog = {"id": str(400000 + self.next_id()), "items": [item]}
        return [
            (
                "jira",
                {
                    "timestamp": millis,
                    "webhookEvent": "jira:issue_updated",
                    "user": user,
                    "issue": issue,
                    "changelog": changelog,
                },
            )
        ]

    # -- e-mail: RFC 5322 messages; the helpdesk's own interface for the rest --

    def email(self, story: _Story, step: _Step) -> list[tuple[str, Any]]:
        root = f"t{story.number}@{story.customer.name}.example"
        customer = f"user{story.number}@{story.customer.name}.example"
        if step.kind in ("created", "customer", "agent"):
            message = EmailMessage()
            own = (
                root
                if step.kind == "created"
                else f"m{self.next_id()}@{story.customer.name}.example"
            )
            if step.kind == "agent":
                own = f"r{self.next_id()}@{AGENT_DOMAIN}"
                message["From"] = f"Support <agent@{AGENT_DOMAIN}>"
                message["To"] = customer
            else:
                message["From"] = customer
                message["To"] = f"support@{AGENT_DOMAIN}"
            message["Date"] = format_datetime(step.at.astimezone(UTC))
            message["Message-ID"] = f"<{own}>"
            message["Subject"] = (
                "" if step.kind == "created" else "Re: "
            ) + f"Request {story.number}"
            if step.kind != "created":
                message["In-Reply-To"] = f"<{root}>"
                message["References"] = f"<{root}>"
            message.set_content("...\n")
            out: list[tuple[str, Any]] = [("email", bytes(message))]
            if step.kind == "created":  # the helpdesk sets the priority mail cannot carry
                out.append(
                    (
                        "event",
                        self._backend(
                            root, step, kind="priority_changed", priority=step.value.value
                        ),
                    )
                )
            return out
        if step.kind == "status":
            return [("event", self._backend(root, step, kind="status_changed", status=step.value))]
        if step.kind == "priority":
            return [
                (
                    "event",
                    self._backend(root, step, kind="priority_changed", priority=step.value.value),
                )
            ]
        return [
            (
                "event",
                self._backend(
                    root,
                    step,
                    kind="satisfaction_rated",
                    rating="good" if step.value else "bad",
                    actor="customer",
                    source="survey",
                ),
            )
        ]

    def _backend(self, ticket: str, step: _Step, **fields: Any) -> dict[str, Any]:
        fields.setdefault("source", "helpdesk")
        return {
            "ticket_id": ticket,
            "event_id": f"hd-{self.next_id()}",
            "at": step.at.isoformat(),
            **fields,
        }


# ---- parsing: the adapters where installed, else directly -------------------------------------


def _parsers(
    limits: PayloadLimits,
) -> tuple[dict[str, Callable[[Any], list[TicketEvent]]], list[str]]:
    """A parser per source; the names of the sources that had to be read without an adapter."""
    parsers: dict[str, Callable[[Any], list[TicketEvent]]] = {
        "event": lambda data: [TicketEvent.from_dict(data)]
    }
    missing: list[str] = []
    try:
        from ticketsla_zendesk import ZendeskAdapter

        zendesk = ZendeskAdapter()
        parsers["zendesk"] = lambda data: list(zendesk.parse(data, headers={}, limits=limits))
    except ImportError:
        missing.append("zendesk")
    try:
        from ticketsla_jira import JiraAdapter

        jira = JiraAdapter()
        parsers["jira"] = lambda data: list(jira.parse(data, headers={}, limits=limits))
    except ImportError:
        missing.append("jira")
    try:
        from ticketsla_email import EmailAdapter, EmailSettings

        mail = EmailAdapter(EmailSettings(agent_domains=[AGENT_DOMAIN]))
        parsers["email"] = lambda data: list(mail.parse(data, headers={}, limits=limits))
    except ImportError:
        missing.append("email")
    return parsers, missing


def _direct(source: str, step: _Step, ticket_id: str, n: int) -> list[TicketEvent]:
    """The events an adapter would have made, for a source whose adapter is not installed."""
    common: dict[str, Any] = {
        "ticket_id": ticket_id,
        "source": source,
        "at": step.at,
        "event_id": f"direct-{n}",
    }
    if step.kind == "created":
        return [
            TicketEvent(
                **common,
                kind="created",
                status="new",
                priority=step.value,
                actor="customer",
                channel=source,
            )
        ]
    if step.kind == "agent":
        return [TicketEvent(**common, kind="agent_reply")]
    if step.kind == "customer":
        return [TicketEvent(**common, kind="customer_message")]
    if step.kind == "status":
        return [TicketEvent(**common, kind="status_changed", status=step.value)]
    if step.kind == "priority":
        return [TicketEvent(**common, kind="priority_changed", priority=step.value)]
    return [
        TicketEvent(**common, kind="satisfaction_rated", rating="good" if step.value else "bad")
    ]


# ---- the run ------------------------------------------------------------------------------------


def run_demo(
    folder: str | Path,
    *,
    seed: int = 7,
    tickets: int = 3000,
    progress: Callable[[str, int, int], None] | None = None,
) -> DemoResult:
    """Generate the helpdesk into ``folder`` (policies, fees, ``sla.db``, report files).

    ``progress(stage, done, total)`` is called as the work goes on. The folder's earlier demo
    database is replaced.
    """
    from .engine import SLAEngine

    report_progress = progress or (lambda stage, done, total: None)
    out = Path(folder)
    (out / "policies").mkdir(parents=True, exist_ok=True)
    for name, text in POLICIES.items():
        (out / "policies" / f"{name}.toml").write_text(text, encoding="utf-8")
    (out / "fees.csv").write_text(FEES, encoding="utf-8")
    policy_list = [SLAPolicy.load(out / "policies" / f"{n}.toml") for n in POLICIES]
    policies = {p.name: p for p in policy_list}
    policy_set = PolicySet(policy_list)

    parsers, missing = _parsers(PayloadLimits())
    rng = random.Random(seed)
    stories = [_story(rng, n, policies) for n in range(1, tickets + 1)]
    writer = _Writer(rng, direct=missing)
    deliveries: list[tuple[datetime, int, str, Any]] = []
    for story in stories:
        for at, kind, payload in writer.deliveries(story):
            deliveries.append((at, len(deliveries), kind, payload))
    late = duplicates = 0
    arriving: list[tuple[datetime, int, str, Any]] = []
    for at, order, kind, payload in deliveries:
        roll = rng.random()
        if roll < 0.03:  # delivered late: after events that happened after it
            late += 1
            at = at + timedelta(minutes=rng.randrange(60, 2 * 24 * 60))
        arriving.append((at, order, kind, payload))
        if rng.random() < 0.04:  # delivered twice, as a webhook retry does
            duplicates += 1
            arriving.append((at + timedelta(minutes=rng.randrange(1, 360)), order, kind, payload))
    arriving.sort(key=lambda item: (item[0], item[1]))

    database = out / "sla.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    stored = dropped = late_stored = 0
    url = f"sqlite:///{database}"
    with SLAEngine(url, policies=policy_set, now=NOW) as engine:
        batch: list[TicketEvent] = []
        total = len(arriving)
        for index, (_, _, kind, payload) in enumerate(arriving, start=1):
            batch.extend(parsers[kind](payload))
            if len(batch) >= 2000 or index == total:
                result = engine.ingest(batch)
                stored += result.stored
                dropped += result.duplicates
                late_stored += result.late
                batch = []
                report_progress("deliveries", index, total)
        scan = engine.scan(NOW)
        report_progress("scan", 1, 1)

    from .cli.report_commands import events_from_engine

    period = ReportPeriod.parse(REPORT_PERIOD)
    events = events_from_engine(url, min(period.end, NOW))
    report = report_from_events(
        events,
        policy_set,
        period,
        now=NOW,
        by=["customer"],
        fees=FeeTable.load(out / "fees.csv"),
    )
    from .html_report import render_html

    html_path = out / "report.html"
    html_path.write_text(
        render_html(report, title=f"SLA report {REPORT_PERIOD} (demo)"), encoding="utf-8"
    )
    json_path = out / "report.json"
    json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    report_progress("report", 1, 1)
    used = sorted({c.source for c in CUSTOMERS} - set(missing))
    return DemoResult(
        folder=out,
        database=database,
        html=html_path,
        json=json_path,
        tickets=tickets,
        payloads=len(arriving),
        duplicates_sent=duplicates,
        late_sent=late,
        stored=stored,
        duplicates_dropped=dropped,
        late_stored=late_stored,
        breaches_scanned=scan.breaches,
        warnings_scanned=scan.warnings,
        via_adapters=tuple(used),
        direct=tuple(sorted(missing)),
        report=report,
    )
