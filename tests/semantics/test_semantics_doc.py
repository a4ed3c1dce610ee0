"""docs/semantics.md: each section's vendor rows cite pages that the section's tests cite too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = (ROOT / "docs" / "semantics.md").read_text(encoding="utf-8")


def test_every_section_is_backed_by_tests_citing_its_links() -> None:
    references = dict(re.findall(r"^\[([^\]]+)\]: (\S+)$", DOC, flags=re.MULTILINE))
    sections = re.split(r"^## ", DOC, flags=re.MULTILINE)[1:]
    checked = 0
    for section in sections:
        tests = re.findall(r"`(tests/semantics/[\w/]+\.py)`", section)
        rows = [
            line for line in section.splitlines() if line.startswith("| ") and "---" not in line
        ]
        cited = {
            references[name]
            for row in rows
            for name in re.findall(r"\]\[?([^\]]*)\]", row)
            if name in references
        }
        cited |= {
            references[name]
            for row in rows
            for name in re.findall(r"\[([^\]]+)\]\)", row)
            if name in references
        }
        if not cited:
            continue
        assert tests, section.splitlines()[0]
        text = "".join((ROOT / t).read_text(encoding="utf-8") for t in tests)
        missing = sorted(link for link in cited if link not in text)
        assert not missing, (section.splitlines()[0], missing)
        checked += 1
    assert checked >= 4
