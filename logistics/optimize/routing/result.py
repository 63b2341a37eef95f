"""Solver parameters and results (frozen)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from logistics.optimize.common import Status

__all__ = ["Route", "RoutingResult", "SolveParams", "Status", "Unassigned", "Visit"]


@dataclass(frozen=True)
class SolveParams:
    """How to solve. `solution_limit` (with a fixed `seed`) gives a reproducible run: the search stops on its
    own work count instead of at a wall-clock limit (the time limit still caps it). OR-Tools: that many
    solutions, or `BRANCHES_PER_SOLUTION` search branches per solution allowed when the search stalls (a 1-stop
    wave with six vans finds no second solution and would otherwise sit out the time limit); PyVRP: 100
    iterations per solution allowed.
    `workers` > 1 (OR-Tools) searches from that many first solutions at once, one process each, and keeps
    the best: the same wall time, one core per worker."""

    time_limit_s: float = 10.0
    backend: str = "auto"  # OR-Tools and PyVRP at once, the better wins: never "infeasible" where one solves it
    seed: int = 0
    solution_limit: int | None = None
    first_solution: str = "auto"
    log: bool = False
    workers: int = 1  # OR-Tools: >1 runs a portfolio of first-solution strategies in parallel processes

    def __post_init__(self) -> None:
        from logistics.optimize.routing.problem import InvalidProblemError

        if not self.time_limit_s > 0 or not math.isfinite(self.time_limit_s) or self.time_limit_s > 7 * 86400:
            raise InvalidProblemError("params.time_limit_s", f"must be > 0 and at most a week, got {self.time_limit_s}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or not 0 <= self.seed < 2**31:
            raise InvalidProblemError("params.seed", f"must be a whole number in [0, 2**31), got {self.seed!r}")
        if self.workers < 1:
            raise InvalidProblemError("params.workers", f"must be >= 1, got {self.workers}")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise InvalidProblemError("params.solution_limit", f"must be >= 1, got {self.solution_limit}")
        from logistics.optimize.routing.solve import BACKENDS  # (registered backends, plug-ins included)

        if not isinstance(self.backend, str) or (self.backend != "auto" and self.backend not in BACKENDS):
            raise InvalidProblemError(
                "params.backend", f"unknown backend {self.backend!r} (known: auto, {', '.join(BACKENDS)})"
            )
        if not isinstance(self.first_solution, str):
            raise InvalidProblemError("params.first_solution", f"must be a strategy name, got {self.first_solution!r}")
        if self.first_solution.lower() != "auto":
            from ortools.constraint_solver import routing_enums_pb2

            known = routing_enums_pb2.FirstSolutionStrategy.Value.keys()
            if self.first_solution.upper() not in known:
                raise InvalidProblemError(
                    "params.first_solution",
                    f"unknown OR-Tools first-solution strategy {self.first_solution!r} (e.g. auto, PATH_CHEAPEST_ARC, "
                    "PARALLEL_CHEAPEST_INSERTION, SAVINGS)",
                )


@dataclass(frozen=True)
class Visit:
    """A stop on a route: when the vehicle arrives, starts service and leaves; demand delivered so far
    (`load`) and what is on board when it leaves (`on_board`: loaded at the depot and not yet delivered,
    plus what was picked up and not yet delivered). A `reload` visit is a return to the depot `stop` between
    two trips (what was picked up is unloaded, the next trip's deliveries are loaded)."""

    stop: str
    arrival_s: float
    start_s: float
    departure_s: float
    load: tuple[float, ...]
    on_board: tuple[float, ...] = ()
    reload: bool = False


@dataclass(frozen=True)
class Route:
    """One vehicle's trip from its start depot through `visits` to its end depot (departing as late as its
    windows allow, so that `duration_s` is the shortest possible)."""

    vehicle_type: str
    vehicle: int
    visits: tuple[Visit, ...]
    start_s: float
    end_s: float
    distance_m: float
    duration_s: float
    load: tuple[float, ...]
    cost: float
    breaks: tuple[tuple[float, float], ...] = ()  # (start_s, end_s) of each driver's break

    @property
    def stops(self) -> tuple[str, ...]:
        """Stop ids in visiting order (reloads at a depot left out)."""
        return tuple(v.stop for v in self.visits if not v.reload)

    @property
    def trips(self) -> int:
        """Trips from a depot: 1 plus the reloads."""
        return 1 + sum(v.reload for v in self.visits)


@dataclass(frozen=True)
class Unassigned:
    """A stop left out, and why."""

    stop: str
    reason: str


@dataclass(frozen=True)
class RoutingResult:
    """A solution: routes, unassigned stops, totals (recomputed in double precision) and solver facts."""

    status: Status
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: float
    distance_m: float
    cost: float
    vehicles_used: int
    runtime_s: float
    backend: str
    stats: dict[str, Any] = field(default_factory=dict)
    message: str = ""
