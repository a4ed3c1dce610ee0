"""X-Hub-Signature checks: HMAC-SHA256 of the raw body, constant-time, inside a replay window."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from jira_payloads import raw, sign
from ticketsla_jira import JiraAdapter, JiraSettings

from ticketsla.errors import SignatureError

SECRET = "whsec-ticketsla-jira-1"
BODY = raw("issue_created.json")
SENT_AT = datetime.fromtimestamp(json.loads(BODY)["timestamp"] / 1000, UTC)
NOW = SENT_AT + timedelta(seconds=3)

# Computed once, outside Python, with:
#   printf '%s' '{"timestamp":1772442900000,"webhookEvent":"jira:issue_created"}' \
#     | openssl dgst -sha256 -hmac 'whsec-ticketsla-jira-1'
FIXED_BODY = b'{"timestamp":1772442900000,"webhookEvent":"jira:issue_created"}'
FIXED_SIGNATURE = "sha256=777079448fb0f9672de478dcc37c599a8f3b034d1f7bbaf804af398821ce3363"
FIXED_NOW = datetime(2026, 3, 2, 9, 16, tzinfo=UTC)


def verify(
    body: bytes, headers: dict[str, str], *, now: datetime = NOW, **settings: object
) -> None:
    adapter = JiraAdapter(JiraSettings(**settings)) if settings else JiraAdapter()  # type: ignore[arg-type]
    adapter.verify_signature(body, headers, SECRET, now=now)


def test_correct_signature_is_accepted() -> None:
    """A body signed with the secret, delivered promptly, verifies."""
    verify(BODY, {"X-Hub-Signature": sign(BODY)})


def test_fixed_vector_is_accepted() -> None:
    """The hand-computed vector verifies (guards against an algorithm or encoding slip)."""
    JiraAdapter().verify_signature(
        FIXED_BODY, {"X-Hub-Signature": FIXED_SIGNATURE}, SECRET, now=FIXED_NOW
    )


def test_fixed_vector_fails_with_one_byte_changed() -> None:
    """Changing one byte of the fixed vector's body breaks it."""
    with pytest.raises(SignatureError, match="does not match the body"):
        JiraAdapter().verify_signature(
            FIXED_BODY.replace(b"created", b"creates"),
            {"X-Hub-Signature": FIXED_SIGNATURE},
            SECRET,
            now=FIXED_NOW,
        )


def test_header_name_and_hex_case_do_not_matter() -> None:
    """x-hub-signature in any case, with upper-case hex, verifies."""
    verify(BODY, {"x-hub-signature": sign(BODY).upper().replace("SHA256=", "sha256=")})


def test_secret_given_as_bytes_verifies() -> None:
    """The secret may be bytes."""
    JiraAdapter().verify_signature(BODY, {"X-Hub-Signature": sign(BODY)}, SECRET.encode(), now=NOW)


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "no X-Hub-Signature header"),
        ({"X-Hub-Signature": ""}, "no X-Hub-Signature header"),
        ({"X-Hub-Signature": "sha1=" + "0" * 40}, "method 'sha1' is not accepted"),
        ({"X-Hub-Signature": sign(BODY)[7:]}, "must read sha256="),
        ({"X-Hub-Signature": "sha256=" + "zz" * 32}, "64-digit hexadecimal"),
        ({"X-Hub-Signature": sign(BODY)[:-2]}, "64-digit hexadecimal"),
        ({"X-Hub-Signature": sign(BODY, "another-secret")}, "does not match the body"),
        ({"X-Hub-Signature": sign(BODY) + "\r\nX-Evil: 1"}, "control character"),
    ],
    ids=["missing", "empty", "sha1", "no-method", "not-hex", "short", "wrong-secret", "crlf"],
)
def test_bad_signatures_are_refused(headers: dict[str, str], reason: str) -> None:
    """Each malformed or wrong header is a SignatureError naming the reason."""
    with pytest.raises(SignatureError, match=reason):
        verify(BODY, headers)


def test_tampered_body_is_refused() -> None:
    """A body changed after signing fails, even when it is still valid JSON."""
    tampered = BODY.replace(b'"High"', b'"Highest"')
    assert tampered != BODY
    with pytest.raises(SignatureError, match="does not match the body"):
        verify(tampered, {"X-Hub-Signature": sign(BODY)})


@pytest.mark.parametrize(
    ("delay", "accepted"),
    [
        (timedelta(minutes=30), True),  # a late retry
        (timedelta(minutes=46), False),  # stale
        (timedelta(minutes=-4), True),  # small clock skew
        (timedelta(minutes=-6), False),  # from the future
    ],
)
def test_replay_window_uses_the_signed_timestamp(delay: timedelta, accepted: bool) -> None:
    """The body's signed timestamp must lie within 45 minutes before and 5 after now."""
    headers = {"X-Hub-Signature": sign(BODY)}
    if accepted:
        verify(BODY, headers, now=SENT_AT + delay)
    else:
        with pytest.raises(SignatureError, match=r"stale|in the future"):
            verify(BODY, headers, now=SENT_AT + delay)


def test_replay_window_is_configurable() -> None:
    """max_age narrows the window."""
    headers = {"X-Hub-Signature": sign(BODY)}
    with pytest.raises(SignatureError, match="stale"):
        verify(BODY, headers, now=SENT_AT + timedelta(minutes=2), max_age=timedelta(minutes=1))


@pytest.mark.parametrize(
    "body", [b'{"webhookEvent":"jira:issue_created"}', b"not json", b'{"timestamp":"soon"}']
)
def test_correctly_signed_body_without_a_timestamp_is_refused(body: bytes) -> None:
    """The HMAC alone is not enough: without a readable timestamp the age is unknown."""
    with pytest.raises(SignatureError, match="no readable timestamp"):
        verify(body, {"X-Hub-Signature": sign(body)})


def test_no_error_message_shows_the_secret_or_a_digest() -> None:
    """Neither the secret nor the expected or given digest appears in any failure message."""
    expected = sign(BODY)[7:]
    given = sign(BODY, "another-secret")
    messages = []
    for body, header, now in [
        (BODY, given, NOW),
        (BODY + b" ", sign(BODY), NOW),
        (BODY, sign(BODY), NOW + timedelta(hours=2)),
    ]:
        with pytest.raises(SignatureError) as caught:
            verify(body, {"X-Hub-Signature": header}, now=now)
        messages.append(f"{caught.value} {caught.value!r} {caught.value.subject!r}")
    for text in messages:
        assert SECRET not in text
        assert expected not in text.lower()
        assert given[7:] not in text.lower()
