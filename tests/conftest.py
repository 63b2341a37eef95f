"""Shared fixtures: the small built-in scenario and its simulated run (computed once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest

from logistics.scenario import Scenario, load_builtin
from logistics.sim import RunResult, simulate

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def small() -> Scenario:
    """The built-in two-day scenario used by most tests."""
    return load_builtin("bonded_import_small")


@pytest.fixture(scope="session")
def small_run(small: Scenario) -> RunResult:
    """One replication of the small scenario."""
    return simulate(small)
