"""Last-mile dispatch policies: who plans each wave's routes. A policy gets the wave's routing problem and
returns a routing result (routes + what it left out), so every plan goes through the same checker.

| name | what |
|---|---|
| nearest_neighbour | greedy construction, each van to the nearest stop it can still serve |
| fixed_zone | a fixed delivery area (angular sector) per van, nearest neighbour inside it |
| ortools | OR-Tools routing (guided local search), 100 solutions (`solution_limit`; 1,000 branches each if it stalls) |
| pyvrp | PyVRP (hybrid genetic search), 2,000 iterations (`solution_limit` 20), where installed |
| auto | OR-Tools and PyVRP at once, the better plan wins (`solution_limit` 40) |

Every solver policy replays bit for bit by default: it stops on its work limit with a fixed `seed`, and
`time_limit_s` (default 60 s, a safety net) only caps it; `solution_limit: null` gives the time-limited
search instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from logistics.optimize.routing.problem import RoutingProblem
from logistics.optimize.routing.result import RoutingResult, SolveParams
from logistics.optimize.routing.solve import PlanLike, solve_routing
from logistics.policies.registry import Registry

__all__ = ["DISPATCH", "DISPATCH_DECISIONS", "DispatchDecision", "DispatchPolicy", "SendAll", "SolverDispatch"]


class DispatchPolicy(Protocol):
    """Plans one dispatch wave. `time_limit_s` is the budget it promises to keep (None: not limited)."""

    @property
    def time_limit_s(self) -> float | None:
        """The wave's time budget in seconds (None: not limited)."""
        ...

    def plan(self, problem: RoutingProblem, initial: PlanLike | None = None) -> RoutingResult:
        """Routes for the wave (stops it cannot place come back unassigned, with the reason), from the
        `initial` plan if the policy can start from one (a re-planning wave passes the vans' current routes)."""
        ...


@dataclass(frozen=True)
class SolverDispatch:
    """A `solve_routing` backend with its limits. With `solution_limit` and a fixed `seed` the search stops on
    its own work count (OR-Tools: solutions, or 1,000 search branches per solution when it stalls; PyVRP: 100
    iterations each), so a run replays bit for bit; `time_limit_s` is then only a safety cap (a wave it stops is
    counted in `dispatch.time_cap_hits`).
    `solution_limit: null` asks for the time-limited search: often better plans, never the same twice."""

    backend: str
    time_limit_s: float | None = 5.0
    solution_limit: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        if self.time_limit_s is not None and not self.time_limit_s > 0:
            raise ValueError(f"time_limit_s must be > 0, got {self.time_limit_s}")

    def plan(self, problem: RoutingProblem, initial: PlanLike | None = None) -> RoutingResult:
        """The backend's plan (the construction baselines ignore `initial`)."""
        limit = self.time_limit_s if self.time_limit_s is not None else 3600.0
        params = SolveParams(
            time_limit_s=limit, backend=self.backend, seed=self.seed, solution_limit=self.solution_limit
        )
        return solve_routing(problem, params, initial)


REPRODUCIBLE_SOLUTIONS = {"ortools": 100, "pyvrp": 20, "auto": 40}
"""Default work limits of the reproducible mode (see SolverDispatch)."""


def _solver(backend: str) -> Callable[..., SolverDispatch]:
    def make(
        time_limit_s: float = 60.0, solution_limit: int | None = REPRODUCIBLE_SOLUTIONS[backend], seed: int = 0
    ) -> SolverDispatch:
        return SolverDispatch(backend, time_limit_s, solution_limit, seed)

    return make


DISPATCH: Registry[DispatchPolicy] = Registry("dispatch")
DISPATCH.register("nearest_neighbour", lambda: SolverDispatch("nearest_neighbour", None))
DISPATCH.register("fixed_zone", lambda: SolverDispatch("fixed_zone", None))
for _backend in REPRODUCIBLE_SOLUTIONS:
    DISPATCH.register(_backend, _solver(_backend))


class DispatchDecision(Protocol):
    """Who goes in a wave (before the dispatch policy routes them): given the depot (`logistics.sim.dispatch.Depot`:
    its parcels' due times, vans, clock), the waiting parcels (order indices) and the time (h), the parcels to
    route now; the rest wait for a later wave. A Gymnasium agent is one of these (`logistics.rl.DispatchEnv`)."""

    def choose(self, depot: Any, waiting: list[int], now_h: float) -> list[int]:
        """The parcels to route in this wave (a subset of `waiting`)."""
        ...


@dataclass(frozen=True)
class SendAll:
    """The built-in decision: every waiting parcel goes."""

    def choose(self, depot: Any, waiting: list[int], now_h: float) -> list[int]:
        return list(waiting)


DISPATCH_DECISIONS: Registry[DispatchDecision] = Registry("dispatch decision")
DISPATCH_DECISIONS.register("send_all", SendAll)
