"""Time-dependent travel: no backend (nor `auto`) returns a plan called feasible that the independent checker,
timing every leg by the hour it starts in, rejects. The rush-hour probe (30 stops, tight windows, flat
factors of 1.5 and 2.0 that the nominal matrix ignores) and random problems with a rush hour."""

from __future__ import annotations

import numpy as np
import pytest

from logistics.optimize import (
    Location,
    RoutingProblem,
    SolveParams,
    Status,
    Stop,
    VehicleType,
    check_routing,
    solve_routing,
)

CALLED_FEASIBLE = (Status.OPTIMAL, Status.FEASIBLE)


def probe(factor: float, stops: int = 30, seed: int = 0) -> RoutingProblem:
    """Stops scattered 1-8 km from the depot, windows 30 min wide placed where a van at free-flow speed can
    just make them; every hour's travel `factor` times the nominal."""
    rng = np.random.default_rng(seed)
    locations = [Location("D", 0.0, 0.0)]
    rows = []
    for k in range(stops):
        angle, radius = rng.uniform(0, 2 * np.pi), rng.uniform(1000, 8000)
        locations.append(Location(f"L{k}", radius * np.cos(angle), radius * np.sin(angle)))
        opens = radius / 10.0 + rng.uniform(0, 3 * 3600)  # 10 m/s nominal
        rows.append(Stop(f"s{k}", f"L{k}", demand=(1.0,), window_s=(opens, opens + 1800.0), service_s=120.0))
    return RoutingProblem(
        tuple(locations),
        ("D",),
        tuple(rows),
        (VehicleType("van", 8, (20.0,), "D"),),
        speed_m_per_s=10.0,
        traffic_by_hour=(factor,) * 24,
    )


def rush_hour(seed: int) -> RoutingProblem:
    """A random problem with a morning rush (travel x1.6-2.2 for two or three hours), windows and a maximum
    route duration."""
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(10, 30))
    locations = [Location("D", 0.0, 0.0)]
    rows = []
    for k in range(n):
        x, y = rng.uniform(-6000, 6000, 2)
        locations.append(Location(f"L{k}", float(x), float(y)))
        opens = float(rng.uniform(0, 4 * 3600))
        width = float(rng.uniform(1800, 3 * 3600))
        rows.append(Stop(f"s{k}", f"L{k}", demand=(1.0,), window_s=(opens, opens + width), service_s=60.0))
    start = int(rng.integers(6, 9))
    length = int(rng.integers(2, 4))
    factors = [1.0] * 24
    for h in range(start, start + length):
        factors[h] = float(rng.uniform(1.6, 2.2))
    return RoutingProblem(
        tuple(locations),
        ("D",),
        tuple(rows),
        (VehicleType("van", int(rng.integers(3, 7)), (12.0,), "D", max_duration_s=float(rng.uniform(4, 8)) * 3600),),
        speed_m_per_s=9.0,
        traffic_by_hour=tuple(factors),
        hour_at_zero=6.0,
    )


@pytest.mark.parametrize("backend", ["pyvrp", "ortools", "auto"])
@pytest.mark.parametrize("factor", [1.5, 2.0])
def test_the_rush_hour_probe_gets_no_plan_called_feasible_that_the_checker_rejects(backend: str, factor: float) -> None:
    problem = probe(factor)
    result = solve_routing(problem, SolveParams(time_limit_s=1.5, backend=backend, seed=1))
    report = check_routing(problem, result)
    if result.status in CALLED_FEASIBLE:
        assert report.ok, report.violations[:3]
    else:  # honest: what it could not keep is said (unassigned with reasons, or the checker's violations)
        assert result.unassigned or result.stats.get("check", {}).get("violations")


@pytest.mark.parametrize("seed", range(5))
def test_random_rush_hour_problems_get_no_plan_called_feasible_that_the_checker_rejects(seed: int) -> None:
    problem = rush_hour(seed)
    for backend in ("pyvrp", "ortools", "auto"):
        result = solve_routing(problem, SolveParams(time_limit_s=0.7, backend=backend, seed=seed))
        if result.status in CALLED_FEASIBLE:
            assert check_routing(problem, result).ok, (backend, check_routing(problem, result).violations[:3])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5, 25))
def test_twenty_more_random_rush_hour_problems(seed: int) -> None:
    test_random_rush_hour_problems_get_no_plan_called_feasible_that_the_checker_rejects(seed)
