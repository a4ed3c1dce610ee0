"""Reading untrusted payloads: the two edge calls, bounded JSON, headers, secrets, signatures,
and the ``ticketsla import`` command."""

from __future__ import annotations

import argparse
import base64
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ticketsla.cli.import_command import register
from ticketsla.errors import (
    AdapterError,
    ConfigurationError,
    NaiveDatetimeError,
    PayloadError,
    SignatureError,
    SourceNotFoundError,
)
from ticketsla.events import TicketEvent
from ticketsla.hookspecs import hookimpl
from ticketsla.plugins import parse_payload, sources, verify_signature
from ticketsla.signing import (
    Headers,
    Secret,
    check_freshness,
    decode_base64_signature,
    hmac_sha256,
    parse_signature_timestamp,
    secret_bytes,
)
from ticketsla.sources import Payload, PayloadLimits, SourceRegistry, decode_json
from ticketsla.testing import plugin_manager

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SECRET = "s3cr3t-never-shown"


class PlainAdapter:
    """A small source written as a third party would: one JSON event per object."""

    name = "plain"
    description = "test source: {'ticket', 'id', 'at', 'kind'} objects"

    def __init__(self) -> None:
        self.calls = 0

    def parse(
        self, payload: Payload, *, headers: Mapping[str, str], limits: PayloadLimits
    ) -> list[TicketEvent]:
        self.calls += 1
        data = decode_json(payload, source=self.name, limits=limits)
        items = data if isinstance(data, list) else [data]
        out = []
        for item in items:
            if not isinstance(item, dict) or "ticket" not in item:
                raise PayloadError(f"{self.name}: expected objects with a 'ticket' key")
            out.append(
                TicketEvent(
                    ticket_id=item["ticket"],
                    event_id=item["id"],
                    at=datetime.fromisoformat(item["at"]),
                    kind=item["kind"],
                    source=item.get("source", self.name),
                )
            )
        return out

    def verify_signature(
        self, body: bytes, headers: Mapping[str, str], secret: str | bytes, *, now: datetime
    ) -> None:
        stamp = headers.get("X-Plain-Timestamp")
        signature = headers.get("X-Plain-Signature")
        if stamp is None or signature is None:
            raise SignatureError("plain: signature headers missing")
        check_freshness(
            parse_signature_timestamp(stamp, source=self.name, header="X-Plain-Timestamp"),
            now,
            source=self.name,
        )
        given = decode_base64_signature(signature, source=self.name, header="X-Plain-Signature")
        if given != hmac_sha256(secret, stamp.encode(), body):
            raise SignatureError("plain: signature does not match")


class Plain:
    def __init__(self, adapter: Any | None = None) -> None:
        self.adapter = adapter or PlainAdapter()

    @hookimpl
    def ticketsla_register_sources(self, registry: SourceRegistry) -> None:
        registry.add(self.adapter)


def event_json(n: int, ticket: str = "T-1", **extra: Any) -> dict[str, Any]:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC) + timedelta(minutes=n)
    return {"ticket": ticket, "id": f"e{n}", "at": at.isoformat(), "kind": "created", **extra}


def signed(body: bytes, stamp: str, secret: str = SECRET) -> dict[str, str]:
    digest = hmac_sha256(secret, stamp.encode(), body)
    return {"X-Plain-Timestamp": stamp, "X-Plain-Signature": base64.b64encode(digest).decode()}


# ---- parse_payload ---------------------------------------------------------------------------


def test_parse_payload_goes_through_the_registered_adapter() -> None:
    """parse_payload(source, bytes) returns the adapter's events for that payload."""
    pm = plugin_manager(Plain())
    body = json.dumps([event_json(1), event_json(2)]).encode()
    events = parse_payload("plain", body, pm=pm)
    assert [e.event_id for e in events] == ["e1", "e2"]


def test_parse_payload_accepts_text_and_decoded_json() -> None:
    """A payload may be bytes, text or an already-decoded mapping, with the same result."""
    pm = plugin_manager(Plain())
    item = event_json(1)
    as_bytes = parse_payload("plain", json.dumps(item).encode(), pm=pm)
    assert parse_payload("plain", json.dumps(item), pm=pm) == as_bytes
    assert parse_payload("plain", item, pm=pm) == as_bytes


