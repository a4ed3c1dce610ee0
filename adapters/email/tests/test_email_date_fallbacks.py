"""Dates read as RFC 5322 writes them, and the documented fallbacks for a message without one.

Order: Date; the topmost Received; the mailbox's delivery time (the mbox ``From `` line, the
Maildir file name); the caller's ``received_at``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest
from email_messages import TEAM, adapter, facts
from hypothesis import given
from hypothesis import strategies as st
from ticketsla_email import EmailSettings, Threader, parse_maildir, parse_mbox, read_message
from ticketsla_email.dates import mail_date, mbox_from_date

from ticketsla.errors import ConfigurationError, PayloadError
from ticketsla.sources import PayloadLimits

HEAD = (
    b"From: lee@partner.example\r\nTo: support@acme.example\r\nSubject: t\r\n"
    b"Message-ID: <fallback@partner.example>\r\n"
)
EDT = timezone(timedelta(hours=-4))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wed, 20 Sep 1995 00:19:00 (EDT) -0400", datetime(1995, 9, 20, 0, 19, tzinfo=EDT)),
        ("Wed, 20 Sep 1995 00:19:00 -0400 (EDT)", datetime(1995, 9, 20, 0, 19, tzinfo=EDT)),
        (
            "(sent) Wed,\r\n 20 (x (nested)) Sep 1995\r\n\t00:19 -0400",
            datetime(1995, 9, 20, 0, 19, tzinfo=EDT),
        ),
        ("20 Sep 1995 00:19:00 EDT", datetime(1995, 9, 20, 0, 19, tzinfo=EDT)),
        ("20 Sep 95 04:19:00 UT", datetime(1995, 9, 20, 4, 19, tzinfo=UTC)),
        ("20 Sep 1995 04:19:00 GMT", datetime(1995, 9, 20, 4, 19, tzinfo=UTC)),
        ("20 Sep 1995 04:19:00 Z", datetime(1995, 9, 20, 4, 19, tzinfo=UTC)),
        ("Sat, 1 Jan 05 00:00:00 PDT", datetime(2005, 1, 1, 7, 0, tzinfo=UTC)),
        ("1 Jan 105 00:00:00 CST", datetime(2005, 1, 1, 6, 0, tzinfo=UTC)),
        ("Tue, 3 Mar 2026 19:00:00 -0000", datetime(2026, 3, 3, 19, 0, tzinfo=UTC)),
        (
            "Fri, 07 Apr 2023 17:30:44 +0200Received: from x",
            datetime(2023, 4, 7, 15, 30, 44, tzinfo=UTC),
        ),
        ("Tue, 30 Jun 2026 23:59:60 +0000", datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC)),
    ],
)
def test_rfc_5322_dates_read_with_comments_and_obsolete_zones(
    text: str, expected: datetime
) -> None:
    """Comments, folding, obsolete years and zone names read per RFC 5322 section 4.3."""
    assert mail_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 07 Apr 2023 10:00:00 CEST",  # not an RFC 5322 zone: never read as UTC
        "Fri, 07 Apr 2023 10:00:00 IST",
        "Fri, 07 Apr 2023 10:00:00",
        "Fri, 07 Apr 2023 10:00:00 CESTReceived: from x",
        "Fri, 31 Feb 2023 10:00:00 +0000",
        "Tue, 3 Mar 2026 19:00:00 +9999",
        "yesterday",
        "",
    ],
)
def test_unknown_zones_and_broken_dates_are_unusable(text: str) -> None:
    assert mail_date(text) is None


def test_implausible_year_is_refused_with_the_window_in_the_message() -> None:
    """Mon, 2 Mar 1026 is no date a message was sent: with no fallback, the bounds are named."""
    data = HEAD + b"Date: Mon, 2 Mar 1026 10:00:00 +0000\r\n\r\n"
    with pytest.raises(PayloadError, match=r"outside 1970-01-01 to 2100-12-31"):
        facts(data)


def test_window_is_configurable_and_checked() -> None:
    data = HEAD + b"Date: Wed, 20 Sep 1995 00:19:00 -0400\r\n\r\n"
    with pytest.raises(PayloadError):
        facts(data, EmailSettings(earliest_year=2000))
    with pytest.raises(ConfigurationError, match="earliest_year"):
        EmailSettings(earliest_year=2030, latest_year=2020)
    with pytest.raises(ConfigurationError, match="latest_year"):
        EmailSettings(latest_year=0)


def test_callers_received_at_times_a_message_without_dates() -> None:
    at = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    (event,) = adapter().parse(HEAD + b"\r\n", headers={}, limits=PayloadLimits(), received_at=at)
    assert event.at == at
    with pytest.raises(PayloadError, match="no UTC offset"):
        read_message(
            HEAD + b"\r\n",
            settings=TEAM,
            limits=PayloadLimits(),
            received_at=datetime(2026, 3, 3),  # noqa: DTZ001
        )


def test_mailbox_time_comes_before_the_callers() -> None:
    delivered = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    threader = Threader(adapter())
    threader.add(HEAD + b"\r\n", delivered_at=delivered, received_at=delivered + timedelta(hours=1))
    (event,) = threader.events()
    assert event.at == delivered


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "From lee@partner.example Tue Mar  3 16:30:05 2026",
            datetime(2026, 3, 3, 16, 30, 5, tzinfo=UTC),
        ),
        (
            "From 1759@xxx Tue Mar 03 16:30:05 +0100 2026",
            datetime(2026, 3, 3, 15, 30, 5, tzinfo=UTC),
        ),
        ("From - Tue Mar 3 16:30 2026", datetime(2026, 3, 3, 16, 30, tzinfo=UTC)),
        ("From MAILER-DAEMON Thu Jan  1 00:00:00 1026", None),
        ("From someone", None),
    ],
)
def test_mbox_from_line_times(line: str, expected: datetime | None) -> None:
    assert mbox_from_date(line, TEAM.date_window) == expected


def test_mbox_from_line_times_a_message_without_dates(tmp_path: Path) -> None:
    box = tmp_path / "archive.mbox"
    box.write_bytes(b"From lee@partner.example Tue Mar  3 16:30:05 2026\n" + HEAD + b"\n")
    result = parse_mbox(box, adapter())
    assert not result.rejects
    assert [e.at for e in result.events] == [datetime(2026, 3, 3, 16, 30, 5, tzinfo=UTC)]
    (event,) = adapter().parse(box.read_bytes(), headers={}, limits=PayloadLimits())
    assert event.at == datetime(2026, 3, 3, 16, 30, 5, tzinfo=UTC)


def test_maildir_delivery_time_times_a_message_without_dates(tmp_path: Path) -> None:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / sub).mkdir()
    (tmp_path / "new" / "1772555405.M1P2.mx").write_bytes(HEAD + b"\r\n")
    result = parse_maildir(tmp_path, adapter())
    assert [e.at for e in result.events] == [datetime.fromtimestamp(1772555405, tz=UTC)]


def test_maildir_without_a_time_in_its_name_uses_the_file_time(tmp_path: Path) -> None:
    for sub in ("cur", "new", "tmp"):
        (tmp_path / sub).mkdir()
    message = tmp_path / "cur" / "imported-message:2,S"
    message.write_bytes(HEAD + b"\r\n")
    os.utime(message, (1772555405, 1772555405))
    result = parse_maildir(tmp_path, adapter())
    assert [e.at for e in result.events] == [datetime.fromtimestamp(1772555405, tz=UTC)]


@given(
    at=st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis bounds are naive
        max_value=datetime(2100, 12, 30),  # noqa: DTZ001
        timezones=st.builds(
            timezone, st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timedelta(minutes=m))
        ),
    ).map(lambda d: d.replace(microsecond=0)),
    comment=st.sampled_from(["", " (CET)", " (a (nested) comment)", "\r\n (folded)"]),
)
def test_any_formatted_date_reads_back_to_the_same_instant(at: datetime, comment: str) -> None:
    """What the standard library writes, with comments and folding added, reads back exactly."""
    text = format_datetime(at)
    day, _, rest = text.partition(" ")
    assert mail_date(f"{day}{comment} {rest}{comment}", TEAM.date_window) == at
