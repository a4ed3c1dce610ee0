"""Zendesk's own SLA record: ticket metric events, kept to compare its verdicts with ours.

Ticket metric events (``/api/v2/ticket_metric_events``, and records of the same shape inside an
incremental export) say when Zendesk started, paused, fulfilled and breached each of its
metrics. They are Zendesk's conclusions, not things that happened to the ticket, so ``parse``
never turns them into ticket events; ``metric_events`` reads them, and ``zendesk_verdicts``
sums them up per ticket, metric and instance for a side-by-side check with ticketsla's clocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ticketsla.sources import Payload, PayloadLimits, decode_json

from ._common import SOURCE, Node

__all__ = [
    "METRIC_NAMES",
    "ZendeskMetricEvent",
    "ZendeskVerdict",
    "metric_events",
    "zendesk_verdicts",
]

METRIC_TYPES = frozenset(
    {
        "activate",
        "pause",
        "fulfill",
        "apply_sla",
        "apply_group_sla",
        "breach",
        "update_status",
        "measure",
    }
)

# Zendesk metric -> the ticketsla preset of the same name and rules (reply_time depends on the
# instance: the first is first reply time, later ones next reply time).
METRIC_NAMES = {
    "agent_work_time": "agent_work_time",  # pauses in pending and on-hold, stops at solve
    "periodic_update_time": "periodic_update",  # never pauses
    "pausable_update_time": "pausable_update",  # pauses in pending only
    "resolution_time": "total_resolution_time",  # never pauses
    "requester_wait_time": "requester_wait_time",  # pauses in pending only, stops at solve
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ZendeskMetricEvent:
    """One ticket metric event as Zendesk recorded it."""

    id: str
    ticket_id: str
    metric: str
    instance_id: int
    type: str
    time: datetime
    target: timedelta | None = None
    business_hours: bool | None = None
    policy_id: str | None = None
    policy_title: str | None = None
    status_calendar: timedelta | None = None
    status_business: timedelta | None = None
    deleted: bool = False

    @property
    def ticketsla_metric(self) -> str | None:
        """The ticketsla metric this one measures, or ``None`` when none corresponds."""
        if self.metric == "reply_time":
            return "first_reply_time" if self.instance_id <= 1 else "next_reply_time"
        return METRIC_NAMES.get(self.metric)


@dataclass(frozen=True, slots=True, kw_only=True)
class ZendeskVerdict:
    """What Zendesk concluded for one metric instance of one ticket."""

    ticket_id: str
    metric: str
    instance_id: int
    ticketsla_metric: str | None
    policy_title: str | None
    target: timedelta | None
    business_hours: bool | None
    activated_at: datetime | None
    fulfilled_at: datetime | None
    breached_at: datetime | None


def is_metric_event(node: Node) -> bool:
    value = node.mapping()
    return "metric" in value and "instance_id" in value and "type" in value


def read_metric_event(node: Node) -> ZendeskMetricEvent:
    kind = node.get("type").value
    if kind not in METRIC_TYPES:
        raise node.get("type").fail(f"a metric event type ({', '.join(sorted(METRIC_TYPES))})")
    metric = node.get("metric").text()
    instance = node.get("instance_id").value
    if isinstance(instance, bool) or not isinstance(instance, int) or instance < 0:
        raise node.get("instance_id").fail("a metric instance number")
    sla = node.get("sla")
    target = business = policy_id = policy_title = None
    if sla.value is not None:
        target = _minutes(sla.get("target"))
        business = sla.get("business_hours").flag(False) if sla.has("business_hours") else None
        policy = sla.get("policy")
        if policy.value is not None:
            policy_id = policy.get("id").opt_ident()
            policy_title = policy.get("title").opt_text()
    status = node.get("status")
    calendar_time = business_time = None
    if status.value is not None:
        calendar_time = _minutes(status.get("calendar"))
        business_time = _minutes(status.get("business"))
    return ZendeskMetricEvent(
        id=node.get("id").ident(),
        ticket_id=node.get("ticket_id").ident(),
        metric=metric,
        instance_id=instance,
        type=kind,
        time=node.get("time").instant(),
        target=target,
        business_hours=business,
        policy_id=policy_id,
        policy_title=policy_title,
        status_calendar=calendar_time,
        status_business=business_time,
        deleted=node.get("deleted").flag(False),
    )


def _minutes(node: Node) -> timedelta | None:
    value = node.value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 10**9:
        raise node.fail("a number of minutes")
    return timedelta(minutes=value)


def metric_events(
    payload: Payload, *, limits: PayloadLimits | None = None
) -> list[ZendeskMetricEvent]:
    """The ticket metric events in a payload (one event, a page, or an export page).

    Other Zendesk shapes hold none and give ``[]``; an unknown shape is a ``PayloadError``.
    """
    from .adapter import recognise  # the one place that knows every shape

    data = decode_json(payload, source=SOURCE, limits=limits)
    _, items = recognise(Node(data, ""))
    return [read_metric_event(node) for kind, node in items if kind == "metric"]


def zendesk_verdicts(events: Iterable[ZendeskMetricEvent]) -> list[ZendeskVerdict]:
    """Per ticket, metric and instance: when it started, was fulfilled, breached, and against
    which SLA target. A breach event Zendesk later marked ``deleted`` does not count."""
    groups: dict[tuple[str, str, int], list[ZendeskMetricEvent]] = {}
    for event in events:
        if event.deleted:
            continue
        groups.setdefault((event.ticket_id, event.metric, event.instance_id), []).append(event)
    out: list[ZendeskVerdict] = []
    for (ticket_id, metric, instance), group in sorted(groups.items()):
        group.sort(key=lambda e: (e.time, e.id))
        applied = [e for e in group if e.type in ("apply_sla", "apply_group_sla")]
        last_sla = applied[-1] if applied else None
        out.append(
            ZendeskVerdict(
                ticket_id=ticket_id,
                metric=metric,
                instance_id=instance,
                ticketsla_metric=group[0].ticketsla_metric,
                policy_title=last_sla.policy_title if last_sla else None,
                target=last_sla.target if last_sla else None,
                business_hours=last_sla.business_hours if last_sla else None,
                activated_at=_first(group, "activate"),
                fulfilled_at=_last(group, "fulfill"),
                breached_at=_first(group, "breach"),
            )
        )
    return out


def _first(group: list[ZendeskMetricEvent], kind: str) -> datetime | None:
    return next((e.time for e in group if e.type == kind), None)


def _last(group: list[ZendeskMetricEvent], kind: str) -> datetime | None:
    found = [e.time for e in group if e.type == kind]
    return found[-1] if found else None