def test_unknown_source_lists_the_installed_ones() -> None:
    """An unknown source is a SourceNotFoundError (also a LookupError) naming what is installed."""
    pm = plugin_manager(Plain())
    with pytest.raises(SourceNotFoundError, match=r"'freshdesk' \(installed: plain\)") as info:
        parse_payload("freshdesk", b"{}", pm=pm)
    assert isinstance(info.value, LookupError)
    assert sources(pm).names() == ["plain"]


def test_oversized_payload_is_refused_before_the_adapter_runs() -> None:
    """A body over the limit is a PayloadError naming the source; the adapter never sees it."""
    adapter = PlainAdapter()
    pm = plugin_manager(Plain(adapter))
    with pytest.raises(
        PayloadError, match="plain: payload of 2049 bytes is over the limit of 2048"
    ):
        parse_payload("plain", b" " * 2049, limits=PayloadLimits(max_bytes=2048), pm=pm)
    assert adapter.calls == 0


def test_default_limit_is_one_mebibyte() -> None:
    """Without limits the ceiling is 1 MiB: one byte more is refused."""
    pm = plugin_manager(Plain())
    with pytest.raises(PayloadError, match="over the limit of 1048576"):
        parse_payload("plain", b"[" + b" " * (1024 * 1024) + b"]", pm=pm)


def test_payload_of_an_unsupported_type_is_a_payload_error() -> None:
    """A payload that is neither bytes, text nor decoded JSON is refused with its type."""
    with pytest.raises(PayloadError, match="got int"):
        parse_payload("plain", 42, pm=plugin_manager(Plain()))  # type: ignore[arg-type]


def test_header_injection_is_refused_when_parsing() -> None:
    """A header value carrying CR/LF makes the payload a PayloadError, not a smuggled header."""
    with pytest.raises(PayloadError, match="control character"):
        parse_payload(
            "plain",
            json.dumps(event_json(1)).encode(),
            headers={"X-Note": "ok\r\nX-Plain-Signature: forged"},
            pm=plugin_manager(Plain()),
        )


def test_adapter_crash_is_an_adapter_error_naming_the_adapter() -> None:
    """An adapter's unexpected exception becomes AdapterError naming the adapter class."""
    with pytest.raises(AdapterError, match=r"adapter test_sources.PlainAdapter failed.*KeyError"):
        parse_payload("plain", json.dumps({"ticket": "T-1"}), pm=plugin_manager(Plain()))


def test_adapter_events_must_carry_the_adapters_name() -> None:
    """An event whose source is not the adapter's name is refused (ids could collide)."""
    item = event_json(1, source="api")
    with pytest.raises(AdapterError, match="event 'e1' has source 'api'"):
        parse_payload("plain", item, pm=plugin_manager(Plain()))


def test_adapter_returning_something_odd_is_an_adapter_error() -> None:
    """An adapter that returns no list of TicketEvent is caught at the edge."""

    class Odd(PlainAdapter):
        def parse(self, payload: Payload, **_: Any) -> Any:  # type: ignore[override]
            return {"events": []}

    with pytest.raises(AdapterError, match="returned dict, not a list of TicketEvent"):
        parse_payload("plain", b"{}", pm=plugin_manager(Plain(Odd())))


# ---- bounded JSON (sources.decode_json) -----------------------------------------------------


def test_deep_nesting_is_refused_without_recursing() -> None:
    """100 000 nested arrays are refused by the depth scan, not by a RecursionError."""
    body = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(PayloadError, match="nests deeper than 64 levels"):
        decode_json(body, source="plain")


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    """Depth is measured on structure only: a string full of '[' is fine."""
    assert decode_json(json.dumps({"text": "[" * 1000}), source="plain") == {"text": "[" * 1000}


def test_decoded_payloads_are_depth_checked_too() -> None:
    """An already-decoded mapping deeper than the limit is refused like text."""
    deep: Any = []
    for _ in range(10):
        deep = [deep]
    with pytest.raises(PayloadError, match="nests deeper than 5 levels"):
        decode_json({"a": deep}, source="plain", limits=PayloadLimits(max_depth=5))


def test_bad_utf8_is_a_payload_error() -> None:
    """Bytes that are not UTF-8 are refused with the reason, never decoded with guesses."""
    with pytest.raises(PayloadError, match="plain: payload is not UTF-8"):
        decode_json(b'{"a": "\xff\xfe"}', source="plain")


