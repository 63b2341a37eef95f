"""PyVRP on both cores for large problems (`routing/decompose.py`): the halves partition the plan's stops and
share the fleet without exceeding it, and the joined plan is checked and never worse than the better of the
two first searches."""

from __future__ import annotations

import math
import time
from collections import Counter

import numpy as np

from logistics.optimize import Location, RoutingProblem, SolveParams, Stop, VehicleType, check_routing
from logistics.optimize.routing.decompose import solve_on_two_cores, split_plan
from logistics.optimize.routing.solve import solve_routing


def _city(n: int, vans: int, seed: int) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    xy = rng.normal(0, 6_000, (n, 2))
    locations = (Location("depot", 0.0, 0.0), *(Location(f"L{i}", float(x), float(y)) for i, (x, y) in enumerate(xy)))
    starts = 8 * 3600.0 + 3600.0 * rng.integers(0, 8, n)
    stops = tuple(
        Stop(f"s{i}", f"L{i}", demand=(1.0,), service_s=120.0, window_s=(float(starts[i]), float(starts[i]) + 4 * 3600))
        for i in range(n)
    )
    fleet = (VehicleType("van", vans, (25.0,), "depot", shift_start_s=8 * 3600.0, shift_end_s=21 * 3600.0),)
    return RoutingProblem(locations, ("depot",), stops, fleet, speed_m_per_s=8.0)


def test_the_halves_partition_the_stops_and_share_the_fleet() -> None:
    problem = _city(80, 12, 3)
    plan = solve_routing(problem, SolveParams(backend="pyvrp", time_limit_s=3, seed=1))
    halves = split_plan(problem, plan)
    assert halves is not None
    (a, start_a), (b, start_b) = halves
    ids_a, ids_b = {s.id for s in a.stops}, {s.id for s in b.stops}
    assert not ids_a & ids_b and ids_a | ids_b == {s.id for s in problem.stops}
    assert {x for _, _, seq in start_a for x in seq} == ids_a and {x for _, _, seq in start_b for x in seq} == ids_b
    used = Counter(r.vehicle_type for r in plan.routes)
    for t, ta, tb in zip(problem.vehicle_types, a.vehicle_types, b.vehicle_types, strict=True):
        assert ta.count + tb.count == t.count  # the unused vehicles shared out, none made up
        assert ta.count >= sum(1 for v, _, _ in start_a if v == t.id)
    assert len(start_a) + len(start_b) == sum(used.values())


def test_two_cores_return_a_checked_plan_no_worse_than_its_first_searches() -> None:
    problem = _city(120, 16, 5)
    started = time.perf_counter()
    result = solve_on_two_cores(problem, SolveParams(backend="pyvrp", time_limit_s=6, seed=1), started)
    assert time.perf_counter() - started < 6 * 1.05 + 1.0
    assert check_routing(problem, result).ok and not result.unassigned
    notes = result.stats["two_cores"]
    assert result.objective <= min(notes["first"]) + 1e-6
    assert math.isfinite(result.objective)


def test_without_coordinates_the_second_stage_searches_the_whole_problem_again() -> None:
    base = _city(40, 8, 7)
    bare = RoutingProblem(
        tuple(Location(loc.id) for loc in base.locations),
        base.depots,
        base.stops,
        base.vehicle_types,
        distance_m=base.distances,
        duration_s=base.durations,
    )
    assert split_plan(bare, solve_routing(bare, SolveParams(backend="pyvrp", time_limit_s=2, seed=1))) is None
    result = solve_on_two_cores(bare, SolveParams(backend="pyvrp", time_limit_s=4, seed=1), time.perf_counter())
    assert check_routing(bare, result).ok and "whole problem again" in result.stats["two_cores"]["second"]
