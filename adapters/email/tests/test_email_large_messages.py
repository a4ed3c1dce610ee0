"""Headers only, any size: a large message (a support mail with screenshots) is a ticket.

Only the header block and the first megabyte of the body are parsed; mailboxes stream each
message, hashing all of it and keeping only its start. ``max_message_bytes`` bounds the size.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from email_messages import TEAM, adapter
from ticketsla_email import EmailSettings, parse_maildir, parse_mbox, parse_path, read_message

import ticketsla
from ticketsla.errors import PayloadError
from ticketsla.events import EventKind
from ticketsla.sources import PayloadLimits

HEAD = (
    b"From: Lee Park <lee@partner.example>\r\nTo: support@acme.example\r\n"
    b"Subject: Screenshots of the error\r\nDate: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
    b"Message-ID: <screenshots@partner.example>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="S"\r\n\r\n'
)


def screenshot_mail(megabytes: float) -> bytes:
    """A message with a text part and a base64 PNG attachment of about the given size."""
    picture = base64.encodebytes(b"\x89PNG" + b"\x00" * int(megabytes * 768 * 1024))
    return (
        HEAD
        + b"--S\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        + b"--S\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + picture.replace(b"\n", b"\r\n")
        + b"--S--\r\n"
    )


def test_a_message_over_the_json_limit_is_a_ticket() -> None:
    """1.5 MB of attachments is no reason to lose the ticket: the JSON limit is not mail's."""
    data = screenshot_mail(1.5)
    assert len(data) > PayloadLimits().max_bytes
    (event,) = adapter().parse(data, headers={}, limits=PayloadLimits())
    assert event.kind is EventKind.CREATED
    assert event.subject == "Screenshots of the error"
    assert ticketsla.parse_payload("email", data) == [event]


def test_the_digest_covers_the_whole_message() -> None:
    data = screenshot_mail(1.5).replace(b"Message-ID: <screenshots@partner.example>\r\n", b"")
    found = read_message(data, settings=TEAM, limits=PayloadLimits())
    assert found.digest == hashlib.sha256(data).hexdigest()


def test_the_mail_limit_is_a_setting() -> None:
    data = screenshot_mail(1.5)
    settings = EmailSettings(max_message_bytes=1024 * 1024)
    with pytest.raises(PayloadError, match="over the limit of 1048576"):
        read_message(data, settings=settings, limits=PayloadLimits())


def test_mailboxes_stream_large_messages(tmp_path: Path) -> None:
    """An mbox, a Maildir and a lone file give the same event and id as the message in memory."""
    data = screenshot_mail(3).replace(b"Message-ID: <screenshots@partner.example>\r\n", b"")
    (expected,) = adapter().parse(data, headers={}, limits=PayloadLimits())
    box = tmp_path / "archive.mbox"
    box.write_bytes(b"From lee@partner.example Tue Mar  3 10:00:01 2026\n" + data)
    maildir = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1772532001.M1P1.mx").write_bytes(data)
    lone = tmp_path / "lone.eml"
    lone.write_bytes(data)
    for result in (
        parse_mbox(box, adapter()),
        parse_maildir(maildir, adapter()),
        parse_path(lone, adapter=adapter()),
    ):
        assert not result.rejects
        assert result.events == [expected]