def test_non_json_and_nan_are_refused() -> None:
    """Text that is not JSON, and the non-standard NaN, are PayloadErrors."""
    with pytest.raises(PayloadError, match="not valid JSON"):
        decode_json(b"{'python': 'dict'}", source="plain")
    with pytest.raises(PayloadError, match="not valid JSON"):
        decode_json(b'{"x": NaN}', source="plain")


def test_a_byte_order_mark_is_accepted() -> None:
    """A UTF-8 BOM in front of the JSON (some exporters write one) is skipped."""
    assert decode_json(b"\xef\xbb\xbf{}", source="plain") == {}


# ---- headers and secrets -----------------------------------------------------------------------


def test_headers_ignore_case_and_keep_first_value() -> None:
    """Headers finds any spelling of a name; bytes pairs are decoded; a repeat keeps the first."""
    headers = Headers(
        [(b"X-Zendesk-Webhook-Signature", b"abc"), ("x-zendesk-webhook-signature", "zzz")]
    )
    assert headers["x-ZENDESK-webhook-signature"] == "abc"
    assert "X-ZENDESK-WEBHOOK-SIGNATURE" in headers
    assert len(headers) == 1
    assert headers.get("missing") is None


def test_headers_repr_shows_names_not_values() -> None:
    """A Headers repr lists names only, so a logged request never shows a signature or token."""
    headers = Headers({"Authorization": "Bearer tok-123", "X-Sig": "c2ln"})
    assert "tok-123" not in repr(headers)
    assert "c2ln" not in repr(headers)
    assert "authorization" in repr(headers)


def test_headers_refuse_control_characters_and_huge_values() -> None:
    """CR, LF or NUL in a header, or a value over 8 KiB, is a SignatureError."""
    for bad in ("a\nb", "a\rb", "a\x00b"):
        with pytest.raises(SignatureError, match="control character"):
            Headers({"X-Test": bad})
    with pytest.raises(SignatureError, match="too long"):
        Headers({"X-Test": "a" * 9000})
    assert Headers({"X-Test": "tab\tallowed"})["x-test"] == "tab\tallowed"


def test_secret_never_shows_itself() -> None:
    """Secret's repr and str hide the value, and it cannot be pickled."""
    secret = Secret(SECRET)
    assert SECRET not in repr(secret)
    assert SECRET not in str(secret)
    assert SECRET not in f"{secret}"
    assert secret.reveal() == SECRET.encode()
    assert secret == Secret(SECRET.encode())
    assert secret != Secret("other")
    with pytest.raises(TypeError):
        secret.__reduce__()


def test_empty_or_odd_secrets_are_refused() -> None:
    """An empty secret, or one that is neither text nor bytes, is a SignatureError."""
    with pytest.raises(SignatureError, match="empty"):
        secret_bytes("")
    with pytest.raises(SignatureError, match="got int"):
        secret_bytes(1234)  # type: ignore[arg-type]


# ---- signature timestamps ----------------------------------------------------------------------


def test_signature_timestamp_accepts_iso_and_epoch_seconds() -> None:
    """Both '2026-03-02T12:00:00Z' and '1772452800' read as the same instant."""
    iso = parse_signature_timestamp("2026-03-02T12:00:00Z", source="plain", header="H")
    epoch = parse_signature_timestamp("1772452800", source="plain", header="H")
    assert iso == epoch == NOW


@pytest.mark.parametrize("text", ["2026-03-02T12:00:00", "yesterday", "1.5e9", "-5", ""])
def test_signature_timestamp_refuses_naive_and_garbage(text: str) -> None:
    """A timestamp without an offset, or not a time at all, is a SignatureError."""
    with pytest.raises(SignatureError, match="neither an ISO 8601 instant"):
        parse_signature_timestamp(text, source="plain", header="H")


def test_freshness_refuses_stale_and_future_timestamps() -> None:
    """Inside the window passes; older than max_age or beyond max_future is refused."""
    check_freshness(NOW - timedelta(minutes=5), NOW, source="plain")
    check_freshness(NOW + timedelta(minutes=1), NOW, source="plain")
    with pytest.raises(SignatureError, match="is stale"):
        check_freshness(NOW - timedelta(minutes=5, seconds=1), NOW, source="plain")
    with pytest.raises(SignatureError, match="in the future"):
        check_freshness(NOW + timedelta(minutes=1, seconds=1), NOW, source="plain")


def test_base64_signature_must_be_base64() -> None:
    """A signature header that is not base64 is a SignatureError naming the header."""
    with pytest.raises(SignatureError, match="header X-Sig is not base64"):
        decode_base64_signature("not base64!", source="plain", header="X-Sig")


