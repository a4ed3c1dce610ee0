"""Shared, read-only fixtures of the report tests."""

from __future__ import annotations

import pytest

from ticketsla._demo import DemoResult, run_demo


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """One demo helpdesk (seed 5, 200 tickets), built once for every test that only reads it."""
    return run_demo(tmp_path_factory.mktemp("demo"), seed=5, tickets=200)
