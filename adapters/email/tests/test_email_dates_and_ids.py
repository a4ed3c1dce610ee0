"""Messages without a Date or a Message-ID are handled deterministically."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from email_messages import facts, parse, raw

from ticketsla.errors import PayloadError
from ticketsla.events import EventKind

HEAD = (
    b"From: lee@partner.example\r\nTo: support@acme.example\r\nSubject: t\r\n"
    b"Message-ID: <d@partner.example>\r\n"
)
RECEIVED = b"Received: from a by b; Tue, 03 Mar 2026 16:30:05 +0000\r\n"


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        (b"Tue, 3 Mar 2026 14:00:00 -0500", datetime(2026, 3, 3, 19, 0, tzinfo=UTC)),
        (b"3 Mar 2026 19:00:00 GMT", datetime(2026, 3, 3, 19, 0, tzinfo=UTC)),
        (b"Tue, 3 Mar 2026 19:00:00 -0000", datetime(2026, 3, 3, 19, 0, tzinfo=UTC)),
        (b"Tue, 3 Mar 2026 20:00:00 +0100 (CET)", datetime(2026, 3, 3, 19, 0, tzinfo=UTC)),
    ],
)
def test_date_header_gives_an_aware_instant(date: bytes, expected: datetime) -> None:
    """Offsets, GMT, the RFC 5322 "-0000" (UTC) and comments all read to the same instant."""
    at = facts(RECEIVED + HEAD + b"Date: " + date + b"\r\n\r\n").at
    assert at == expected
    assert at.utcoffset() is not None


def test_offset_is_kept() -> None:
    """The sender's offset is kept on the instant."""
    at = facts("no_message_id.eml").at
    assert at.utcoffset() == timedelta(hours=-5)
    assert at.tzinfo == timezone(timedelta(hours=-5))


@pytest.mark.parametrize(
    "date", [b"Tue, 3 Mar 2026 19:00:00", b"yesterday", b"Tue, 3 Mar 2026 19:00:00 +9999", b""]
)
def test_zoneless_or_broken_date_falls_back_to_received(date: bytes) -> None:
    """A Date without a zone is never guessed: the topmost Received time is used instead."""
    at = facts(RECEIVED + HEAD + b"Date: " + date + b"\r\n\r\n").at
    assert at == datetime(2026, 3, 3, 16, 30, 5, tzinfo=UTC)


def test_missing_date_uses_the_topmost_received_time() -> None:
    """Without Date, the first (newest) Received field times the message."""
    (event,) = parse("no_date_received.eml")
    assert event.at == datetime(2026, 3, 3, 16, 30, 5, tzinfo=UTC)


def test_missing_date_and_received_is_a_payload_error() -> None:
    """With neither Date nor Received the message cannot be timed: PayloadError naming it."""
    with pytest.raises(PayloadError, match=r"'nodate-2@partner\.example' has no usable Date"):
        parse("no_date_at_all.eml")


def test_missing_message_id_gives_an_id_from_the_raw_bytes() -> None:
    """Without Message-ID the event id is raw-sha256 of the exact bytes, the same every time."""
    data = raw("no_message_id.eml")
    (event,) = parse(data)
    digest = hashlib.sha256(data).hexdigest()
    assert event.ticket_id == f"raw-sha256:{digest}"
    assert event.event_id == f"created:raw-sha256:{digest}"
    assert event.kind is EventKind.CREATED
    assert parse(data) == [event]
    (other,) = parse(data + b"P.S.\r\n")
    assert other.ticket_id != event.ticket_id


def test_overlong_message_id_is_hashed_to_a_usable_id() -> None:
    """A 900-character Message-ID becomes mid-sha256:<hex> (event ids are at most 256)."""
    long_id = "a" * 900 + "@partner.example"
    data = raw("no_message_id.eml").replace(
        b"Subject:", b"Message-ID: <" + long_id.encode() + b">\r\nSubject:"
    )
    (event,) = parse(data)
    assert event.ticket_id == "mid-sha256:" + hashlib.sha256(long_id.encode()).hexdigest()
