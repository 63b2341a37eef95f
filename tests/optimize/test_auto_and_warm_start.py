"""`auto` ranks its arms' plans as the problem ranks plans, and a warm start survives a fleet capped to the
number of stops (routes on high vehicle numbers move to free ones instead of being dropped)."""

from __future__ import annotations

from dataclasses import replace

from logistics.optimize import SolveParams, check_routing, solve_routing
from logistics.optimize.routing.solve import initial_routes, ranking
from logistics.testing.problems import grid_problem


def test_auto_ranks_fewer_vehicles_first_when_the_problem_minimises_vehicles() -> None:
    problem = grid_problem(8, vehicles=4, capacity=40.0)
    plan = solve_routing(problem, SolveParams(time_limit_s=0.5, backend="ortools"))
    more = replace(plan, vehicles_used=3, objective=100.0)
    fewer = replace(plan, vehicles_used=2, objective=120.0)
    assert min([more, fewer], key=lambda r: ranking(problem, r)) is more  # distance decides
    vehicles_first = replace(problem, minimise_vehicles=True, distance_m=problem.distances)
    assert min([more, fewer], key=lambda r: ranking(vehicles_first, r)) is fewer
    fewer_left_out = replace(more, unassigned=())
    worse_status = replace(fewer, status=type(plan.status)("infeasible"))
    assert min([worse_status, fewer_left_out], key=lambda r: ranking(vehicles_first, r)) is fewer_left_out


def test_a_warm_start_on_high_vehicle_numbers_survives_the_fleet_capped_to_the_stops() -> None:
    """50 vans for 12 stops: the search runs with 12; a good plan given on vans 40-44 is kept (moved to free
    numbers), so OR-Tools starts from it and returns a plan no worse."""
    problem = grid_problem(12, vehicles=50, capacity=8.0)
    good = solve_routing(problem, SolveParams(time_limit_s=2, backend="ortools"))
    assert check_routing(problem, good).ok
    given = [("van", 40 + k, [v.stop for v in r.visits]) for k, r in enumerate(good.routes)]
    capped = replace(
        problem,
        vehicle_types=(replace(problem.vehicle_types[0], count=12),),
        distance_m=problem.distances,
        duration_s=problem.durations,
    )
    mapped = initial_routes(capped, given)
    assert len(mapped) == len(good.routes) and all(0 <= n < 12 for _, n, _ in mapped)
    assert sorted(i for _, _, seq in mapped for i in seq) == list(range(12))
    warm = solve_routing(problem, SolveParams(time_limit_s=0.3, backend="ortools", solution_limit=1), initial=given)
    assert check_routing(problem, warm).ok
    assert warm.objective <= good.objective + 1e-6, (warm.objective, good.objective)
