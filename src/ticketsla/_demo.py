"""``ticketsla demo``: a synthetic helpdesk, end to end, in under a minute.

Five customers on three policies and three calendars raise a few thousand tickets over two
months (September and October 2026). Each ticket's story (creation, replies, a wait on the
customer, an escalation, a solve, a reopen, a rating) becomes the events its helpdesk records,
and each event the payload that helpdesk would send: the payload builder each installed adapter
offers through the plugin registry (``ticketsla_payload_builder``) writes it (Zendesk webhooks
and satisfaction ratings, Jira webhooks, e-mail messages) and the builder's adapter reads it
back. A source with no builder installed is written as events directly, and the demo says so.
The helpdesk backend adds what the sources do not carry: each ticket's customer (from its CRM),
and for e-mail the priorities, statuses and survey ratings set in its own interface. Deliveries
arrive in order, except a few late ones and a few duplicates, as webhooks do. Everything is
stored by an ``SLAEngine`` in a SQLite file, scanned, and reported on.

The story is drawn from ``random.Random(seed)`` and the clock of the demo is fixed, so the same
seed gives the same database, report and page.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from .calendar import Calendar
from .contract import FeeTable
from .events import EventKind, Priority, Status, TicketEvent
from .payload_builders import PayloadBuilder, payload_builder
from .policy import PolicySet, SLAPolicy
from .report import Report, ReportPeriod, report_from_events
from .sources import PayloadLimits

__all__ = ["DemoResult", "run_demo"]

START = datetime(2026, 9, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # the demo's clock: the Monday after October
REPORT_PERIOD = "2026-10"
_PRIORITY_WEIGHTS = (
    (Priority.URGENT, 5),
    (Priority.HIGH, 20),
    (Priority.NORMAL, 60),
    (Priority.LOW, 15),
)

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


# ---- the helpdesks ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _Desk:
    """How the demo's data looks in one helpdesk product: how it names tickets and requesters,
    the status a new request starts in, the channels requests come by (one drawn per ticket when
    there are several) and the scores of good and bad ratings (none: ``good``/``bad``). Its wire
    format is the business of the payload builder its adapter offers."""

    ticket: Callable[[int, str], str]
    requester: Callable[[int, str], str]
    first_status: Status = Status.NEW
    channels: tuple[str, ...]
    scores: tuple[tuple[int, ...], tuple[int, ...]] | None = None


_DESKS = {
    "zendesk": _Desk(
        ticket=lambda n, _: str(100000 + n),
        requester=lambda n, _: str(900000 + n),
        channels=("email", "web", "api"),
    ),
    "jira": _Desk(
        ticket=lambda n, _: f"HELP-{n}",
        requester=lambda n, _: f"qm:{n}",
        first_status=Status.OPEN,  # a service desk request starts "Waiting for support"
        channels=("jira",),
        scores=((4, 5), (1, 2, 3)),
    ),
    "email": _Desk(
        ticket=lambda n, customer: f"t{n}@{customer}.example",
        requester=lambda n, customer: f"user{n}@{customer}.example",
        channels=("email",),
    ),
}
_CARRIED = (("priority", "priority_changed"), ("status", "status_changed"))


class _Writer:
    """Turns stories into deliveries ``(instant, events)``, one per source action.

    Each step becomes the ticket event its source records; the source's payload builder, offered
    by its adapter through the plugin registry, writes the payload, and the builder's adapter
    reads it back. Whatever the payload cannot carry (a status in mail), and every step of a
    source without a builder, the helpdesk backend records as events of its own.
    """

    def __init__(
        self,
        rng: random.Random,
        builders: Mapping[str, PayloadBuilder],
        limits: PayloadLimits,
    ) -> None:
        self.rng = rng
        self.counter = 0
        self.builders = builders
        self.readers = {source: b.adapter() for source, b in builders.items()}
        self.limits = limits

    def next_id(self) -> int:
        self.counter += 1
        return self.counter

    def ticket_id(self, story: _Story) -> str:
        return _DESKS[story.customer.source].ticket(story.number, story.customer.name)

    def deliveries(self, story: _Story) -> list[tuple[datetime, list[TicketEvent]]]:
        source = story.customer.source
        builder = self.builders.get(source)
        out: list[tuple[datetime, list[TicketEvent]]] = []
        for step in story.steps:
            event = self.event(story, step)
            payload = None if builder is None else builder.payload(event)
            if payload is None:
                out.append((step.at, [event if builder is None else self._backend(event)]))
                continue
            read = self.readers[source].parse(payload, headers={}, limits=self.limits)
            out.append((step.at, read))
            out.extend((step.at, [extra]) for extra in self._uncarried(event, read))
        created = story.steps[0].at
        backend = TicketEvent(
            ticket_id=self.ticket_id(story),
            event_id=f"crm-{self.ticket_id(story)}",
            source="helpdesk",
            at=created,
            kind="fields_changed",
            organization=story.customer.name,
        )
        out.append((created, [backend]))
        return out

    def event(self, story: _Story, step: _Step) -> TicketEvent:
        """The event the ticket's source records for ``step``."""
        desk = _DESKS[story.customer.source]
        common: dict[str, Any] = {
            "ticket_id": self.ticket_id(story),
            "event_id": str(self.next_id()),
            "source": story.customer.source,
            "at": step.at,
        }
        if step.kind == "created":
            many = len(desk.channels) > 1
            return TicketEvent(
                **common,
                kind="created",
                actor="customer",
                status=desk.first_status,
                priority=step.value,
                requester=desk.requester(story.number, story.customer.name),
                subject=f"Request {story.number}",
                tags=[],
                channel=self.rng.choice(desk.channels) if many else desk.channels[0],
            )
        if step.kind == "agent":
            return TicketEvent(**common, kind="agent_reply", actor="agent")
        if step.kind == "customer":
            return TicketEvent(**common, kind="customer_message", actor="customer")
        if step.kind == "status":
            return TicketEvent(**common, kind="status_changed", actor="agent", status=step.value)
        if step.kind == "priority":
            return TicketEvent(
                **common, kind="priority_changed", actor="agent", priority=step.value
            )
        if desk.scores is None:
            rating: str | int = "good" if step.value else "bad"
            scale = None
        else:
            rating = self.rng.choice(desk.scores[0] if step.value else desk.scores[1])
            scale = (1, 5)
        return TicketEvent(
            **common,
            kind="satisfaction_rated",
            actor="customer",
            rating=rating,
            scale=scale,
            requester=desk.requester(story.number, story.customer.name),
        )

    def _uncarried(self, event: TicketEvent, read: list[TicketEvent]) -> list[TicketEvent]:
        """Backend events for the fields of ``event`` its payload did not carry."""
        extra = []
        for name, kind in _CARRIED:
            value = getattr(event, name)
            if value is not None and all(getattr(e, name) is None for e in read):
                extra.append(
                    TicketEvent(
                        ticket_id=event.ticket_id,
                        event_id=f"hd-{self.next_id()}",
                        source="helpdesk",
                        at=event.at,
                        kind=kind,
                        **{name: value},
                    )
                )
        return extra

    def _backend(self, event: TicketEvent) -> TicketEvent:
        """``event`` as the helpdesk records it in its own interface; ratings come from its
        survey."""
        rated = event.kind is EventKind.SATISFACTION_RATED
        return TicketEvent(
            ticket_id=event.ticket_id,
            event_id=f"hd-{self.next_id()}",
            source="survey" if rated else "helpdesk",
            at=event.at,
            kind=event.kind,
            actor=event.actor if rated else None,
            status=event.status,
            priority=event.priority,
            rating=event.rating,
            scale=event.scale,
        )


