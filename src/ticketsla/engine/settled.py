"""Settled clock cycles: those a refold neither re-plans nor rewrites.

A cycle that is not the latest of its metric in a ticket's fold snapshot never changes again
(``FoldSnapshot.settled``), and neither does what it shows while the ticket keeps its policy and
priority, but for the instant it is read at. Once a refold has written its row and recorded
every notification it has (its next alert instant is then NULL: nothing of it is still to come),
a later refold that resumes from that snapshot can leave it alone: its row, its outbox history
and its escalations stay as they are, since a refold of it would add and retract nothing, and
the refold reads, plans and writes only the cycles that can change. A settled row whose next
alert instant is set is not left alone, nor is any later cycle of its metric.

That holds only when the stored rows were written under the same policies, calendars and plugins
(the stored snapshot's key is the current one), at an instant no later than the refold's, and
for the same policy and priority; otherwise the ticket is refolded and rewritten whole. Cycle 1
of each metric and the cycles of the first metric are never left alone (the ticket's first
clock, which an FCR wake-up is put on, is among them).

A settled row keeps the ``as_of`` it was written with: the instant it was last evaluated at.
The ticket row's ``as_of`` says up to when all of the ticket's clocks are current.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from .._instants import to_us
from ..fold_snapshot import KEY_CHARS, FoldSnapshot
from .backend import chunks
from .schema import clocks_table, tickets_table

__all__ = ["Hidden", "Stored", "hidden_of", "is_hidden", "outside", "shown_rows", "stored_marks"]

Hidden = dict[str, int]  # metric: cycles 2..n of it are left alone

_PER_QUERY = 50  # tickets whose shown rows one query reads


@dataclass(frozen=True, slots=True)
class Stored:
    """What the stored rows of one ticket were last written under."""

    policy: str | None
    priority: str | None
    t_us: int  # the instant its notifications were last reconciled at
    key: str | None  # the key of the snapshot stored with them
    alerting: dict[str, int]  # metric: its lowest cycle with a next alert instant


def stored_marks(conn: sa.Connection, tickets: Sequence[str]) -> dict[str, Stored]:
    """What each ticket's stored rows were written under (tickets with a stored snapshot)."""
    t = tickets_table.c
    c = clocks_table.c
    found: dict[str, Stored] = {}
    for part in chunks(sorted(tickets)):
        head = sa.func.substr(t.fold_snapshot, 1, KEY_CHARS).label("head")
        query = sa.select(t.ticket_id, t.policy, t.priority, t.as_of, t.updated_at, head).where(
            t.ticket_id.in_(part), t.fold_snapshot.is_not(None), t.as_of.is_not(None)
        )
        rows = conn.execute(query).all()
        if not rows:
            continue
        alerting: dict[str, dict[str, int]] = {}
        query = (
            sa.select(c.ticket_id, c.metric, sa.func.min(c.cycle).label("cycle"))
            .where(
                c.ticket_id.in_([r.ticket_id for r in rows]),
                c.cycle >= 2,
                c.next_alert_at.is_not(None),
            )
            .group_by(c.ticket_id, c.metric)
        )
        for row in conn.execute(query):
            alerting.setdefault(row.ticket_id, {})[row.metric] = int(row.cycle)
        for row in rows:
            t_us = to_us(row.as_of)
            if row.updated_at is not None:
                t_us = max(t_us, to_us(row.updated_at))
            found[row.ticket_id] = Stored(
                policy=row.policy,
                priority=row.priority,
                t_us=t_us,
                key=FoldSnapshot.key_in(row.head or ""),
                alerting=alerting.get(row.ticket_id, {}),
            )
    return found


def hidden_of(snapshot: FoldSnapshot, stored: Stored | None, key: str, t_us: int) -> Hidden | None:
    """The cycles a refold from ``snapshot`` at ``t_us`` may leave alone, by metric; None when
    it must rewrite the ticket whole."""
    if stored is None or stored.key != key or snapshot.key != key or t_us < stored.t_us:
        return None
    hidden: Hidden = {}
    settled = snapshot.settled()
    # the ticket's first clock (an FCR wake-up goes there) is among its first metric's cycles
    first = min(settled, default=None)
    for metric, last in settled.items():
        if metric == first:
            continue
        alerting = stored.alerting.get(metric)
        if alerting is not None:
            last = min(last, alerting - 1)
        if last >= 2:
            hidden[metric] = last
    return hidden


def is_hidden(hidden: Mapping[str, int], metric: str, cycle: int) -> bool:
    last = hidden.get(metric)
    return last is not None and 2 <= cycle <= last


def outside(table: sa.Table, hidden: Hidden) -> sa.ColumnElement[bool]:
    """A SQL condition on the rows of ``table`` (with ``metric`` and ``cycle`` columns) that
    are not left alone."""
    columns = table.c
    left = [
        sa.and_(columns.metric == metric, columns.cycle.between(2, last))
        for metric, last in sorted(hidden.items())
    ]
    return sa.not_(sa.or_(*left)) if left else sa.true()


def shown_rows(table: sa.Table, hidden: Mapping[str, Hidden]) -> list[sa.ColumnElement[bool]]:
    """SQL conditions, a few dozen tickets each, that together select the rows of ``table``
    of the tickets in ``hidden`` that are not left alone."""
    tickets = sorted(hidden)
    return [
        sa.or_(
            *(
                sa.and_(table.c.ticket_id == t, outside(table, hidden[t]))
                for t in tickets[start : start + _PER_QUERY]
            )
        )
        for start in range(0, len(tickets), _PER_QUERY)
    ]
