"""The construction baselines (nearest neighbour, fixed zones) as routing backends: valid routes, checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from logistics.optimize import SolveParams, solve_routing
from logistics.optimize.routing.checker import check_routing
from logistics.optimize.routing.instances import read_solomon
from logistics.optimize.routing.problem import Location, RoutingProblem, Stop, VehicleType

SOLOMON = Path(__file__).resolve().parents[2] / "examples" / "data" / "solomon"  # R101, kept in the repository


def _random_problem(seed: int, n: int = 40, vans: int = 4) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    locations = [Location("depot", 0.0, 0.0)] + [
        Location(f"c{i}", float(x), float(y)) for i, (x, y) in enumerate(rng.uniform(-5000, 5000, (n, 2)))
    ]
    stops = []
    for i in range(n):
        a = float(rng.uniform(0, 20000))
        stops.append(Stop(f"s{i}", f"c{i}", (1.0,), 120.0, (a, a + float(rng.uniform(3600, 14400)))))
    fleet = (VehicleType("van", vans, (12.0,), "depot", shift_end_s=36000.0),)
    return RoutingProblem(tuple(locations), ("depot",), tuple(stops), (fleet[0],), speed_m_per_s=8.0)


@pytest.mark.parametrize("backend", ["nearest_neighbour", "fixed_zone"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_greedy_routes_are_valid_and_deterministic(backend: str, seed: int) -> None:
    problem = _random_problem(seed)
    result = solve_routing(problem, SolveParams(backend=backend, time_limit_s=1))
    report = check_routing(problem, result)
    assert report.feasible, report.violations
    served = sum(len(r.visits) for r in result.routes)
    assert served + len(result.unassigned) == len(problem.stops)
    again = solve_routing(problem, SolveParams(backend=backend, time_limit_s=1))
    assert [r.stops for r in again.routes] == [r.stops for r in result.routes]


def test_optimizer_beats_greedy_on_a_solomon_instance() -> None:
    problem = read_solomon(SOLOMON / "R101.txt")
    greedy = solve_routing(problem, SolveParams(backend="nearest_neighbour"))
    assert check_routing(problem, greedy).ok
    best = solve_routing(problem, SolveParams(backend="ortools", time_limit_s=2, solution_limit=200))
    assert best.distance_m < greedy.distance_m
