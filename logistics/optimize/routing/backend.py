"""What a routing backend is: the call shape every backend (OR-Tools, PyVRP, the construction baselines)
implements, and the plan it hands back as stop sequences."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from logistics.optimize.routing.problem import RoutingProblem
from logistics.optimize.routing.result import SolveParams

__all__ = ["BackendSolution", "Initial", "RoutingBackend"]


@dataclass(frozen=True)
class BackendSolution:
    """What a backend returns: per used vehicle (type index, vehicle number, stop indices), the stops it
    left out, whether it found any solution and whether it proved optimality."""

    routes: list[tuple[int, int, list[int]]]
    dropped: list[int]
    found: bool
    optimal: bool
    stats: dict[str, Any]
    breaks: dict[int, tuple[float, tuple[tuple[float, float], ...]]] = field(default_factory=dict)
    """Per route (position in `routes`) whose driver takes breaks: its start time and the breaks' (start, end)."""


Initial = list[tuple[int, int, list[int]]] | None
"""A plan to start the search from: (vehicle type index, vehicle number, stop positions and reload markers)."""


class RoutingBackend(Protocol):
    """Solves a problem restricted to the stops in `candidates` (positions in `problem.stops`), from the
    `initial` plan when one is given (a backend that cannot start from a plan ignores it)."""

    def __call__(
        self, problem: RoutingProblem, candidates: list[int], params: SolveParams, initial: Initial = None
    ) -> BackendSolution: ...
