"""The ``ticketsla`` command line: due, calendar show, calendar list, and clear errors.

Expected instants are hand-computed: Friday 2026-11-27 (the day after Thanksgiving, not a US or
New York public holiday) 16:00 EST plus 4 business hours on 09:00-17:00 is 1 hour on Friday and
3 hours on Monday 2026-11-30, so 12:00 EST, 17:00 UTC.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from freezegun import freeze_time

from ticketsla import __version__, bundled_calendar_names
from ticketsla.cli import main

SCRIPT = Path(sys.executable).with_name("ticketsla")
DUE = ["due", "--calendar", "us-business", "--start", "2026-11-27T16:00-05:00", "--in", "4h"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_due_prints_the_due_instant_in_the_calendar_zone_and_utc(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ticketsla due` prints the hand-computed due instant, local and UTC, and exits 0."""
    code, out, err = run(capsys, *DUE)
    assert (code, err) == (0, "")
    assert "calendar  us-business (America/New_York)" in out
    assert "start     2026-11-27T16:00:00-05:00  open: yes" in out
    assert "target    4h business time" in out
    assert "due       2026-11-30T12:00:00-05:00  (Mon 30 Nov 2026 12:00 EST)" in out
    assert "due UTC   2026-11-30T17:00:00+00:00" in out
    assert "wall time 2d 20h after start" in out


def test_due_reads_iso_durations_and_starts_in_any_zone(capsys: pytest.CaptureFixture[str]) -> None:
    """A start written in UTC and a target written PT4H give the same due instant."""
    code, out, _ = run(
        capsys, "due", "--calendar", "us-business", "--start", "2026-11-27T21:00Z", "--in", "PT4H"
    )
    assert code == 0
    assert "due       2026-11-30T12:00:00-05:00" in out


def test_due_across_spring_forward_night_shift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A night shift 01:00-04:00 on the spring-forward Sunday holds 2 hours, read from a file."""
    path = tmp_path / "nights.toml"
    path.write_text(
        'name = "nights"\ntimezone = "America/New_York"\n[hours]\nsun = ["01:00-04:00"]\n',
        encoding="utf-8",
    )
    code, out, _ = run(
        capsys, "due", "--calendar", str(path), "--start", "2026-03-08T00:00-05:00", "--in", "2h"
    )
    assert code == 0
    assert "due       2026-03-08T04:00:00-04:00" in out


@freeze_time("2026-11-27 21:00:00")
def test_due_starts_now_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --start the clock starts now (frozen here at Friday 16:00 New York time)."""
    code, out, _ = run(capsys, "due", "--calendar", "us-business", "--in", "4h")
    assert code == 0
    assert "start     2026-11-27T16:00:00-05:00  open: yes" in out
    assert "due       2026-11-30T12:00:00-05:00" in out