def _builders(sources: Iterable[str]) -> dict[str, PayloadBuilder]:
    """The payload builder each source's installed adapter offers through the plugins."""
    found = {source: payload_builder(source) for source in sources}
    return {source: builder for source, builder in found.items() if builder is not None}


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
    report_progress = progress or (lambda stage, done, total: None)
    out = Path(folder)
    policies, policy_set = _write_policies(out)
    builders = _builders(sorted({c.source for c in CUSTOMERS}))
    missing = sorted({c.source for c in CUSTOMERS} - set(builders))
    rng = random.Random(seed)
    stories = [_story(rng, n, policies) for n in range(1, tickets + 1)]
    writer = _Writer(rng, builders, PayloadLimits())
    arriving, late, duplicates = _arrivals(rng, writer, stories)
    database = out / "sla.db"
    ingested = _ingest(database, policy_set, arriving, report_progress)
    report, html_path, json_path = _write_report(out, f"sqlite:///{database}", policy_set)
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
        stored=ingested.stored,
        duplicates_dropped=ingested.dropped,
        late_stored=ingested.late_stored,
        breaches_scanned=ingested.breaches,
        warnings_scanned=ingested.warnings,
        via_adapters=tuple(used),
        direct=tuple(sorted(missing)),
        report=report,
    )


