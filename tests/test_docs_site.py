"""The documentation site builds with ``mkdocs build --strict``: every page, link and anchor
resolves and the API reference renders from the docstrings (needs the ``docs`` extra)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    """No warning in strict mode; the API page documents the engine."""
    pytest.importorskip("mkdocstrings", reason="the docs site needs the 'docs' extra")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stderr
    api = (tmp_path / "api" / "index.html").read_text(encoding="utf-8")
    assert 'id="ticketsla.engine.SLAEngine.at_risk"' in api


CHANGE_HEADING = re.compile(r"^## \[(Unreleased|\d+\.\d+\.\d+)\]( - \d{4}-\d{2}-\d{2})?$")
SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_changelog_keeps_the_keep_a_changelog_form() -> None:
    """CHANGELOG.md: an Unreleased section first, released versions with dates, and only the
    six kinds of change as sub-headings."""
    lines = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# Changelog"
    versions = [line for line in lines if line.startswith("## ")]
    assert versions[0] == "## [Unreleased]"
    for heading in versions:
        assert CHANGE_HEADING.match(heading), heading
    for line in lines:
        if line.startswith("### "):
            assert line[4:] in SECTIONS, line