def test_calendar_show_lists_periods_day_by_day(capsys: pytest.CaptureFixture[str]) -> None:
    """`calendar show` lists each day's periods, holidays by name, and the total open time."""
    code, out, err = run(
        capsys, "calendar", "show", "us-business", "--from", "2026-12-21", "--days", "14"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("us-business (America/New_York)")
    assert lines[1:] == [
        "2026-12-21 Mon  09:00-17:00 EST",
        "2026-12-22 Tue  09:00-17:00 EST",
        "2026-12-23 Wed  09:00-17:00 EST",
        "2026-12-24 Thu  09:00-17:00 EST",
        "2026-12-25 Fri  closed  holiday: Christmas Day",
        "2026-12-26 Sat  closed",
        "2026-12-27 Sun  closed",
        "2026-12-28 Mon  09:00-17:00 EST",
        "2026-12-29 Tue  09:00-17:00 EST",
        "2026-12-30 Wed  09:00-17:00 EST",
        "2026-12-31 Thu  09:00-17:00 EST",
        "2027-01-01 Fri  closed  holiday: New Year's Day",
        "2027-01-02 Sat  closed",
        "2027-01-03 Sun  closed",
        "open time in these 14 days: 64h",
    ]


def test_calendar_show_splits_a_night_shift_at_midnight(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A night shift shows on both dates it covers, each with its own share."""
    code, out, _ = run(
        capsys, "calendar", "show", "follow-the-sun", "--from", "2026-11-22", "--days", "2"
    )
    assert code == 0
    assert "2026-11-22 Sun  22:00-24:00 UTC" in out
    assert "2026-11-23 Mon  00:00-24:00 UTC" in out
    assert "open time in these 2 days: 26h" in out


@freeze_time("2026-12-25 15:00:00")
def test_calendar_show_starts_today_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Without --from the listing starts at today's date in the calendar's zone."""
    code, out, _ = run(capsys, "calendar", "show", "us-business", "--days", "1")
    assert code == 0
    assert out.splitlines()[1] == "2026-12-25 Fri  closed  holiday: Christmas Day"


def test_calendar_list_names_every_bundled_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    """`calendar list` prints one line per bundled calendar with its time zone."""
    code, out, _ = run(capsys, "calendar", "list")
    assert code == 0
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == bundled_calendar_names()
    assert any(line.split()[:2] == ["us-business", "America/New_York"] for line in lines)
    assert any(line.split()[:2] == ["in-business", "Asia/Kolkata"] for line in lines)


ERRORS = [
    pytest.param(
        ["due", "--calendar", "us-business", "--in", "soon"],
        "--in: 'soon' is not a duration",
        id="bad-duration",
    ),
    pytest.param(
        ["due", "--calendar", "us-business", "--in", "P1M"],
        "--in: 'P1M' uses years or months",
        id="month-duration",
    ),
    pytest.param(
        ["due", "--calendar", "us-business", "--start", "2026-11-27T16:00", "--in", "4h"],
        "--start: naive datetime 2026-11-27T16:00:00 has no time zone",
        id="naive-start",
    ),
    pytest.param(
        ["due", "--calendar", "us-business", "--start", "friday", "--in", "4h"],
        "--start: 'friday' is not an ISO 8601 instant",
        id="unreadable-start",
    ),
    pytest.param(
        ["due", "--calendar", "no-such", "--in", "4h"],
        "calendar 'no-such': no such bundled calendar",
        id="unknown-calendar",
    ),
    pytest.param(
        ["calendar", "show", "us-business", "--from", "21/12/2026"],
        "--from: '21/12/2026' is not a date",
        id="bad-from-date",
    ),
    pytest.param(
        ["calendar", "show", "us-business", "--days", "0"], "--days: 0 is not between", id="no-days"
    ),
]


@pytest.mark.parametrize(("argv", "message"), ERRORS)
def test_errors_print_a_clear_message_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    """Bad input prints one `ticketsla: error:` line to stderr and exits 2, no traceback."""
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.startswith("ticketsla: error: ")
    assert message in err
    assert "Traceback" not in err
    assert err.count("\n") == 1


def test_bad_calendar_file_error_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken calendar file is reported with its path, key and value, exit 2."""
    path = tmp_path / "broken.toml"
    path.write_text(
        'name = "broken"\ntimezone = "UTC"\n[hours]\nmon = ["09:00-25:00"]\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "due", "--calendar", str(path), "--in", "4h")
    assert code == 2
    assert str(path) in err
    assert "hours.mon" in err
    assert "09:00-25:00" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing required option is argparse's usage error, exit 2; no command prints help, 2."""
    with pytest.raises(SystemExit) as info:
        main(["due", "--calendar", "us-business"])
    assert info.value.code == 2
    assert "--in" in capsys.readouterr().err
    assert main([]) == 2
    assert "usage: ticketsla" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version."""
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"ticketsla {__version__}"


def test_installed_console_script_runs_due_and_fails_cleanly() -> None:
    """The installed `ticketsla` script prints the due instant, and exits 2 without a traceback."""
    done = subprocess.run(
        [str(SCRIPT), *DUE], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "due UTC   2026-11-30T17:00:00+00:00" in done.stdout
    failed = subprocess.run(
        [str(SCRIPT), "due", "--calendar", "us-business", "--in", "4 hours"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith("ticketsla: error: --in: '4 hours' is not a duration")
    assert "Traceback" not in failed.stderr
