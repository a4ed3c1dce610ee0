"""docs/tutorial.md runs verbatim: its shell and Python blocks, in order, in one folder."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from support.docs_runner import ROOT, blocks, prepare, run_python, run_shell

TUTORIAL = ROOT / "docs" / "tutorial.md"


def test_the_tutorial_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```bash and ```python block succeeds in turn; the files it promises are there."""
    env = prepare(tmp_path)
    monkeypatch.chdir(tmp_path)
    module = types.ModuleType("docs_tutorial")
    module.__file__ = str(TUTORIAL)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    ran = []
    for block in blocks(TUTORIAL.read_text(encoding="utf-8")):
        if block.language == "bash":
            run_shell(block, tmp_path, env, "docs/tutorial.md")
        elif block.language == "python" and "notest" not in block.words:
            run_python(block, module, TUTORIAL)
        else:
            continue
        ran.append(block.language)
    assert ran.count("bash") >= 5
    assert ran.count("python") >= 3
    for name in ("gold-sla.html", "report.html", "zendesk-events.jsonl", "email-events.jsonl"):
        assert (tmp_path / name).stat().st_size > 0, name
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["period"]["label"] == "2026-10"


def test_the_shipped_policy_is_the_one_the_tutorial_shows() -> None:
    """examples/gold.toml is the tutorial's ```toml block, so the page and the file agree."""
    [policy] = [b for b in blocks(TUTORIAL.read_text(encoding="utf-8")) if b.language == "toml"]
    assert (ROOT / "examples" / "gold.toml").read_text(encoding="utf-8") == policy.source
