"""Last-mile dispatch policies: who plans each wave's routes. A policy gets the wave's routing problem and
returns a routing result (routes + what it left out), so every plan goes through the same checker.

| name | what |
|---|---|
| nearest_neighbour | greedy construction, each van to the nearest stop it can still serve |
| fixed_zone | a fixed delivery area (angular sector) per van, nearest neighbour inside it |
| ortools | OR-Tools routing (guided local search) under `time_limit_s` |
| pyvrp | PyVRP (hybrid genetic search) under `time_limit_s`, where installed |
| auto | OR-Tools and PyVRP at once, the better plan wins |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from logistics.optimize.problem import RoutingProblem
from logistics.optimize.result import RoutingResult, SolveParams
from logistics.optimize.routing import solve_routing
from logistics.policies.registry import Registry

__all__ = ["DISPATCH", "DispatchPolicy", "SolverDispatch"]


class DispatchPolicy(Protocol):
    """Plans one dispatch wave. `time_limit_s` is the budget it promises to keep (None: not limited)."""

    time_limit_s: float | None

    def plan(self, problem: RoutingProblem) -> RoutingResult:
        """Routes for the wave (stops it cannot place come back unassigned, with the reason)."""
        ...


@dataclass(frozen=True)
class SolverDispatch:
    """A `solve_routing` backend with its limits; `solution_limit` with a fixed `seed` makes OR-Tools
    reproducible (the time limit still caps it)."""

    backend: str
    time_limit_s: float | None = 5.0
    solution_limit: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")

    def plan(self, problem: RoutingProblem) -> RoutingResult:
        """The backend's plan."""
        limit = self.time_limit_s if self.time_limit_s is not None else 3600.0
        params = SolveParams(
            time_limit_s=limit, backend=self.backend, seed=self.seed, solution_limit=self.solution_limit
        )
        return solve_routing(problem, params)


def _pyvrp(time_limit_s: float = 5.0, seed: int = 0) -> SolverDispatch:
    try:
        import pyvrp  # noqa: F401
    except ImportError:
        raise ValueError("PyVRP is not installed (pip install -e '.[pyvrp]')") from None
    return SolverDispatch("pyvrp", time_limit_s, None, seed)


DISPATCH: Registry[DispatchPolicy] = Registry("dispatch")
DISPATCH.register("nearest_neighbour", lambda: SolverDispatch("nearest_neighbour", None))
DISPATCH.register("fixed_zone", lambda: SolverDispatch("fixed_zone", None))
DISPATCH.register(
    "ortools",
    lambda time_limit_s=5.0, solution_limit=None, seed=0: SolverDispatch("ortools", time_limit_s, solution_limit, seed),
)
DISPATCH.register("pyvrp", _pyvrp)
DISPATCH.register("auto", lambda time_limit_s=5.0, seed=0: SolverDispatch("auto", time_limit_s, None, seed))
