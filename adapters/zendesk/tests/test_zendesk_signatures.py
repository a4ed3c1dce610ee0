"""X-Zendesk-Webhook-Signature: base64 HMAC-SHA256 of the timestamp header's text + raw body."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

pytest.importorskip("ticketsla_zendesk", reason="ticketsla-zendesk is not installed")

from ticketsla_zendesk import SIGNATURE_HEADER, TIMESTAMP_HEADER, ZendeskAdapter
from zendesk_testdata import raw

from ticketsla.errors import SignatureError
from ticketsla.plugins import get_plugin_manager, verify_signature

# Test vector: the secret, body and timestamp of Zendesk's verification guide. The signature is
# base64(HMAC-SHA256(secret, timestamp + body)), worked out once and written down here.
SECRET = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA="
BODY = b'{"say": "hello"}'
STAMP = "2021-07-25T10:00:00Z"
SIGNATURE = "Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIk="
# The same inputs signed body first, as an older copy of the guide showed: must not verify.
BODY_FIRST_SIGNATURE = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw="
NOW = datetime(2021, 7, 25, 10, 2, tzinfo=UTC)

# A second vector on a recorded webhook body, with the timestamp given as epoch seconds.
HOOK_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="
HOOK_STAMP = "1772442000"  # 2026-03-02T09:00:00Z
HOOK_SIGNATURE = "6XI5zQIaPxkeP6JBcW9gsz/AyilOKpvoqdNn16TwsHI="

ADAPTER = ZendeskAdapter()


def headers(signature: str = SIGNATURE, stamp: str = STAMP) -> dict[str, str]:
    return {SIGNATURE_HEADER: signature, TIMESTAMP_HEADER: stamp}


def test_the_documented_vector_verifies() -> None:
    """Zendesk's guide inputs with the timestamp-then-body signature pass."""
    ADAPTER.verify_signature(BODY, headers(), SECRET, now=NOW)


def test_the_body_first_order_does_not_verify() -> None:
    """Signing body + timestamp (the order of an outdated copy of the guide) is refused."""
    with pytest.raises(SignatureError, match="does not match"):
        ADAPTER.verify_signature(BODY, headers(BODY_FIRST_SIGNATURE), SECRET, now=NOW)


def test_a_recorded_webhook_with_an_epoch_timestamp_verifies() -> None:
    """The timestamp header may be epoch seconds; the signature covers its text as sent."""
    body = raw("webhook_ticket_created.json")
    now = datetime(2026, 3, 2, 9, 0, 30, tzinfo=UTC)
    ADAPTER.verify_signature(body, headers(HOOK_SIGNATURE, HOOK_STAMP), HOOK_SECRET, now=now)
    with pytest.raises(SignatureError):
        ADAPTER.verify_signature(
            body, headers(HOOK_SIGNATURE, "2026-03-02T09:00:00Z"), HOOK_SECRET, now=now
        )


def test_the_public_call_verifies_through_the_entry_point() -> None:
    """verify_signature('zendesk', ...) uses the installed adapter, headers in any case."""
    lower = {k.lower(): v for k, v in headers().items()}
    verify_signature("zendesk", BODY, lower, SECRET, now=NOW, pm=get_plugin_manager())


@pytest.mark.parametrize(
    ("body", "secret", "signature"),
    [
        (BODY + b" ", SECRET, SIGNATURE),
        (b'{"say": "hellO"}', SECRET, SIGNATURE),
        (BODY, SECRET + "x", SIGNATURE),
        (BODY, SECRET, "Rry/4TtIdFyawtXXp8QdI6tlAUUQ/5kL1OTp5qo/ZIg="),
        (BODY, SECRET, ""),
    ],
)
def test_tampering_and_wrong_secrets_are_refused(body: bytes, secret: str, signature: str) -> None:
    """A changed body, another secret, a changed or empty signature: SignatureError."""
    with pytest.raises(SignatureError):
        ADAPTER.verify_signature(body, headers(signature), secret, now=NOW)


def test_stale_and_future_timestamps_are_refused() -> None:
    """Older than five minutes, or more than a minute ahead, is refused even if signed well."""
    with pytest.raises(SignatureError, match="is stale"):
        ADAPTER.verify_signature(BODY, headers(), SECRET, now=NOW + timedelta(minutes=4))
    with pytest.raises(SignatureError, match="in the future"):
        ADAPTER.verify_signature(BODY, headers(), SECRET, now=NOW - timedelta(minutes=4))


def test_the_replay_window_is_configurable() -> None:
    """max_age widens the window for a receiver that queues requests."""
    patient = ZendeskAdapter(max_age=timedelta(hours=1))
    patient.verify_signature(BODY, headers(), SECRET, now=NOW + timedelta(minutes=30))


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({TIMESTAMP_HEADER: STAMP}, f"header {SIGNATURE_HEADER} is missing"),
        ({SIGNATURE_HEADER: SIGNATURE}, f"header {TIMESTAMP_HEADER} is missing"),
        (headers(stamp="25/07/2021 10:00"), "neither an ISO 8601 instant"),
        (headers(stamp="2021-07-25T10:00:00"), "neither an ISO 8601 instant"),
        (headers(signature="%%%"), "is not base64"),
    ],
)
def test_missing_and_malformed_headers_are_refused(given: dict[str, str], message: str) -> None:
    """Each header problem is a SignatureError saying which header."""
    with pytest.raises(SignatureError, match=message):
        ADAPTER.verify_signature(BODY, given, SECRET, now=NOW)


def test_errors_never_contain_the_secret_or_the_signatures() -> None:
    """A refused signature's message shows neither the secret nor either digest."""
    with pytest.raises(SignatureError) as info:
        ADAPTER.verify_signature(BODY + b"!", headers(), SECRET, now=NOW)
    text = str(info.value)
    assert SECRET not in text
    assert SIGNATURE not in text
    assert "Rry/" not in text
