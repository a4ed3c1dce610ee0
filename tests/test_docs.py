"""The Python examples in docs/**/*.md and the README run: every ```python block, in order, one namespace per file.

A block opened with ```python notest is shown but not run (for fragments that need a server or a
network, say). Anything else in a fence (toml, bash, text) is not Python and is not run.
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^\n`]*)$")


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The runnable ```python blocks of a Markdown text as (first line number, source)."""
    blocks: list[tuple[int, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        words = opening["info"].split()
        body: list[str] = []
        start = i + 2
        i += 1
        while i < len(lines):
            closing = FENCE.match(lines[i])
            if closing and closing["fence"].startswith(fence) and not closing["info"].strip():
                break
            body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i])
            i += 1
        i += 1
        if words[:1] == ["python"] and "notest" not in words[1:]:
            blocks.append((start, "\n".join(body) + "\n"))
    return blocks


def test_python_blocks_are_found_and_notest_ones_skipped() -> None:
    """The block finder keeps ```python blocks in order and skips notest and other languages."""
    text = (
        "intro\n```python\nx = 1\n```\n```toml\na = 1\n```\n"
        "```python notest\nraise SystemExit\n```\n````python\ny = '```'\n````\n"
    )
    assert python_blocks(text) == [(3, "x = 1\n"), (12, "y = '```'\n")]


# The tutorial is run by test_tutorial.py, shell blocks and all, in a folder of its own.
DOC_FILES = [
    *sorted(p for p in DOCS.glob("**/*.md") if p.name != "tutorial.md"),
    DOCS.parent / "README.md",
]


@pytest.mark.parametrize(
    "path", DOC_FILES, ids=[str(p.relative_to(DOCS.parent)) for p in DOC_FILES]
)
def test_doc_examples_run(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each Markdown page's Python examples run top to bottom without an error."""
    # One real module per page, so dataclasses, pickling and type hints in examples work.
    module = types.ModuleType(f"docs_{path.stem.replace('-', '_')}")
    module.__file__ = str(path)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for line, source in python_blocks(path.read_text(encoding="utf-8")):
        # Leading blank lines make a traceback point at the line in the Markdown file.
        code = compile("\n" * (line - 1) + source, str(path), "exec")
        exec(code, module.__dict__)
