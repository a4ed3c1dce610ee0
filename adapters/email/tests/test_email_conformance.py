"""Conformance: messages written here in the shapes real mail takes, each with what it must give.

Each file in ``conformance/`` is named for the real-world shape it stands for; the table below
says what the adapter must read from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from email_messages import TEAM
from ticketsla_email import read_message

from ticketsla.errors import PayloadError
from ticketsla.sources import PayloadLimits

CONFORMANCE = Path(__file__).parent / "conformance"

EXPECTED: dict[str, dict[str, Any]] = {
    "date_comment_before_offset_1995.eml": {
        "at": datetime(1995, 9, 20, 0, 19, tzinfo=timezone(timedelta(hours=-4))),
    },
    "date_zone_name_cest_not_in_rfc.eml": {  # CEST is no RFC 5322 zone: Received times it
        "at": datetime(2023, 4, 7, 8, 0, 9, tzinfo=UTC),
    },
    "date_line_break_lost_before_received.eml": {  # the offset before the glued field counts
        "at": datetime(2023, 4, 7, 15, 30, 44, tzinfo=UTC),
    },
    "date_year_1026_clock_broken.eml": {  # implausible year: Received times it
        "at": datetime(2026, 3, 2, 11, 0, tzinfo=UTC),
    },
    "date_obsolete_two_digit_year_pst.eml": {
        "at": datetime(2026, 3, 3, 16, 30, tzinfo=UTC),
    },
    "headers_unindented_continuation_line.eml": {  # Date and Subject after it are kept
        "at": datetime(2026, 3, 3, 10, 0, tzinfo=UTC),
        "subject": "Invoice missing",
        "sender": "lee@partner.example",
    },
    "address_rfc2047_encoded_local_part.eml": {
        "sender": "lee@partner.example",
        "recipients": ("support@acme.example",),
    },
    "from_malformed_unclosed_quote.eml": {"sender": "lee@partner.example"},
    "from_missing_reply_to_and_return_path.eml": {"sender": "lee@partner.example"},
    "subject_gb2312_label_holding_gbk.eml": {"subject": "朱镕基 发票"},
    "subject_raw_8bit_gb2312.eml": {"subject": "发票丢失"},
    "subject_raw_8bit_shift_jis.eml": {"subject": "請求書について"},
    "subject_ks_c_5601_label_holding_cp949.eml": {"subject": "똠방각하 문의"},
    "subject_raw_8bit_undeclared_latin1.eml": {"subject": "Café menu – broken"},
}


def test_every_fixture_has_an_expectation() -> None:
    """No fixture sits in the folder untested, and none is expected that is not there."""
    assert sorted(p.name for p in CONFORMANCE.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_conformance_fixture(name: str) -> None:
    """Each shape reads to the facts written beside it."""
    facts = read_message((CONFORMANCE / name).read_bytes(), settings=TEAM, limits=PayloadLimits())
    for field, expected in EXPECTED[name].items():
        assert getattr(facts, field) == expected, field


def test_text_after_the_last_field_without_a_blank_line_stays_the_body() -> None:
    """A body that came without its blank line is not folded into the last header field."""
    data = (
        b"From: lee@partner.example\r\nTo: support@acme.example\r\nSubject: Short\r\n"
        b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\nMessage-ID: <nosep@partner.example>\r\n"
        b"Hello, the body starts here\r\n"
    )
    found = read_message(data, settings=TEAM, limits=PayloadLimits())
    assert found.message_id == "nosep@partner.example"
    assert found.subject == "Short"


def test_text_with_a_lone_surrogate_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="lone surrogate"):
        read_message("From: a@b.example\r\n\r\n\ud800", settings=TEAM, limits=PayloadLimits())
