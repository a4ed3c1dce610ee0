"""Satisfaction ratings (``/api/v2/satisfaction_ratings``) to ``satisfaction_rated`` events."""

from __future__ import annotations

from typing import Any

from ticketsla.events import TicketEvent

from ._common import SOURCE, Node

_SCORES = ("good", "bad")
_PENDING = ("offered", "unoffered")


def is_rating(node: Node) -> bool:
    value = node.mapping()
    return "score" in value and "ticket_id" in value and "id" in value


def rating_events(node: Node) -> list[TicketEvent]:
    """One rating: ``good``/``bad`` becomes an event; ``offered``/``unoffered`` is not a rating yet.

    The event id carries the rating's id and the time it was last changed, so a customer who
    changes a rating from good to bad gives a second event (the later one is the rating), while a
    second delivery of the same version is a duplicate.
    """
    score_node = node.get("score")
    score = score_node.value
    if not isinstance(score, str):
        raise score_node.fail("a satisfaction score")
    word = score.lower()
    if word in _PENDING:
        return []
    if word.startswith(_SCORES):  # "good_with_comment" and the like in some exports
        word = "good" if word.startswith("good") else "bad"
    else:
        raise score_node.fail("a satisfaction score (good, bad, offered, unoffered)")
    changed = node.get("updated_at") if node.get("updated_at").value else node.get("created_at")
    at = changed.instant()
    fields: dict[str, Any] = {}
    reason = node.get("reason").value
    if isinstance(reason, str) and reason:
        fields["satisfaction_reason"] = reason[:1024]
    reason_code = node.get("reason_code").value
    if isinstance(reason_code, int) and not isinstance(reason_code, bool):
        fields["satisfaction_reason_code"] = reason_code
    requester = node.get("requester_id").opt_ident()
    assignee = node.get("assignee_id").opt_ident()
    return [
        TicketEvent(
            ticket_id=node.get("ticket_id").ident(),
            event_id=f"rating-{node.get('id').ident()}-{int(at.timestamp())}",
            source=SOURCE,
            at=at,
            kind="satisfaction_rated",
            actor="customer",
            rating=word,
            requester=requester,
            assignee=assignee,
            **fields,
        )
    ]
