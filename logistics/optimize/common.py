"""What every optimizer shares: the error for a problem that cannot be solved as given, and how a solve ended."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from logistics.core.errors import LogisticsError

__all__ = ["Check", "InvalidProblemError", "Status", "json_ready"]


class InvalidProblemError(LogisticsError, ValueError):
    """A problem (routing, slotting, dock appointments, line-haul) or a parameter that cannot be used as given;
    `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(field, message)  # the args rebuild it (SimPy re-raises, process pools pickle)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class Status(StrEnum):
    """How a solve ended (every optimizer's result carries one).

    OPTIMAL: proven optimal. FEASIBLE: a plan meeting every hard requirement (the search stopped at its
    limit). INFEASIBLE: some required items (stops, SKUs, trucks, shipments) could not be placed; the result
    lists them with a reason and plans the rest. TIME_LIMIT: no plan was found within the limit. INVALID: the
    problem was rejected (JSON interface only; the Python API raises `InvalidProblemError`)."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    TIME_LIMIT = "time_limit"
    INVALID = "invalid"


@dataclass(frozen=True)
class Check:
    """What an independent checker (`check_routing`, `check_slotting`, `check_docks`, `check_space`) found: every
    violated rule, each naming the item and the amount; `ok` when there is none. Checkers recompute every rule
    from the problem's own data, not from the solver's model."""

    violations: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """No violation."""
        return not self.violations


def json_ready(value: Any) -> Any:
    """Plain JSON values from a dataclass dump (`dataclasses.asdict`): tuples as lists, numpy scalars as
    Python numbers, infinite and NaN floats as null."""
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):  # numpy scalars
        return json_ready(value.item())
    return value
