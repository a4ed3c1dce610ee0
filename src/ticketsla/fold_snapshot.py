"""Fold snapshots: the clock fold's working state after the first events of a ticket, kept so a
ticket with a long history refolds from there when a new or late event lands after it.

The pure fold (``ticketsla.clock.fold``) stays the single source of truth: a snapshot is nothing
but the fold's own working state after ``count`` events, and resuming runs the very same steps
on the events after it, so ``fold_with_snapshot(rest, snapshot=s)`` gives exactly what a
fold of the whole history gives. A snapshot holds no instant ``at``: it is valid for any ``at``
at or after its last event.

What a snapshot depends on is its ``key`` (``snapshot_key``): the content of every policy of
the set, their calendars, the version of the holiday data and of ticketsla, and whatever the
caller names in ``plugins`` (a policy chooser or response rule changes answers too). A snapshot
whose key differs from the current one is stale: fold the whole history again.

The next snapshot is taken ``lag`` events before the end of the history, so a late event that
lands among the last ``lag`` events still finds a snapshot before it. A fold resumed from a
snapshot keeps it until it is ``2 * lag`` events behind the end, so a ticket that gets one event
at a time takes (and its engine stores) a new snapshot once every ``lag`` events, not each time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import Enum
from importlib import metadata
from typing import Any

from ._instants import duration_us
from .calendar import Calendar
from .clock import Chooser, ClockStatus, ResponseRule, TicketSLA, _Cycle, _Fold, _new_cycle, _plan
from .errors import ClockStateError, EventError, PolicyError
from .events import Priority, Status, TicketEvent, order_events
from .outcomes import OutcomeTally
from .policy import PolicySet, SLAPolicy

__all__ = ["KEY_CHARS", "SNAPSHOT_LAG", "FoldSnapshot", "fold_with_snapshot", "snapshot_key"]

SNAPSHOT_LAG = 32
_FORMAT = 2  # 2: the settled cycles after each metric's first on lines of their own
# The start of a stored snapshot that holds its key (``FoldSnapshot.key_in``), and the key in it.
KEY_CHARS = 160
_STORED_KEY = re.compile(r'"key":"([0-9a-f]{1,64})"')
_MAX_JSON_CHARS = 50_000_000  # a snapshot is our own output; this only bounds a damaged one

OrderKey = tuple[int, int, int, str, str]


class _Unread:
    """A settled cycle of a snapshot read from JSON, not decoded: a fold that hides it never
    looks at it (``fold_with_snapshot``'s ``hide``), and one that shows it decodes it first."""

    __slots__ = ("number",)

    def __init__(self, number: int) -> None:
        self.number = number


class _Saved:
    """The fold's working state after the snapshot's events, in memory. Cycles that are not
    the latest of their metric never change again, so they are shared, not copied; the latest
    of each metric is a copy the fold may go on changing.

    A metric's cycles after its first may be ``_Unread`` (read from JSON, not decoded): they
    come first after it, and ``unread`` keeps their JSON list text, for decoding and writing."""

    __slots__ = (
        "agent_opened",
        "cycles",
        "earlier",
        "fields",
        "pins",
        "policy",
        "reason",
        "status",
        "tally",
        "ticket_id",
        "unread",
        "waiting",
    )

    def __init__(self, fold: _Fold, earlier: tuple[int, frozenset[str]]) -> None:
        self.ticket_id = fold.ticket_id
        self.fields = dict(fold.fields)  # the values are immutable
        self.status = fold.status
        self.policy = None if fold.policy is None else fold.policy.name
        self.reason = fold.policy_reason
        self.cycles = {m: _shared(cycles) for m, cycles in fold.cycles.items()}
        self.agent_opened = fold.agent_opened
        self.pins = dict(fold.pins)
        self.waiting = frozenset(fold.waiting_for_requester)
        self.earlier = earlier
        self.tally = dataclasses.replace(fold.tally)
        self.unread: dict[str, str] = {}


def _shared(cycles: list[Any]) -> list[Any]:
    """``cycles`` with the settled ones shared and the latest copied."""
    return [*cycles[:-1], cycles[-1].copy()] if cycles else []


@dataclass(frozen=True, slots=True, eq=False)
class FoldSnapshot:
    """The fold's state after the first ``count`` events of a ticket in history order.

    Kept in memory it costs a copy of each metric's latest cycle to take and to resume from;
    ``to_json``/``from_json`` store it with the ticket (that costs time in proportion to its
    cycles, so an engine keeps the last snapshot of a busy ticket in memory too).
    """

    key: str  # ``snapshot_key`` of what it was folded under
    count: int  # events folded into it
    last: OrderKey  # history-order key of the last of them (``TicketEvent.order``)
    state: _Saved | Mapping[str, Any] = field(repr=False)  # JSON-ready when read from JSON

    def to_json(self) -> str:
        """The snapshot as text: one JSON object (each metric's first and latest cycle in it),
        then a line per metric with its cycles in between, which a refold that leaves them
        alone never decodes."""
        if isinstance(self.state, _Saved):
            state, middle = _saved_json(self.state)
        else:
            state = dict(self.state)
            middle = str(state.pop(_MIDDLE, ""))
        head = json.dumps(
            {
                "format": _FORMAT,
                "key": self.key,
                "count": self.count,
                "last": list(self.last),
                "state": state,
            },
            separators=(",", ":"),
            sort_keys=True,
        )
        return head + "\n" + middle

    @staticmethod
    def key_in(head: str) -> str | None:
        """The key of a snapshot stored as text, read from its first ``KEY_CHARS`` characters
        alone (its JSON keys are sorted, so ``key`` comes before ``last`` and ``state``); None
        when they do not hold one."""
        found = _STORED_KEY.search(head[:KEY_CHARS])
        return None if found is None else found.group(1)

    @classmethod
    def from_json(cls, text: str) -> FoldSnapshot:
        """Read a snapshot back; a damaged one is a ``ClockStateError`` (fold from the start).
        The cycles between each metric's first and latest are kept as text until a fold shows
        them."""
        if not isinstance(text, str) or len(text) > _MAX_JSON_CHARS:
            raise ClockStateError("fold snapshot: expected JSON text of bounded size")
        head, _, middle = text.partition("\n")
        try:
            data = json.loads(head)
            if data["format"] != _FORMAT:
                raise ClockStateError(f"fold snapshot: unknown format {data['format']!r}")
            at, seq, rank, source, event_id = data["last"]
            last: OrderKey = (int(at), int(seq), int(rank), str(source), str(event_id))
            snapshot = cls(
                key=str(data["key"]), count=int(data["count"]), last=last, state=data["state"]
            )
        except ClockStateError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise ClockStateError(f"fold snapshot: unreadable ({exc})") from None
        if not isinstance(snapshot.state, dict) or snapshot.count < 1:
            raise ClockStateError("fold snapshot: unreadable (no state)")
        snapshot.state[_MIDDLE] = middle
        return snapshot

    def settled(self) -> dict[str, int]:
        """For each metric with a cycle, how many of its cycles come before its latest one
        (numbered ``1..n``): those never change again, whatever events follow."""
        state = self.state
        out: dict[str, int] = {}
        try:
            if isinstance(state, _Saved):
                numbers = {m: [c.number for c in cycles] for m, cycles in state.cycles.items()}
            else:
                numbers = {}
                between = state["middle"]
                for m, cycles in state["cycles"].items():
                    if not cycles:
                        continue
                    first, *latest = (int(c["number"]) for c in cycles)
                    inner = int(between.get(m, 0)) if latest else 0
                    numbers[str(m)] = [first, *range(2, inner + 2), *latest]
        except (KeyError, TypeError, AttributeError, ValueError):
            return out  # unreadable: resuming from it fails, and the whole history is folded
        for metric, found in numbers.items():
            if found and found[: len(found) - 1] == list(range(1, len(found))):
                out[metric] = len(found) - 1
        return out


def snapshot_key(policies: SLAPolicy | PolicySet, *, plugins: str = "") -> str:
    """What a snapshot folded under ``policies`` depends on, as a short digest."""
    policy_set = PolicySet.of(policies)
    cached = policy_set.derived.get("fold-snapshot-content")
    if cached is None:
        content = {
            "format": _FORMAT,
            "ticketsla": version_of("ticketsla"),
            "holidays": version_of("holidays"),
            "policies": [canonical(p) for p in policy_set.policies],
            "default": canonical(policy_set.default),
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=repr)
        cached = policy_set.derived["fold-snapshot-content"] = hashlib.sha256(text.encode())
    digest = cached.copy()
    digest.update(b"\0" + plugins.encode())
    return digest.hexdigest()[:32]


def fold_with_snapshot(
    events: Iterable[TicketEvent],
    policies: SLAPolicy | PolicySet,
    at_us: int,
    *,
    key: str,
    snapshot: FoldSnapshot | None = None,
    chooser: Chooser | None = None,
    response_rule: ResponseRule | None = None,
    lag: int = SNAPSHOT_LAG,
    hide: Mapping[str, int] | None = None,
) -> tuple[TicketSLA, FoldSnapshot | None]:
    """Fold a ticket, resuming from ``snapshot`` when one is given, and take the next snapshot.

    Without ``snapshot``, ``events`` is the whole history; with one, it is every event after
    the snapshot (each must sort after ``snapshot.last``: a late event before it, or a stale
    ``key``, is a ``ClockStateError``, and the caller folds the whole history instead). Events
    given twice are folded once, as ``fold`` does; an event folded into the snapshot must not
    be given again. Returns the state at ``at_us`` (equal to ``fold`` of the whole history) and
    a snapshot ``lag`` events before the end of the history (the one given, or None, when the
    history is short or events after ``at_us`` stop the walk before it). A snapshot given that
    is less than ``2 * lag`` events behind the end is kept: the same one is returned.

    ``hide`` (with a snapshot only) names, for each metric, the last of its cycles ``2..n`` the
    result leaves out of ``clocks``: cycles the snapshot holds settled (``FoldSnapshot.settled``)
    whose states the caller has already. Hiding them saves reading every cycle of a ticket that
    has many; the first cycle of each metric is always shown, so ``clocks[0]`` is the same.
    """
    policy_set = PolicySet.of(policies)
    ordered = order_events(events)
    if len({e.ticket_id for e in ordered}) > 1:
        raise EventError("events of several tickets given to one fold", subject="ticket_id")
    state, done, unread = _start(
        ordered, policy_set, at_us, key, snapshot, chooser, response_rule, hide
    )
    cut = max(done + len(ordered) - lag, 0) - done  # events to walk before the next snapshot
    if snapshot is not None and cut < lag:
        cut = 0  # the one given is less than 2 * lag events behind the end: it is kept
    taken = snapshot
    walked = 0
    if cut > 0:
        walked = state.walk(ordered[:cut])
        if walked == cut:
            taken = _capture(state, key, done + cut, ordered[:cut], unread)
    # an event after ``at_us`` stops the walk: none after it applies either
    if walked == max(cut, 0):
        state.walk(ordered[walked:])
    ticket_id = ordered[0].ticket_id if ordered else state.ticket_id
    if snapshot is None or not hide:
        return state.result(ticket_id), taken
    every = state.cycles
    state.cycles = _without(every, hide, snapshot.settled())
    try:
        return state.result(ticket_id), taken
    finally:
        state.cycles = every


def _start(
    ordered: list[TicketEvent],
    policy_set: PolicySet,
    at_us: int,
    key: str,
    snapshot: FoldSnapshot | None,
    chooser: Chooser | None,
    response_rule: ResponseRule | None,
    hide: Mapping[str, int] | None,
) -> tuple[_Fold, int, Mapping[str, str]]:
    """The fold to walk ``ordered`` with: a new one, or one restored from ``snapshot``; the
    count of events it holds already, and the snapshot's cycles still kept as text."""
    if snapshot is None:
        state = _Fold(ordered, policy_set, at_us, chooser, response_rule, None)
        state.shared = True
        if ordered and ordered[0].at_us <= at_us:
            state.choose(ordered[0].at_us)
        return state, 0, {}
    if snapshot.key != key:
        raise ClockStateError("fold snapshot: stale (policies, calendars or plugins changed)")
    if ordered and ordered[0].order <= snapshot.last:
        raise ClockStateError(
            f"fold snapshot: event {ordered[0].event_id!r} sorts before its end; "
            "fold the whole history",
            subject=ordered[0].event_id,
        )
    saved = _saved_of(snapshot, policy_set)
    state = _restore(
        snapshot, saved, policy_set, at_us, chooser, response_rule, ordered, None, hide
    )
    return state, snapshot.count, saved.unread


def _without(
    cycles: dict[str, list[_Cycle]], hide: Mapping[str, int], settled: Mapping[str, int]
) -> dict[str, list[_Cycle]]:
    """``cycles`` less those ``hide`` names (cycles ``2..n``, never past the settled ones)."""
    out = {}
    for metric, found in cycles.items():
        last = min(hide.get(metric, 0), settled.get(metric, 0))
        out[metric] = [found[0], *found[last:]] if last >= 2 else found
    return out


# ---- capture and restore ------------------------------------------------------------------------


def _capture(
    fold: _Fold, key: str, count: int, walked: list[TicketEvent], unread: Mapping[str, str]
) -> FoldSnapshot:
    last = walked[-1]
    kinds = {e.kind.value for e in walked if e.at_us == last.at_us}
    if fold.earlier is not None and fold.earlier[0] == last.at_us:
        kinds |= fold.earlier[1]  # the events at that instant before the previous snapshot
    saved = _Saved(fold, (last.at_us, frozenset(kinds)))
    saved.unread = {
        m: text
        for m, text in unread.items()
        if len(saved.cycles.get(m, ())) > 2 and isinstance(saved.cycles[m][1], _Unread)
    }
    return FoldSnapshot(key=key, count=count, last=last.order, state=saved)


_MIDDLE = "\0middle"  # where a snapshot read from JSON keeps its middle lines, as text
_DUMP = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


def _saved_json(saved: _Saved) -> tuple[dict[str, Any], str]:
    """The JSON-ready head of ``saved`` and its middle lines: for each metric with more than
    two cycles, its name and the JSON list of its cycles between the first and the latest."""
    tally = saved.tally
    heads: dict[str, list[dict[str, Any]]] = {}
    counts: dict[str, int] = {}
    lines: list[str] = []
    for metric in sorted(saved.cycles):
        cycles = saved.cycles[metric]
        heads[metric] = [_cycle_out(c) for c in (cycles[:1] + cycles[1:][-1:])]
        inner = cycles[1:-1]
        if not inner:
            continue
        counts[metric] = len(inner)
        decoded = [_DUMP(_cycle_out(c)) for c in inner if not isinstance(c, _Unread)]
        text = saved.unread.get(metric)
        if len(decoded) == len(inner):
            text = "[" + ",".join(decoded) + "]"
        elif text is None or any(
            isinstance(c, _Unread) for c in inner[len(inner) - len(decoded) :]
        ):
            raise ClockStateError("fold snapshot: a settled cycle was neither read nor kept")
        elif decoded:
            text = text[:-1] + "," + ",".join(decoded) + "]"
        lines.append(_DUMP(metric) + "\t" + text)
    state = {
        "ticket": saved.ticket_id,
        "fields": {name: _value_out(value) for name, value in saved.fields.items()},
        "status": None if saved.status is None else saved.status.value,
        "policy": saved.policy,
        "reason": saved.reason,
        "cycles": heads,
        "middle": counts,
        "agent_opened": saved.agent_opened,
        "pins": saved.pins,
        "waiting": sorted(saved.waiting),
        "earlier": [saved.earlier[0], sorted(saved.earlier[1])],
        "tally": {
            "replies": tally.replies,
            "by_solve": tally.replies_by_solve,
            "followup": tally.followup,
            "solved_at": tally.solved_at,
            "reopened_at": tally.reopened_at,
            "closed": tally.closed,
            "rated": None if tally.rated is None else tally.rated.to_dict(),
        },
    }
    return state, "\n".join(lines)


def _saved_of(snapshot: FoldSnapshot, policies: PolicySet) -> _Saved:
    saved = snapshot.state
    return saved if isinstance(saved, _Saved) else _saved_from_json(saved, policies)


def _saved_from_json(data: Mapping[str, Any], policies: PolicySet) -> _Saved:
    calendars = _calendars(policies)
    if calendars is None:
        raise ClockStateError("fold snapshot: the policies name two different calendars alike")
    try:
        saved = _Saved.__new__(_Saved)
        saved.ticket_id = str(data["ticket"])
        saved.fields = {str(name): _value_in(value) for name, value in data["fields"].items()}
        saved.status = None if data["status"] is None else Status(data["status"])
        saved.policy = None if data["policy"] is None else str(data["policy"])
        saved.reason = str(data["reason"])
        saved.unread = {}
        for line in str(data.get(_MIDDLE, "")).split("\n"):
            if line:
                name, _, text = line.partition("\t")
                saved.unread[str(json.loads(name))] = text
        between = data["middle"]
        saved.cycles = {}
        for metric, cycles in data["cycles"].items():
            if not cycles:
                saved.cycles[str(metric)] = []
                continue
            first, *latest = (_cycle_in(c, calendars) for c in cycles)
            inner = int(between.get(metric, 0)) if latest else 0
            if inner and str(metric) not in saved.unread:
                raise ValueError(f"no middle cycles of {metric!r}")
            unread = [_Unread(n) for n in range(2, inner + 2)]
            saved.cycles[str(metric)] = [first, *unread, *latest]
        saved.agent_opened = _instant(data["agent_opened"])
        saved.pins = {str(m): int(us) for m, us in data["pins"].items()}
        saved.waiting = frozenset(str(m) for m in data["waiting"])
        at, kinds = data["earlier"]
        saved.earlier = (int(at), frozenset(str(k) for k in kinds))
        tally = data["tally"]
        saved.tally = OutcomeTally(
            replies=int(tally["replies"]),
            replies_by_solve=int(tally["by_solve"]),
            followup=bool(tally["followup"]),
            solved_at=_instant(tally["solved_at"]),
            reopened_at=_instant(tally["reopened_at"]),
            closed=bool(tally["closed"]),
            rated=None if tally["rated"] is None else TicketEvent.from_dict(tally["rated"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ClockStateError(f"fold snapshot: unreadable ({exc!r})") from None
    return saved


def _decoded(cycles: list[Any], text: str, policies: PolicySet) -> list[Any]:
    """``cycles`` with its ``_Unread`` cycles decoded from ``text`` (their JSON list)."""
    calendars = _calendars(policies)
    try:
        if calendars is None:
            raise ValueError("two different calendars named alike")
        found = [_cycle_in(c, calendars) for c in json.loads(text)]
        unread = [n for n, c in enumerate(cycles) if isinstance(c, _Unread)]
        if [cycles[n].number for n in unread] != [c.number for c in found]:
            raise ValueError("the middle cycles do not match their numbers")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ClockStateError(f"fold snapshot: unreadable ({exc!r})") from None
    out = list(cycles)
    for n, cycle in zip(unread, found, strict=False):
        out[n] = cycle
    return out


def _restore(
    snapshot: FoldSnapshot,
    saved: _Saved,
    policies: PolicySet,
    at_us: int,
    chooser: Chooser | None,
    response_rule: ResponseRule | None,
    events: list[TicketEvent],
    trace: list[tuple[int, str]] | None,
    hide: Mapping[str, int] | None = None,
) -> _Fold:
    fold = _Fold(events, policies, at_us, chooser, response_rule, trace)
    fold.shared = True
    fold.ticket_id = saved.ticket_id
    fold.fields = dict(saved.fields)
    fold.status = saved.status
    if saved.policy is not None:
        try:
            fold.policy = policies.get(saved.policy)
        except PolicyError:
            raise ClockStateError(f"fold snapshot: no policy {saved.policy!r} any more") from None
    fold.plan = _plan(policies, fold.policy)
    fold.policy_reason = saved.reason
    fold.cycles = {}
    for metric, cycles in saved.cycles.items():
        text = saved.unread.get(metric)
        if text is not None and (trace is not None or not _hides(hide, metric, cycles)):
            fold.cycles[metric] = _decoded(cycles, text, policies)
            fold.cycles[metric][-1] = cycles[-1].copy()
        else:
            fold.cycles[metric] = _shared(cycles)
    fold.find_active()
    fold.agent_opened = saved.agent_opened
    fold.pins = dict(saved.pins)
    fold.waiting_for_requester = set(saved.waiting)
    fold.earlier = saved.earlier
    fold.tally = dataclasses.replace(saved.tally)
    if trace is not None:
        fold.note(
            snapshot.last[0],
            f"resumed from a snapshot after {snapshot.count} events; earlier steps are not shown",
        )
    fold.rebuild = lambda trace: _restore(
        snapshot, saved, policies, at_us, chooser, response_rule, events, trace
    )
    return fold


def _hides(hide: Mapping[str, int] | None, metric: str, cycles: list[Any]) -> bool:
    """Whether ``hide`` leaves out every ``_Unread`` cycle of ``metric`` (they come first
    after cycle 1, so the last of them is enough)."""
    unread = [c.number for c in cycles if isinstance(c, _Unread)]
    return hide is not None and bool(unread) and hide.get(metric, 0) >= unread[-1]


def _cycle_out(cycle: _Cycle) -> dict[str, Any]:
    return {
        "number": cycle.number,
        "started": cycle.started,
        "status": cycle.status.value,
        "stopped": cycle.stopped,
        "by_done": cycle.stopped_by_done,
        "target": cycle.target,
        "target_since": cycle.target_since,
        "calendar": cycle.calendar.name,
        "closed": [[s, e, cal.name, before, length] for s, e, cal, before, length in cycle.closed],
        "closed_elapsed": cycle.closed_elapsed,
        "open_since": cycle.open_since,
        "breached": cycle.history_breached,
        "suspended": None if cycle.suspended is None else _cycle_out(cycle.suspended),
    }


def _cycle_in(data: Mapping[str, Any], calendars: Mapping[str, Calendar]) -> _Cycle:
    cycle = _new_cycle(
        int(data["number"]),
        int(data["started"]),
        _instant(data["target"]),
        calendars[data["calendar"]],
    )
    cycle.status = ClockStatus(data["status"])
    cycle.stopped = _instant(data["stopped"])
    cycle.stopped_by_done = bool(data["by_done"])
    cycle.target_since = int(data["target_since"])
    cycle.closed = [
        (int(s), _instant(e), calendars[cal], int(before), _instant(length))
        for s, e, cal, before, length in data["closed"]
    ]
    cycle.closed_elapsed = int(data["closed_elapsed"])
    cycle.open_since = _instant(data["open_since"])
    cycle.history_breached = bool(data["breached"])
    if data["suspended"] is not None:
        cycle.suspended = _cycle_in(data["suspended"], calendars)
    return cycle


def _instant(value: Any) -> int | None:
    return None if value is None else int(value)


def _value_out(value: Any) -> Any:
    """A ticket field's value in JSON, its type kept (tags are a set, priority an enum)."""
    if isinstance(value, Priority):
        return {"priority": value.value}
    if isinstance(value, frozenset):
        return {"set": sorted(value)}
    if isinstance(value, tuple):
        return {"tuple": [_value_out(v) for v in value]}
    return value


def _value_in(value: Any) -> Any:
    if isinstance(value, dict):
        (kind, inner), *_ = value.items()
        if kind == "priority":
            return Priority(inner)
        if kind == "set":
            return frozenset(str(v) for v in inner)
        if kind == "tuple":
            return tuple(_value_in(v) for v in inner)
        raise ValueError(f"unknown field value {kind!r}")
    return value


def _calendars(policies: PolicySet) -> dict[str, Calendar] | None:
    """Every calendar the set's policies measure on, by name; None when one name stands for
    two different calendars (a snapshot could not tell them apart)."""
    key = "fold-snapshot-calendars"
    if key in policies.derived:
        found: dict[str, Calendar] | None = policies.derived[key]
        return found
    calendars: dict[str, Calendar] | None = {}
    for policy in policies.all():
        for calendar in (policy.calendar, *(policy.calendar_for(m) for m in policy.metric_names)):
            assert calendars is not None
            seen = calendars.setdefault(calendar.name, calendar)
            if seen != calendar:
                calendars = None
                break
        if calendars is None:
            break
    policies.derived[key] = calendars
    return calendars


def canonical(value: Any) -> Any:
    """A JSON-ready form of a policy or calendar's content (not where it was read from): what
    ``snapshot_key`` and the engine's fingerprints digest. A calendar with holidays names the
    version of the holiday data, which its days depend on."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts: dict[str, Any] = {"__type__": type(value).__name__}
        for item in dataclasses.fields(value):
            if item.compare:
                parts[item.name] = canonical(getattr(value, item.name))
        if isinstance(value, Calendar) and value.holidays is not None:
            parts["__holidays__"] = version_of("holidays")
        return parts
    if isinstance(value, Enum):
        return canonical(value.value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_us(value)
    if isinstance(value, frozenset | set):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [canonical(v) for v in value]
    return repr(value)


def version_of(distribution: str) -> str:
    """The installed version of ``distribution``, or "unknown"."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"