# ---- verify_signature ------------------------------------------------------------------------


def test_verify_signature_accepts_a_good_signature() -> None:
    """A body signed with the secret within the window verifies (returns None)."""
    body = b'{"ticket": "T-1"}'
    headers = signed(body, "2026-03-02T11:59:00Z")
    pm = plugin_manager(Plain())
    assert verify_signature("plain", body, headers, SECRET, now=NOW, pm=pm) is None
    assert verify_signature("plain", body, headers, Secret(SECRET), now=NOW, pm=pm) is None


def test_verify_signature_refuses_tampering_and_wrong_secrets() -> None:
    """A changed body, or another secret, is a SignatureError that never contains the secret."""
    body = b'{"ticket": "T-1"}'
    headers = signed(body, "2026-03-02T11:59:00Z")
    pm = plugin_manager(Plain())
    with pytest.raises(SignatureError) as info:
        verify_signature("plain", body + b" ", headers, SECRET, now=NOW, pm=pm)
    assert SECRET not in str(info.value)
    with pytest.raises(SignatureError):
        verify_signature("plain", body, headers, "another-secret", now=NOW, pm=pm)


def test_verify_signature_wants_raw_bytes_and_an_aware_now() -> None:
    """A str body is refused (it may have been re-encoded); a naive now is refused."""
    pm = plugin_manager(Plain())
    with pytest.raises(SignatureError, match="raw request bytes"):
        verify_signature("plain", "{}", {}, SECRET, now=NOW, pm=pm)  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        verify_signature("plain", b"{}", {}, SECRET, now=datetime(2026, 3, 2, 12), pm=pm)


def test_verify_signature_reads_the_clock_when_now_is_none() -> None:
    """now=None means the current time: a signature stamped now verifies, one from 2020 not."""
    body = b"{}"
    pm = plugin_manager(Plain())
    stamp = str(int(datetime.now(UTC).timestamp()))
    verify_signature("plain", body, signed(body, stamp), SECRET, pm=pm)
    with pytest.raises(SignatureError, match="stale"):
        verify_signature("plain", body, signed(body, "1577836800"), SECRET, pm=pm)


def test_verify_signature_fails_closed_without_leaking() -> None:
    """An adapter crash is a SignatureError with no cause chain and no secret in it."""

    class Leaky(PlainAdapter):
        def verify_signature(self, body: bytes, headers: Any, secret: Any, *, now: Any) -> None:
            raise ValueError(f"bad key {secret!r}")

    with pytest.raises(SignatureError, match=r"failed \(ValueError\)") as info:
        verify_signature("plain", b"{}", {}, SECRET, now=NOW, pm=plugin_manager(Plain(Leaky())))
    assert SECRET not in str(info.value)
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_verify_signature_turns_other_errors_into_signature_errors() -> None:
    """A payload-style error raised while verifying still fails as SignatureError."""

    class Picky(PlainAdapter):
        def verify_signature(self, body: bytes, headers: Any, secret: Any, *, now: Any) -> None:
            raise PayloadError("plain: body is not JSON")

    with pytest.raises(SignatureError, match="signature not verified: plain: body is not JSON"):
        verify_signature("plain", b"{}", {}, SECRET, now=NOW, pm=plugin_manager(Plain(Picky())))


# ---- ticketsla import --------------------------------------------------------------------------


def run_import(argv: list[str], *plugins: Any) -> int:
    parser = argparse.ArgumentParser(prog="ticketsla")
    commands = parser.add_subparsers()
    register(commands, plugin_manager=lambda: plugin_manager(*plugins))
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_import_reads_files_and_folders_and_writes_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """import walks folders, reads each file as a payload, writes events in history order."""
    inbox = tmp_path / "inbox"
    (inbox / "deeper").mkdir(parents=True)
    (inbox / "b.json").write_text(json.dumps(event_json(2)))
    (inbox / "deeper" / "a.json").write_text(json.dumps([event_json(1, "T-2"), event_json(3)]))
    (inbox / ".hidden.json").write_text("not even json")
    out = tmp_path / "events.jsonl"
    assert run_import(["import", "--source", "plain", str(inbox), "--out", str(out)], Plain()) == 0
    events = read_lines(out)
    assert [(e["ticket_id"], e["event_id"]) for e in events] == [
        ("T-2", "e1"),
        ("T-1", "e2"),
        ("T-1", "e3"),
    ]
    assert TicketEvent.from_dict(events[0]).source == "plain"
    err = capsys.readouterr().err
    assert "[1/2]" in err
    assert "[2/2]" in err
    assert "plain: 2 payloads, 0 rejected, 3 events (0 duplicates dropped): created 3" in err


