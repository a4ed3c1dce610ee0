"""``ticketsla import --db``'s progress bar: drawn on a terminal, never in a pipe or a CI log."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from ticketsla import TicketEvent
from ticketsla.cli.backfill_store import backfill_into
from ticketsla.testing import EventBuilder

POLICY = """
name = "standard"
calendar = "24x7"

[targets]
first_response = { all = "1h" }
"""


class _Terminal(io.StringIO):
    """Standard error as a terminal would answer ``isatty``."""

    def isatty(self) -> bool:
        return True


def _events() -> list[TicketEvent]:
    ticket = EventBuilder("T-1")
    ticket.created()
    ticket.customer_message(after="5m")
    return ticket.events


@pytest.mark.parametrize("terminal", [True, False])
def test_the_bar_is_drawn_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    policy = tmp_path / "standard.toml"
    policy.write_text(POLICY, encoding="utf-8")
    err = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    result = backfill_into(f"sqlite:///{tmp_path / 'sla.db'}", _events(), [str(policy)])
    assert (result.stored, result.rejected) == (2, 0)
    assert ("storing events" in err.getvalue()) is terminal


def test_quiet_draws_no_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = tmp_path / "standard.toml"
    policy.write_text(POLICY, encoding="utf-8")
    err = _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    backfill_into(f"sqlite:///{tmp_path / 'sla.db'}", _events(), [str(policy)], quiet=True)
    assert err.getvalue() == ""
