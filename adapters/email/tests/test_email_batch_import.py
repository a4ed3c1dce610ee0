"""``ticketsla import --source email`` reads Maildirs, mbox and .eml files as one threaded batch."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from email_messages import TEAM, adapter, facts, mbox, raw
from ticketsla_email import CONFIG_ENV, EmailAdapter, parse_path, ticket_of

from ticketsla.cli import main
from ticketsla.events import EventKind, TicketEvent
from ticketsla.plugins import DISABLED_PLUGINS_ENV, get_plugin_manager, sources
from ticketsla.sources import BatchReject, BatchSourceAdapter, PayloadLimits, SourceBatch

ROOT = "CAF1x7Qm@mail.customer.example"
REPLY = "reply-1.ravi@acme.example"
FOLLOWUP = "CAF2y8Rn@mail.customer.example"

# The follow-up as a client that writes In-Reply-To but no References sends it: alone, it is
# threaded under the agent's reply (REPLY), not the root; only a batch sees the whole thread.
FOLLOWUP_NO_REFERENCES = raw("customer_followup.eml").replace(b"References:", b"X-Old-References:")

# A message still being delivered: complete headers, body cut off mid-word. Were it read, it
# would add a fourth event to the ticket.
HALF_WRITTEN = (
    b"From: Dana Okafor <dana@customer.example>\n"
    b"To: support@acme.example\n"
    b"Subject: Re: VPN drops every ten minutes\n"
    b"Date: Mon, 2 Mar 2026 15:00:00 +0100\n"
    b"Message-ID: <CAF3zzzz@mail.customer.example>\n"
    b"References: <CAF1x7Qm@mail.customer.example>\n"
    b"\n"
    b"One more thi"
)


@pytest.fixture
def team_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The installed email source knows acme.example as the team; no plugin is blocked."""
    config = tmp_path / "email.toml"
    config.write_text('agent_domains = ["acme.example"]\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    monkeypatch.delenv(DISABLED_PLUGINS_ENV, raising=False)


def make_maildir(folder: Path) -> Path:
    """A Maildir holding the three-message thread in cur/ and new/, and a half-written tmp/."""
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    (folder / "cur" / "1772438700.M1P100.mx:2,S").write_bytes(raw("customer_new.eml"))
    (folder / "cur" / "1772444851.M2P100.mx:2,RS").write_bytes(raw("agent_reply.eml"))
    (folder / "new" / "1772454044.M3P100.mx").write_bytes(FOLLOWUP_NO_REFERENCES)
    (folder / "tmp" / "1772460000.M4P100.mx").write_bytes(HALF_WRITTEN)
    return folder


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def import_(*argv: str) -> int:
    return main(["import", "--source", "email", "--quiet", *argv])


def test_the_installed_email_adapter_is_a_batch_adapter(team_config: None) -> None:
    """The email source registered by the entry point implements BatchSourceAdapter."""
    registered = sources(get_plugin_manager()).get("email")
    assert isinstance(registered, EmailAdapter)
    assert isinstance(registered, BatchSourceAdapter)


def test_the_follow_up_alone_lands_in_another_ticket() -> None:
    """Alone, the follow-up without References is threaded under the reply, not the root."""
    assert ticket_of(facts(FOLLOWUP_NO_REFERENCES), TEAM) == (REPLY, False)


def test_maildir_thread_imports_as_one_ticket_and_tmp_is_ignored(
    team_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """cur/ and new/ are threaded as one batch into the root's ticket; tmp/ is never read."""
    maildir = make_maildir(tmp_path / "support")
    out, rejects = tmp_path / "events.jsonl", tmp_path / "rejects.jsonl"
    assert import_(str(maildir), "--out", str(out), "--rejects", str(rejects)) == 0
    events = [TicketEvent.from_dict(line) for line in read_jsonl(out)]
    assert [(e.ticket_id, e.kind, e.event_id) for e in events] == [
        (ROOT, EventKind.CREATED, f"created:{ROOT}"),
        (ROOT, EventKind.AGENT_REPLY, REPLY),
        (ROOT, EventKind.CUSTOMER_MESSAGE, FOLLOWUP),
    ]
    assert rejects.read_text(encoding="utf-8") == ""
    assert "email: 3 payloads, 0 rejected, 3 events" in capsys.readouterr().err


def test_maildir_rejects_are_written_with_reasons_and_the_rest_imported(
    team_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A message that is not mail and one over max_message_bytes are rejected by key; exit 1.

    --max-bytes (the JSON payload limit) does not apply to mail.
    """
    config = tmp_path / "email.toml"
    config.write_text('agent_domains = ["acme.example"]\nmax_message_bytes = 4096\n', "utf-8")
    os.environ[CONFIG_ENV] = str(config)  # the team_config fixture restores it
    maildir = make_maildir(tmp_path / "support")
    (maildir / "new" / "1772455000.M5P100.mx").write_bytes(b"\x00\x01 not a message at all\n")
    (maildir / "new" / "1772456000.M6P100.mx").write_bytes(
        raw("customer_new.eml").replace(b"Hello,", b"Hello," + b" padding" * 1000)
    )
    out, rejects = tmp_path / "events.jsonl", tmp_path / "rejects.jsonl"
    argv = [str(maildir), "--out", str(out), "--rejects", str(rejects), "--max-bytes", "10"]
    assert import_(*argv) == 1
    assert [e["event_id"] for e in read_jsonl(out)] == [f"created:{ROOT}", REPLY, FOLLOWUP]
    records = sorted(read_jsonl(rejects), key=lambda r: str(r["path"]))
    assert [(r["source"], r["path"], r["error"]) for r in records] == [
        ("email", f"{maildir}#1772455000.M5P100.mx", "PayloadError"),
        ("email", f"{maildir}#1772456000.M6P100.mx", "PayloadError"),
    ]
    assert "does not begin with a header" in records[0]["reason"]
    assert "over the size limit of 4096 bytes" in records[1]["reason"]
    assert "email: 5 payloads, 2 rejected, 3 events" in capsys.readouterr().err


def test_mbox_eml_and_maildir_given_together_are_one_batch(
    team_config: None, tmp_path: Path
) -> None:
    """The root in an mbox, the reply as an .eml, the follow-up in a Maildir: one ticket."""
    archive = tmp_path / "archive.mbox"
    archive.write_bytes(mbox(["customer_new.eml"]))
    reply = tmp_path / "reply.eml"
    reply.write_bytes(raw("agent_reply.eml"))
    maildir = tmp_path / "inbox"
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True)
    (maildir / "new" / "1772454044.M3P100.mx").write_bytes(FOLLOWUP_NO_REFERENCES)
    out = tmp_path / "events.jsonl"
    assert import_(str(maildir), str(reply), str(archive), "--out", str(out)) == 0
    assert {(e["ticket_id"], e["kind"]) for e in read_jsonl(out)} == {
        (ROOT, "created"),
        (ROOT, "agent_reply"),
        (ROOT, "customer_message"),
    }


def test_a_missing_path_exits_2_before_anything_is_read(
    team_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PATH that does not exist is a usage error: exit 2, a message, no events written."""
    out = tmp_path / "events.jsonl"
    assert import_(str(tmp_path / "nowhere"), "--out", str(out)) == 2
    assert "is neither a file nor a folder" in capsys.readouterr().err
    assert not out.exists()


def test_parse_paths_walks_folders_reading_each_maildir_once(tmp_path: Path) -> None:
    """In a folder of mailboxes each Maildir's tmp/ and hidden entries are skipped."""
    mail = tmp_path / "mail"
    make_maildir(mail / "support")
    (mail / ".Trash").mkdir(parents=True)
    (mail / ".Trash" / "old.eml").write_bytes(raw("list_mail.eml"))
    (mail / "loose").mkdir()
    (mail / "loose" / "tagged.eml").write_bytes(raw("tag_only.eml"))
    os.mkfifo(mail / "loose" / "pipe.eml")  # would block the import if it were opened
    batch = adapter().parse_paths([mail], limits=PayloadLimits())
    assert isinstance(batch, SourceBatch)
    assert (batch.payloads, batch.rejects) == (4, ())
    assert {e.ticket_id for e in batch.events} == {ROOT}
    assert sorted(e.event_id for e in batch.events) == sorted(
        [f"created:{ROOT}", REPLY, FOLLOWUP, facts("tag_only.eml").event_id]
    )


def test_parse_paths_reports_a_missing_path_as_a_reject(tmp_path: Path) -> None:
    """Called directly, a path that is not there is a reject naming it, not an exception."""
    gone = tmp_path / "gone.eml"
    batch = adapter().parse_paths([gone, tmp_path], limits=PayloadLimits())
    assert batch.events == ()
    assert batch.rejects == (
        BatchReject(label=str(gone), reason=f"email: {str(gone)!r} does not exist"),
    )
    assert batch.payloads == 1


def test_parse_path_skips_tmp_of_a_maildir_inside_a_folder(tmp_path: Path) -> None:
    """parse_path agrees with parse_paths: a nested Maildir's tmp/ is not read."""
    make_maildir(tmp_path / "mail" / "support")
    result = parse_path(tmp_path / "mail", adapter=adapter())
    assert result.rejects == []
    assert [e.event_id for e in result.events] == [f"created:{ROOT}", REPLY, FOLLOWUP]
