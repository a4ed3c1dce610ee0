"""Messages are threaded into tickets by References, In-Reply-To, the subject tag and Message-ID."""

from __future__ import annotations

import mailbox
import random
from pathlib import Path

import pytest
from email_messages import TEAM, THREAD, adapter, facts, mbox, parse, raw
from ticketsla_email import (
    EmailSettings,
    Threader,
    parse_maildir,
    parse_mbox,
    parse_path,
    ticket_of,
)
from ticketsla_email.testing import EmailPayloads

from ticketsla.errors import PayloadError
from ticketsla.events import EventKind, TicketEvent, order_events
from ticketsla.testing import EventBuilder

ROOT = "CAF1x7Qm@mail.customer.example"


def _threaded(names: list[str] | tuple[str, ...]) -> list[TicketEvent]:
    threader = Threader(adapter())
    for name in names:
        threader.add(raw(name), origin=name)
    assert threader.rejects == []
    return threader.events()


@pytest.mark.parametrize(
    ("name", "ticket", "starts"),
    [
        ("customer_new.eml", ROOT, True),
        ("agent_reply.eml", ROOT, False),  # References root
        ("customer_followup.eml", ROOT, False),
        ("tag_only.eml", "1234", False),  # no References: the tag
        ("outbound_by_agent.eml", "outbound-9.ravi@acme.example", True),
    ],
)
def test_one_message_rule(name: str, ticket: str, starts: bool) -> None:
    """Alone, a message's ticket is its References root, In-Reply-To, tag, or itself."""
    assert ticket_of(facts(name), TEAM) == (ticket, starts)


def test_in_reply_to_alone_threads_a_reply() -> None:
    """A reply from a client that writes In-Reply-To but no References joins the parent."""
    probe = raw("customer_followup.eml").replace(b"References:", b"X-Old-References:")
    assert ticket_of(facts(probe), TEAM) == ("reply-1.ravi@acme.example", False)


def test_batch_puts_a_whole_thread_in_one_ticket() -> None:
    """In a batch every message of the thread, the tag-only one too, shares the root's ticket."""
    events = _threaded(THREAD)
    assert {e.ticket_id for e in events} == {ROOT}
    kinds = [e.kind for e in events]
    assert kinds == [
        EventKind.CREATED,
        EventKind.AGENT_REPLY,  # auto-acknowledgement
        EventKind.AGENT_REPLY,
        EventKind.INTERNAL_NOTE,
        EventKind.CUSTOMER_MESSAGE,
        EventKind.CUSTOMER_MESSAGE,  # tag only, joined by [#1234]
    ]


def test_batch_agrees_with_the_one_message_rule_when_the_root_is_present() -> None:
    """Messages with References get the same ticket alone and in a batch."""
    batch = {e.event_id: e.ticket_id for e in _threaded(THREAD)}
    for name in ("agent_reply.eml", "internal_forward.eml", "customer_followup.eml"):
        (alone,) = parse(name)
        assert batch[alone.event_id] == alone.ticket_id


def test_batch_without_the_root_creates_at_the_earliest_message() -> None:
    """When the first message is missing, the thread is still one ticket named by its root."""
    events = _threaded([n for n in THREAD if n != "customer_new.eml"])
    assert {e.ticket_id for e in events} == {ROOT}
    created = [e for e in events if e.kind is EventKind.CREATED]
    assert [(c.event_id, c.at) for c in created] == [
        (f"created:{ROOT}", facts("agent_reply.eml").at)
    ]


@pytest.mark.parametrize("seed", range(5))
def test_batch_does_not_depend_on_order_or_repeats(seed: int) -> None:
    """Shuffled and repeated messages thread to exactly the same events."""
    rng = random.Random(seed)
    names = [n for n in THREAD for _ in range(rng.randint(1, 3))]
    rng.shuffle(names)
    assert _threaded(names) == _threaded(THREAD)


def test_single_messages_in_any_order_give_one_event_set() -> None:
    """Parsing messages one by one, shuffled and repeated, gives the same ordered events."""
    names = [n for n in THREAD if n != "tag_only.eml"]
    expected = order_events(e for n in names for e in parse(n))
    rng = random.Random(7)
    for _ in range(3):
        shuffled = names * 2
        rng.shuffle(shuffled)
        assert order_events(e for n in shuffled for e in parse(n)) == expected


def test_duplicate_message_ids_keep_one_copy_whatever_the_order() -> None:
    """Two copies of one message (different Received lines) give one event, the same each time."""
    copy = b"Received: from relay.example by mx.acme.example; Mon, 2 Mar 2026 10:48:00 +0100\r\n"
    copy += raw("agent_reply.eml")
    one = Threader(adapter())
    one.add(raw("agent_reply.eml"))
    one.add(copy)
    two = Threader(adapter())
    two.add(copy)
    two.add(raw("agent_reply.eml"))
    assert len(one) == len(two) == 1
    assert one.events() == two.events()


