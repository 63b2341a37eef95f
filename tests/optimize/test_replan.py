"""Warm starts and re-planning with vans on the road: through `solve_routing(..., initial=)` and
`replan_problem`, every plan checked by the independent checker."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logistics.optimize import (
    InvalidProblemError,
    Location,
    RoutingProblem,
    SolveParams,
    Stop,
    VanOnRoad,
    VehicleType,
    check_routing,
    replan_problem,
    solve_routing,
)
from logistics.optimize.routing.plans import evaluate_plan


def _city(n: int = 30, seed: int = 3, vans: int = 4) -> RoutingProblem:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (n, 2))
    locations = (Location("D", 5000.0, 5000.0), *(Location(f"L{i}", float(x), float(y)) for i, (x, y) in enumerate(xy)))
    stops = tuple(Stop(f"s{i}", f"L{i}", demand=(1.0,), service_s=120.0, window_s=(0.0, 8 * 3600.0)) for i in range(n))
    fleet = (VehicleType("van", vans, (12.0,), "D", shift_end_s=9 * 3600.0),)
    return RoutingProblem(locations, ("D",), stops, fleet, speed_m_per_s=8.0)


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_a_warm_start_begins_from_the_given_plan_and_never_ends_worse(backend: str) -> None:
    problem = _city()
    first = solve_routing(problem, SolveParams(time_limit_s=3, backend=backend, solution_limit=20))
    # a deliberately poor plan: the first plan's routes with each route's order reversed
    poor = evaluate_plan(problem, [(r.vehicle_type, r.vehicle, list(reversed(r.stops))) for r in first.routes])
    again = solve_routing(problem, SolveParams(time_limit_s=3, backend=backend, solution_limit=5), initial=poor)
    assert again.stats["warm_start"] == "used" and check_routing(problem, again).ok
    if check_routing(problem, poor).ok:
        assert again.objective <= poor.objective + 1e-6


def test_a_plan_of_an_earlier_wave_warm_starts_the_next_without_its_served_stops() -> None:
    problem = _city()
    first = solve_routing(problem, SolveParams(time_limit_s=3, backend="ortools", solution_limit=20))
    served = {r.stops[0] for r in first.routes}
    later = RoutingProblem(
        problem.locations,
        ("D",),
        (*tuple(s for s in problem.stops if s.id not in served), Stop("new", "L0", demand=(1.0,))),
        problem.vehicle_types,
        speed_m_per_s=8.0,
    )
    result = solve_routing(later, SolveParams(time_limit_s=3, backend="ortools", solution_limit=50), initial=first)
    assert result.stats["warm_start"] == "used" and check_routing(later, result).ok


def _on_the_road(problem: RoutingProblem, plan, route_no: int = 0, pin: bool = True):  # type: ignore[no-untyped-def]
    route = plan.routes[route_no]
    done = route.visits[1]  # it has served two stops
    at = problem.locations[problem.location_index(problem.stops[int(done.stop[1:])].location)]
    van = VanOnRoad(
        route.vehicle_type,
        route.vehicle,
        Location("here", at.x, at.y),
        done.departure_s,
        carrying=route.stops[2:],
        next_stop=route.stops[2] if pin and len(route.stops) > 2 else None,
    )
    served = set(route.stops[:2])
    rest = RoutingProblem(
        problem.locations,
        ("D",),
        (*tuple(s for s in problem.stops if s.id not in served), Stop("fresh", "L1", demand=(1.0,))),
        problem.vehicle_types,
        speed_m_per_s=problem.speed_m_per_s,
    )
    return van, rest


@pytest.mark.parametrize("backend", ["ortools", "pyvrp"])
def test_vans_on_the_road_keep_their_parcels_start_where_they_are_and_the_pinned_stop_is_committed(
    backend: str,
) -> None:
    problem = _city()
    plan = solve_routing(problem, SolveParams(time_limit_s=3, backend="ortools", solution_limit=20))
    van, rest = _on_the_road(problem, plan)
    replan = replan_problem(rest, [van])
    assert replan.committed == (van.next_stop,)
    result = solve_routing(
        replan.problem, SolveParams(time_limit_s=3, backend=backend, solution_limit=20), initial=replan.initial(plan)
    )
    assert check_routing(replan.problem, result).ok
    served_by = {stop: r.vehicle_type for r in result.routes for stop in r.stops}
    for stop in van.carrying[1:]:  # only the van carrying them delivers them
        assert served_by[stop] == van.key
    assert served_by["fresh"] == "van"  # a new parcel is still at the depot: a van from the depot takes it
    own = next(r for r in result.routes if r.vehicle_type == van.key)
    assert own.start_s >= van.time_s  # it leaves its pinned stop after reaching and serving it


def test_bad_vans_are_named() -> None:
    problem = _city(n=5)
    here = Location("here", 0.0, 0.0)
    for van, field in [
        (VanOnRoad("truck", 0, here, 0.0), "vans[0].vehicle_type"),
        (VanOnRoad("van", 9, here, 0.0), "vans[0].vehicle"),
        (VanOnRoad("van", 0, here, 0.0, carrying=("nope",)), "vans[0].carrying[0]"),
        (VanOnRoad("van", 0, here, 0.0, next_stop="nope"), "vans[0].next_stop"),
        (VanOnRoad("van", 0, here, 0.0, picked_up=(50.0,)), "vans[0].picked_up"),
    ]:
        with pytest.raises(InvalidProblemError) as info:
            replan_problem(problem, [van])
        assert info.value.field == field


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), route_no=st.integers(0, 3), pin=st.booleans())
def test_any_replan_of_a_plan_in_progress_is_checked_and_keeps_each_vans_parcels(
    seed: int, route_no: int, pin: bool
) -> None:
    problem = _city(n=20, seed=seed)
    plan = solve_routing(problem, SolveParams(time_limit_s=3, backend="ortools", solution_limit=5))
    long_routes = [n for n, r in enumerate(plan.routes) if len(r.stops) >= 3]
    if not long_routes:
        return
    van, rest = _on_the_road(problem, plan, long_routes[route_no % len(long_routes)], pin)
    replan = replan_problem(rest, [van])
    result = solve_routing(
        replan.problem, SolveParams(time_limit_s=3, backend="ortools", solution_limit=5), initial=replan.initial(plan)
    )
    assert check_routing(replan.problem, result).feasible
    for r in result.routes:
        for stop in r.stops:
            if stop in van.carrying:
                assert r.vehicle_type == van.key