def test_import_rejects_bad_payloads_and_carries_on(tmp_path: Path) -> None:
    """A bad payload goes to the rejects file with its reason; the others are still written."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps(event_json(1)))
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"ticket": "\xff"}')
    big = tmp_path / "big.json"
    big.write_text(" " * 300)
    out, rejects = tmp_path / "events.jsonl", tmp_path / "rejects.jsonl"
    argv = ["import", "--source", "plain", str(bad), str(big), str(good), "--out", str(out)]
    argv += ["--rejects", str(rejects), "--max-bytes", "200", "--quiet"]
    assert run_import(argv, Plain()) == 1
    assert [e["event_id"] for e in read_lines(out)] == ["e1"]
    rejected = read_lines(rejects)
    assert [(r["path"], r["error"]) for r in rejected] == [
        (str(bad), "PayloadError"),
        (str(big), "PayloadError"),
    ]
    assert "not UTF-8" in rejected[0]["reason"]
    assert "300 bytes is over the limit of 200" in rejected[1]["reason"]


def test_import_reads_json_lines_files_one_payload_per_line(tmp_path: Path) -> None:
    """A .jsonl file holds one payload per line; a bad line is rejected with its line number."""
    captured = tmp_path / "webhooks.jsonl"
    captured.write_text(
        json.dumps(event_json(1)) + "\n\n" + "{broken\n" + json.dumps(event_json(2)) + "\n"
    )
    out, rejects = tmp_path / "events.jsonl", tmp_path / "rejects.jsonl"
    argv = [
        "import",
        "--source",
        "plain",
        str(captured),
        "--out",
        str(out),
        "--rejects",
        str(rejects),
    ]
    assert run_import(argv, Plain()) == 1
    assert [e["event_id"] for e in read_lines(out)] == ["e1", "e2"]
    assert [(r["line"], r["error"]) for r in read_lines(rejects)] == [(3, "PayloadError")]


def test_import_drops_duplicate_deliveries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same event in two files (overlapping pages) is written once and counted as dropped."""
    for name in ("page1.json", "page2.json"):
        (tmp_path / name).write_text(json.dumps([event_json(1), event_json(2)]))
    out = tmp_path / "events.jsonl"
    assert (
        run_import(["import", "--source", "plain", str(tmp_path), "--out", str(out)], Plain()) == 0
    )
    assert len(read_lines(out)) == 2
    assert "2 duplicates dropped" in capsys.readouterr().err


def test_import_unknown_source_and_missing_path_fail_before_reading(tmp_path: Path) -> None:
    """An unknown --source or a missing PATH is an error (exit 2 through the CLI) up front."""
    with pytest.raises(SourceNotFoundError, match="installed: plain"):
        run_import(["import", "--source", "jira", str(tmp_path)], Plain())
    with pytest.raises(ConfigurationError, match="neither a file nor a folder"):
        run_import(["import", "--source", "plain", str(tmp_path / "nope")], Plain())
    with pytest.raises(ConfigurationError, match="--max-bytes"):
        run_import(["import", "--source", "plain", str(tmp_path), "--max-bytes", "0"], Plain())


def test_import_writes_to_stdout_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --out the events go to standard output and progress to standard error."""
    (tmp_path / "one.json").write_text(json.dumps(event_json(1)))
    assert run_import(["import", "--source", "plain", str(tmp_path), "--quiet"], Plain()) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["event_id"] == "e1"
    assert "[1/1]" not in captured.err
    assert "1 event " in captured.err


def test_import_skips_fifos_and_devices_in_folders(tmp_path: Path) -> None:
    """A named pipe inside a folder is skipped instead of blocking the import forever."""
    (tmp_path / "one.json").write_text(json.dumps(event_json(1)))
    os.mkfifo(tmp_path / "pipe.json")
    out = tmp_path / "events.jsonl"
    argv = ["import", "--source", "plain", str(tmp_path), "--out", str(out), "--quiet"]
    assert run_import(argv, Plain()) == 0
    assert [e["event_id"] for e in read_lines(out)] == ["e1"]
