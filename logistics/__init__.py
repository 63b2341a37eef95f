"""logistics: simulate and optimise cross-border e-commerce logistics and warehousing.

The names below load lazily, so `import logistics.optimize` stays free of the scenario and simulation code.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:  # one source of the version: pyproject.toml, as installed
    __version__ = version("logistics")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

_EXPORTS = {
    "LogisticsError": "logistics.core.errors",
    "ScenarioError": "logistics.core.errors",
    "Scenario": "logistics.scenario",
    "load_builtin": "logistics.scenario",
    "load_scenario": "logistics.scenario",
    "simulate": "logistics.sim",
    "RoutingProblem": "logistics.optimize",
    "SolveParams": "logistics.optimize",
    "solve_routing": "logistics.optimize",
    "check_routing": "logistics.optimize",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'logistics' has no attribute {name!r}")