def test_subject_tag_pattern_is_configurable() -> None:
    """A custom pattern such as [ACME-123] finds the ticket number."""
    settings = EmailSettings(agent_domains=["acme.example"], subject_tag=r"\[ACME-(\d+)\]")
    probe = raw("tag_only.eml").replace(b"[#1234]", b"[ACME-77]")
    (event,) = parse(probe, settings)
    assert event.ticket_id == "77"
    assert ticket_of(facts(raw("tag_only.eml"), settings), settings)[1] is True  # [#1234] ignored


def test_mbox_payload_is_threaded_as_a_batch() -> None:
    """parse() of an mbox threads all its messages together."""
    events = parse(mbox(THREAD))
    assert events == _threaded(THREAD)


def test_mbox_payload_with_a_bad_message_is_refused_whole() -> None:
    """parse() never returns a partial list: one unreadable message refuses the mbox."""
    with pytest.raises(PayloadError, match=r"mbox has 1 unreadable message\(s\); message 2"):
        parse(mbox(["customer_new.eml", "no_date_at_all.eml", "agent_reply.eml"]))


def test_mbox_file_reports_bad_messages_and_carries_on(tmp_path: Path) -> None:
    """parse_mbox threads what it can read and lists what it cannot, with the reason."""
    path = tmp_path / "support.mbox"
    path.write_bytes(mbox(["customer_new.eml", "no_date_at_all.eml", *THREAD[1:]]))
    result = parse_mbox(path, adapter())
    assert result.events == _threaded(THREAD)
    (reject,) = result.rejects
    assert reject.origin == f"{path}#2"
    assert "no usable Date" in reject.reason


def test_mbox_file_skips_a_message_over_the_size_limit(tmp_path: Path) -> None:
    """A message over the limit inside an mbox file is rejected without being kept."""
    big = raw("customer_followup.eml").replace(b"Log attached.", b"x" * 5000)
    path = tmp_path / "big.mbox"
    path.write_bytes(mbox(["customer_new.eml"]) + b"From x\n" + big + b"\n")
    small = adapter(EmailSettings(agent_domains=["acme.example"], max_message_bytes=4000))
    result = parse_mbox(path, small)
    assert [r.reason for r in result.rejects] == [
        "email: message is over the size limit of 4000 bytes (max_message_bytes)"
    ]
    assert [e.kind for e in result.events] == [EventKind.CREATED]


def test_maildir_is_threaded_as_a_batch(tmp_path: Path) -> None:
    """parse_maildir reads cur/ and new/ and threads like any batch."""
    box = mailbox.Maildir(tmp_path / "Support", create=True)
    for name in THREAD:
        box.add(raw(name))
    box.add(raw("no_date_at_all.eml"))  # timed by its delivery time, the Maildir name
    (tmp_path / "Support" / "new" / "not-mail").write_bytes(b"\x00\x01 no header\n")
    result = parse_maildir(tmp_path / "Support", adapter())
    undated = [e for e in result.events if e.ticket_id == "nodate-2@partner.example"]
    assert [e for e in result.events if e not in undated] == _threaded(THREAD)
    assert len(undated) == 1
    assert len(result.rejects) == 1


def test_folder_that_is_not_a_maildir_is_refused(tmp_path: Path) -> None:
    """parse_maildir on a plain folder says it is not a Maildir."""
    with pytest.raises(PayloadError, match="is not a Maildir folder"):
        parse_maildir(tmp_path, adapter())


def test_parse_path_reads_folders_of_messages_mbox_and_eml(tmp_path: Path) -> None:
    """parse_path threads .eml files in a folder together with an mbox file."""
    folder = tmp_path / "eml"
    folder.mkdir()
    for name in THREAD[:4]:
        (folder / name).write_bytes(raw(name))
    (tmp_path / "rest.mbox").write_bytes(mbox(THREAD[4:]))
    result = parse_path(folder, tmp_path / "rest.mbox", adapter=adapter())
    assert result.events == _threaded(THREAD)
    assert result.rejects == []


@pytest.mark.parametrize("seed", range(3))
def test_a_written_thread_in_any_order_threads_like_its_messages_one_by_one(seed: int) -> None:
    """A thread written by ``ticketsla_email.testing``, added to a batch in any order and with
    repeats, gives the events its messages give one at a time, which are the events it was
    written from (the created event under the adapter's id)."""
    history = EventBuilder("first.7@partner.example", source="email")
    history.created(
        requester="lee@partner.example", subject="Printer", channel="email", priority=None
    )  # mail carries no priority
    history.agent_reply(after="30m")
    history.customer_message(after="2h")
    history.internal_note(after="5m")
    history.agent_reply(after="1h")
    mail = EmailPayloads()
    messages = [m for m in (mail.payload(e) for e in history.events) if m is not None]
    rng = random.Random(seed)
    deliveries = [m for m in messages for _ in range(rng.randint(1, 2))]
    rng.shuffle(deliveries)
    threader = Threader(mail.adapter())
    for message in deliveries:
        threader.add(message)
    one_by_one = [e for m in messages for e in mail.adapter().parse(m, headers={}, limits=None)]
    assert threader.events() == order_events(one_by_one)
    assert [e.to_dict() | {"event_id": ""} for e in threader.events()] == [
        e.to_dict() | {"event_id": ""} for e in order_events(history.events)
    ]  # the created event's id is the adapter's own: created:<ticket>
