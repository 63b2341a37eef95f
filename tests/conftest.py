"""Shared fixtures: the small built-in scenario and its simulated run (computed once per session)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from logistics.scenario import Scenario, load_builtin
from logistics.sim import RunResult, simulate

# CI explores the same examples every run (a failure there is then reproducible); locally they vary.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def small() -> Scenario:
    """The built-in two-day scenario used by most tests."""
    return load_builtin("bonded_import_small")


@pytest.fixture(scope="session")
def small_run(small: Scenario) -> RunResult:
    """One replication of the small scenario."""
    return simulate(small)