def _write_policies(out: Path) -> tuple[dict[str, SLAPolicy], PolicySet]:
    """Write the demo's policies and fee table into ``out`` and load the policies back."""
    (out / "policies").mkdir(parents=True, exist_ok=True)
    for name, text in POLICIES.items():
        (out / "policies" / f"{name}.toml").write_text(text, encoding="utf-8")
    (out / "fees.csv").write_text(FEES, encoding="utf-8")
    policy_list = [SLAPolicy.load(out / "policies" / f"{n}.toml") for n in POLICIES]
    return {p.name: p for p in policy_list}, PolicySet(policy_list)


_Delivery = tuple[datetime, int, list[TicketEvent]]  # arrival instant, order sent, events


def _arrivals(
    rng: random.Random, writer: _Writer, stories: Iterable[_Story]
) -> tuple[list[_Delivery], int, int]:
    """The deliveries in the order they arrive, some late and some twice, as webhooks do; with
    how many were sent late and how many twice."""
    deliveries: list[_Delivery] = []
    for story in stories:
        for at, events in writer.deliveries(story):
            deliveries.append((at, len(deliveries), events))
    late = duplicates = 0
    arriving: list[_Delivery] = []
    for at, order, events in deliveries:
        roll = rng.random()
        if roll < 0.03:  # delivered late: after events that happened after it
            late += 1
            at = at + timedelta(minutes=rng.randrange(60, 2 * 24 * 60))
        arriving.append((at, order, events))
        if rng.random() < 0.04:  # delivered twice, as a webhook retry does
            duplicates += 1
            arriving.append((at + timedelta(minutes=rng.randrange(1, 360)), order, events))
    arriving.sort(key=lambda item: (item[0], item[1]))
    return arriving, late, duplicates


class _Ingested(NamedTuple):
    stored: int
    dropped: int
    late_stored: int
    breaches: int
    warnings: int


def _ingest(
    database: Path,
    policy_set: PolicySet,
    arriving: Sequence[_Delivery],
    report_progress: Callable[[str, int, int], None],
) -> _Ingested:
    """Feed the deliveries to a new engine database in batches, then scan it at ``NOW``."""
    from .engine import SLAEngine

    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    stored = dropped = late_stored = 0
    with SLAEngine(f"sqlite:///{database}", policies=policy_set, now=NOW) as engine:
        batch: list[TicketEvent] = []
        total = len(arriving)
        for index, (_, _, events) in enumerate(arriving, start=1):
            batch.extend(events)
            if len(batch) >= 2000 or index == total:
                result = engine.ingest(batch)
                stored += result.stored
                dropped += result.duplicates
                late_stored += result.late
                batch = []
                report_progress("deliveries", index, total)
        scan = engine.scan(NOW)
        report_progress("scan", 1, 1)
    return _Ingested(stored, dropped, late_stored, scan.breaches, scan.warnings)


def _write_report(out: Path, url: str, policy_set: PolicySet) -> tuple[Report, Path, Path]:
    """The demo's report from the engine's events, written as HTML and JSON into ``out``."""
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
    return report, html_path, json_path
