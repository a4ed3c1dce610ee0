"""Hostile mail is bounded and refused with a PayloadError; odd charsets never abort a batch."""

from __future__ import annotations

import time

import pytest
from email_messages import THREAD, adapter, facts, parse, raw
from ticketsla_email import EmailSettings, Threader

from ticketsla.errors import PayloadError
from ticketsla.events import EventKind
from ticketsla.sources import PayloadLimits

HEAD = (
    b"From: Dana <dana@customer.example>\r\nTo: support@acme.example\r\n"
    b"Date: Mon, 2 Mar 2026 12:00:00 +0100\r\nMessage-ID: <h1@customer.example>\r\n"
)


def test_message_over_the_size_limit_is_refused() -> None:
    """A message over max_message_bytes is refused before it is parsed, naming the limit."""
    data = raw("customer_new.eml")
    small = adapter(EmailSettings(agent_domains=["acme.example"], max_message_bytes=len(data) - 1))
    with pytest.raises(PayloadError, match=r"^email: payload of \d+ bytes is over the limit"):
        small.parse(data, headers={}, limits=PayloadLimits())


def test_encoded_crlf_in_the_subject_is_folded_to_spaces() -> None:
    """An encoded CR/LF in the Subject cannot smuggle a header into what we record."""
    data = HEAD + b"Subject: =?utf-8?q?Hello=0D=0AAuto-Submitted:_auto-replied=0D=0A?=\r\n\r\nhi"
    found = facts(data)
    assert found.subject == "Hello Auto-Submitted: auto-replied"
    assert found.automated is None  # the smuggled text is not a header
    (event,) = parse(data)
    assert event.subject == "Hello Auto-Submitted: auto-replied"


def test_control_characters_never_reach_the_subject() -> None:
    """NUL, escape and C1 controls in a raw Subject become spaces."""
    data = HEAD + b"Subject: a\x00b\x1bc\xc2\x85d\r\n\r\nhi"
    assert facts(data).subject == "a b c d"


def test_thousands_of_mime_parts_are_refused_quickly() -> None:
    """20 000 parts inside the size limit are refused by the pre-scan, in well under a second."""
    body = b"".join(b"--B\r\n\r\nx\r\n" for _ in range(20_000))
    data = HEAD + b"Subject: parts\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + body
    started = time.perf_counter()
    with pytest.raises(PayloadError, match="MIME delimiter lines"):
        parse(data)
    assert time.perf_counter() - started < 1.0


def test_parts_under_the_line_count_but_over_max_parts_are_refused() -> None:
    """The walk itself stops at max_parts."""
    body = b"".join(b"--B\r\n\r\nx\r\n" for _ in range(60))
    data = HEAD + b"Subject: parts\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + body
    settings = EmailSettings(max_parts=50)
    with pytest.raises(PayloadError, match="more than 50 MIME parts"):
        parse(data, settings)


def test_deeply_nested_multiparts_are_refused_before_parsing() -> None:
    """A thousand nested multiparts (which would overflow the parser's recursion) are refused."""
    nested = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(1000)
    )
    with pytest.raises(PayloadError, match="multipart or message containers"):
        parse(HEAD + b"Subject: deep\r\nMIME-Version: 1.0\r\n" + nested)


def test_huge_header_is_refused() -> None:
    """A 900 KB Subject (a known slow path of header decoding) is refused by size, fast."""
    data = HEAD + b"Subject: " + b"=?utf-8?q?a?= " * 60_000 + b"\r\n\r\nhi"
    started = time.perf_counter()
    with pytest.raises(PayloadError, match=r"header field 'Subject' is over 65536 bytes"):
        parse(data)
    assert time.perf_counter() - started < 1.0


def test_huge_folded_header_is_refused() -> None:
    """A header folded over many short lines is measured whole."""
    data = HEAD + b"References:" + b" <r@x>\r\n" * 20_000 + b"Subject: s\r\n\r\nhi"
    with pytest.raises(PayloadError, match="'References' is over"):
        parse(data)


def test_too_many_header_fields_are_refused() -> None:
    """More than 500 header fields is refused."""
    data = HEAD + b"X-Spam: 1\r\n" * 600 + b"Subject: s\r\n\r\nhi"
    with pytest.raises(PayloadError, match="more than 500 header fields"):
        parse(data)


def test_huge_content_type_in_a_part_is_refused_quickly() -> None:
    """A 500 KB Content-Type inside a part (slow to parse with the default policy) is refused."""
    part = b"--B\r\nContent-Type: text/plain; " + b"a=b; " * 100_000 + b"\r\n\r\nx\r\n--B--\r\n"
    data = HEAD + b"Subject: s\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + part
    started = time.perf_counter()
    with pytest.raises(PayloadError, match="a Content-Type is over"):
        parse(data)
    assert time.perf_counter() - started < 1.0


def test_many_references_are_bounded() -> None:
    """Thousands of References inside the header limit keep only the first 500 ids."""
    refs = b" ".join(b"<r%d@x.example>" % i for i in range(3000))
    found = facts(HEAD + b"Subject: s\r\nReferences: " + refs + b"\r\n\r\nhi")
    assert len(found.references) == 500
    assert found.references[0] == "r0@x.example"


def test_unknown_charsets_decode_with_replacement() -> None:
    """An unknown charset decodes with U+FFFD; raw 8-bit words as UTF-8, else cp1252."""
    found = facts("unknown_charset.eml")
    assert found.subject == "Hello\ufffd naïve café été"
    assert found.sender == "worf@customer.example"


def test_undecodable_message_never_aborts_a_batch() -> None:
    """A batch holding the odd-charset message threads it along with everything else."""
    threader = Threader(adapter())
    for name in (*THREAD, "unknown_charset.eml"):
        threader.add(raw(name))
    assert threader.rejects == []
    assert "charset-1@customer.example" in {e.ticket_id for e in threader.events()}


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02binary", b'{"webhookEvent": "comment_created"}', b"just some words\r\n"],
)
def test_things_that_are_not_mail_are_refused(data: bytes) -> None:
    """Bytes that do not begin with a header field are not an RFC 5322 message."""
    with pytest.raises(PayloadError, match="not an RFC 5322 message"):
        parse(data)


@pytest.mark.parametrize("payload", [{"from": "x"}, [b"x"]])
def test_decoded_json_is_refused(payload: object) -> None:
    """A mapping or a list is not mail."""
    with pytest.raises(PayloadError, match="expected the raw bytes"):
        adapter().parse(payload, headers={}, limits=PayloadLimits())  # type: ignore[arg-type]


def test_text_payload_is_read_as_utf8() -> None:
    """A message handed over as text reads like its UTF-8 bytes."""
    text = raw("customer_new.eml").decode("utf-8")
    assert adapter().parse(text) == parse("customer_new.eml")


def test_agent_reply_with_an_unreadable_body_is_still_a_response() -> None:
    """Bodies are never decoded, so a broken body does not change what the message is."""
    data = raw("agent_reply.eml").replace(b'charset="utf-8"', b'charset="x-broken"')
    (event,) = parse(data)
    assert event.kind is EventKind.AGENT_REPLY
