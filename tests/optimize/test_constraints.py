"""The constraints dispatchers ask for: pickups (returns to the depot), pickup-and-delivery pairs, skills,
maximum route distance, priorities (optional stops with a penalty). For each: random valid problems are solved
by both backends and pass the independent checker, the checker catches a plan that breaks exactly that
constraint, and bad input is named."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from logistics.cli import app
from logistics.optimize import (
    Break,
    InvalidProblemError,
    Location,
    Pair,
    RoutingProblem,
    SolveParams,
    Status,
    Stop,
    VehicleType,
    check_routing,
    solve_routing,
)
from logistics.optimize.routing.jsonio import problem_from_json, problem_to_json, result_to_json
from logistics.optimize.routing.plans import evaluate_plan, plan_from_json

BACKENDS = ["ortools", "pyvrp"]


@st.composite
def problems_with_constraints(draw):  # type: ignore[no-untyped-def]
    """Deliveries, returns, pairs (with windows), skills, route length limits, speeds per vehicle type,
    several trips with reloads, loading time, drivers' breaks, an hourly traffic profile and optional stops."""
    coord = st.floats(-5000, 5000, allow_nan=False)
    locations = [Location("D", 0.0, 0.0)]
    stops: list[Stop] = []
    pairs: list[Pair] = []
    skills = ("cold", "sealed")

    def stop_skills() -> tuple[str, ...]:
        return tuple(x for x in skills if draw(st.integers(0, 3)) == 0)

    for i in range(draw(st.integers(0, 6))):  # deliveries from the depot, and returns to it
        locations.append(Location(f"L{i}", draw(coord), draw(coord)))
        kind = draw(st.sampled_from(["delivery", "return", "both"]))
        required = draw(st.booleans())
        stops.append(
            Stop(
                f"s{i}",
                f"L{i}",
                demand=(float(draw(st.integers(0, 6))),) if kind != "return" else (),
                pickup=(float(draw(st.integers(0, 6))),) if kind != "delivery" else (),
                service_s=draw(st.floats(0, 300)),
                required=required,
                penalty=draw(st.floats(0, 30_000)),
                skills=stop_skills(),
            )
        )
    for j in range(draw(st.integers(0, 4))):  # pickup-and-delivery pairs
        amount = float(draw(st.integers(0, 6)))
        required = draw(st.booleans())
        for role in ("p", "d"):
            locations.append(Location(f"{role}{j}", draw(coord), draw(coord)))
        a = draw(st.floats(0, 10_000))
        stops.append(
            Stop(f"p{j}", f"p{j}", pickup=(amount,), window_s=(a, a + draw(st.floats(500, 20_000))), required=required)
        )
        stops.append(Stop(f"d{j}", f"d{j}", demand=(amount,), required=required, penalty=draw(st.floats(0, 30_000))))
        pairs.append(Pair(f"p{j}", f"d{j}"))
    if not stops:
        locations.append(Location("L", 100.0, 0.0))
        stops.append(Stop("only", "L", demand=(1.0,)))
    fleet = [
        VehicleType(
            f"t{k}",
            draw(st.integers(1, 3)),
            (float(draw(st.integers(4, 14))),),
            "D",
            max_distance_m=draw(st.sampled_from([math.inf, 15_000.0, 30_000.0])),
            skills=tuple(x for x in skills if draw(st.booleans())),
            speed_m_per_s=draw(st.sampled_from([None, 4.0, 15.0])),
        )
        for k in range(draw(st.integers(1, 2)))
    ]
    return RoutingProblem(tuple(locations), ("D",), tuple(stops), tuple(fleet), speed_m_per_s=10.0, pairs=tuple(pairs))


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems_with_constraints())
def test_random_problems_with_every_constraint_solve_to_checked_plans(backend: str, problem: RoutingProblem) -> None:
    if backend == "ortools" and problem.has_reloads:  # not expressible in OR-Tools: refused by name
        with pytest.raises(InvalidProblemError, match="ortools backend cannot plan several trips"):
            solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
        return
    if backend == "pyvrp" and problem.has_breaks:  # nor breaks in PyVRP
        with pytest.raises(InvalidProblemError, match="pyvrp backend cannot plan drivers' breaks"):
            solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
        return
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
    report = check_routing(problem, result)
    assert report.feasible, report.violations
    assert (result.status == Status.INFEASIBLE) == (not report.complete)
    assert len(result.unassigned) + sum(len(r.visits) for r in result.routes) == len(problem.stops)
    for route in result.routes:  # what the result says is on board never exceeds the capacity
        capacity = next(t.capacity for t in problem.vehicle_types if t.id == route.vehicle_type)
        assert all(v.on_board[0] <= capacity[0] + 1e-9 for v in route.visits)


def _line(n: int) -> list[Location]:
    return [Location("D", 0.0, 0.0)] + [Location(f"L{i}", 1000.0 * (i + 1), 0.0) for i in range(n)]


def _violations(problem: RoutingProblem, *routes: tuple[str, int, list[str]], unassigned: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    return check_routing(problem, evaluate_plan(problem, routes, unassigned)).violations


def test_checker_catches_a_pair_delivered_before_its_pickup_and_one_split_over_two_vans() -> None:
    problem = RoutingProblem(
        tuple(_line(2)),
        ("D",),
        (Stop("p", "L0", pickup=(3.0,)), Stop("d", "L1", demand=(3.0,))),
        (VehicleType("van", 2, (5.0,), "D"),),
        pairs=(Pair("p", "d"),),
    )
    assert _violations(problem, ("van", 0, ["p", "d"])) == ()
    assert _violations(problem, ("van", 0, ["d", "p"])) == (
        "route 0 (van #0): delivers d before picking up its pair p",
    )
    split = _violations(problem, ("van", 0, ["p"]), ("van", 1, ["d"]))
    assert len(split) == 2 and all("a pair is served by one vehicle" in v for v in split)


def test_checker_catches_a_load_over_capacity_picked_up_on_the_way() -> None:
    problem = RoutingProblem(
        tuple(_line(2)),
        ("D",),
        (Stop("a", "L0", demand=(4.0,)), Stop("b", "L1", demand=(2.0,), pickup=(7.0,))),
        (VehicleType("van", 1, (8.0,), "D"),),
    )
    assert _violations(problem, ("van", 0, ["b", "a"])) == (
        "route 0 (van #0): leaves stop b with 11.0 load, over the capacity 8.0",
    )
    assert _violations(problem, ("van", 0, ["a", "b"])) == ()
    result = solve_routing(problem, SolveParams(time_limit_s=5, solution_limit=5, backend="ortools"))
    assert result.status == Status.FEASIBLE and result.routes[0].stops == ("a", "b")


def test_checker_catches_a_stop_served_by_a_van_without_its_skill() -> None:
    problem = RoutingProblem(
        tuple(_line(1)),
        ("D",),
        (Stop("frozen", "L0", demand=(1.0,), skills=("cold",)),),
        (VehicleType("van", 1, (5.0,), "D"), VehicleType("reefer", 1, (5.0,), "D", skills=("cold",))),
    )
    assert _violations(problem, ("reefer", 0, ["frozen"])) == ()
    assert _violations(problem, ("van", 0, ["frozen"])) == (
        "route 0 (van #0): stop frozen needs the skill cold, which van lacks",
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_skilled_stops_go_to_the_skilled_van_even_when_it_is_the_costlier_choice(backend: str) -> None:
    # the reefer starts at a far depot: plain distance would send the near van everywhere
    locations = (
        Location("near", 0.0, 0.0),
        Location("far", 20000.0, 0.0),
        *tuple(Location(f"L{i}", 500.0 * i, 300.0) for i in range(6)),
    )
    stops = tuple(Stop(f"s{i}", f"L{i}", demand=(1.0,), skills=("cold",) if i % 2 else ()) for i in range(6))
    fleet = (VehicleType("van", 1, (10.0,), "near"), VehicleType("reefer", 1, (10.0,), "far", skills=("cold",)))
    problem = RoutingProblem(locations, ("near", "far"), stops, fleet)
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
    assert check_routing(problem, result).ok
    served_by = {stop: r.vehicle_type for r in result.routes for stop in r.stops}
    assert {s for s, t in served_by.items() if t == "reefer"} >= {"s1", "s3", "s5"}


def test_checker_catches_a_route_over_its_maximum_distance() -> None:
    problem = RoutingProblem(
        tuple(_line(3)),
        ("D",),
        tuple(Stop(f"s{i}", f"L{i}", demand=(1.0,)) for i in range(3)),
        (VehicleType("van", 2, (5.0,), "D", max_distance_m=6500.0),),
    )
    assert _violations(problem, ("van", 0, ["s0", "s1"]), ("van", 1, ["s2"])) == ()  # 4 km and 6 km
    assert _violations(problem, ("van", 0, ["s2", "s0", "s1"])) == (  # 3 + 2 + 1 + 2 km
        "route 0 (van #0): drives 8000.000 m, over the maximum 6500.0",
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_maximum_distance_splits_the_stops_over_more_vans(backend: str) -> None:
    # 8 stops on a 1 km circle: one tour is about 8.1 km; at most 4 km a route needs 3 vans or more
    circle = [Location(f"L{i}", 1000 * math.cos(i * math.pi / 4), 1000 * math.sin(i * math.pi / 4)) for i in range(8)]
    problem = RoutingProblem(
        (Location("D", 0.0, 0.0), *circle),
        ("D",),
        tuple(Stop(f"s{i}", f"L{i}", demand=(1.0,)) for i in range(8)),
        (VehicleType("van", 8, (10.0,), "D", max_distance_m=4000.0),),
    )
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
    assert check_routing(problem, result).ok and result.status == Status.FEASIBLE
    assert all(r.distance_m <= 4000.0 + 1e-6 for r in result.routes) and result.vehicles_used >= 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_when_not_everything_fits_the_higher_priority_stops_are_served(backend: str) -> None:
    # room for 3 of 6 parcels: the three with the highest penalty are the ones kept
    stops = tuple(Stop(f"s{i}", f"L{i}", demand=(1.0,), required=False, penalty=100_000.0 * (i + 1)) for i in range(6))
    problem = RoutingProblem(tuple(_line(6)), ("D",), stops, (VehicleType("van", 1, (3.0,), "D"),))
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=100))
    report = check_routing(problem, result)
    assert report.ok
    assert set(result.routes[0].stops) == {"s3", "s4", "s5"}
    assert result.objective == pytest.approx(result.distance_m + 100_000.0 * (1 + 2 + 3))


def test_checker_catches_a_required_stop_left_out_and_a_missing_penalty() -> None:
    stops = (Stop("a", "L0", demand=(1.0,)), Stop("b", "L1", demand=(1.0,), required=False, penalty=50.0))
    problem = RoutingProblem(tuple(_line(2)), ("D",), stops, (VehicleType("van", 1, (5.0,), "D", cost_per_km=1.0),))
    left_out = check_routing(problem, evaluate_plan(problem, [("van", 0, ["b"])], ["a"]))
    assert left_out.feasible and not left_out.complete
    from dataclasses import replace

    plan = evaluate_plan(problem, [("van", 0, ["a"])], ["b"])
    assert check_routing(problem, plan).ok and plan.cost == pytest.approx(2.0 + 50.0)
    assert "reported cost 2.0 but it is 52.0" in check_routing(problem, replace(plan, cost=2.0)).violations


@pytest.mark.parametrize("backend", BACKENDS)
def test_returns_ride_back_to_the_depot_and_pairs_keep_their_order(backend: str) -> None:
    locations = tuple(Location(f"L{i}", 1000.0 * math.cos(i), 1000.0 * math.sin(i)) for i in range(6))
    stops = (
        Stop("ret1", "L1", pickup=(4.0,)),
        Stop("ret2", "L2", pickup=(4.0,)),
        Stop("shop", "L3", pickup=(6.0,), window_s=(0.0, 5000.0)),
        Stop("home", "L4", demand=(6.0,)),
        Stop("parcel", "L5", demand=(5.0,)),
    )
    problem = RoutingProblem(
        (Location("D", 0.0, 0.0), *locations),
        ("D",),
        stops,
        (VehicleType("van", 2, (10.0,), "D"),),
        pairs=(Pair("shop", "home"),),
    )
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
    assert check_routing(problem, result).ok and result.status == Status.FEASIBLE
    for route in result.routes:
        if "shop" in route.stops:
            assert route.stops.index("shop") < route.stops.index("home")
        assert route.visits[-1].on_board[0] == pytest.approx(4.0 * sum(s.startswith("ret") for s in route.stops))


def test_a_pair_no_vehicle_can_serve_is_left_out_whole_with_the_reason() -> None:
    stops = (Stop("p", "L0", pickup=(9.0,)), Stop("d", "L1", demand=(9.0,)), Stop("x", "L2", demand=(1.0,)))
    problem = RoutingProblem(
        tuple(_line(3)), ("D",), stops, (VehicleType("van", 1, (5.0,), "D"),), pairs=(Pair("p", "d"),)
    )
    result = solve_routing(problem, SolveParams(time_limit_s=5, solution_limit=5, backend="ortools"))
    assert result.status == Status.INFEASIBLE and check_routing(problem, result).feasible
    reasons = {u.stop: u.reason for u in result.unassigned}
    assert set(reasons) == {"p", "d"} and "its pair p -> d" in reasons["d"] and "load over capacity" in reasons["d"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (dict(pairs=(Pair("p", "nowhere"),)), "pairs[0].delivery", "unknown stop"),
        (dict(pairs=(Pair("p", "d"), Pair("p", "x"))), "pairs[1].pickup", "already in another pair"),
        (dict(pairs=(Pair("p", "p"),)), "pairs[0].delivery", "the same stop"),
        (dict(pairs=(Pair("d", "p"),)), "pairs[0].pickup", "no demand of its own"),
        (dict(pairs=(Pair("p", "x"),)), "pairs[0].delivery", "must deliver what"),
    ],
)
def test_bad_pairs_are_named(change: dict, field: str, words: str) -> None:
    stops = (Stop("p", "L0", pickup=(3.0,)), Stop("d", "L1", demand=(3.0,)), Stop("x", "L2", demand=(1.0,)))
    with pytest.raises(InvalidProblemError) as info:
        RoutingProblem(tuple(_line(3)), ("D",), stops, (VehicleType("van", 1, (5.0,), "D"),), **change)
    assert info.value.field == field and words in info.value.message


@pytest.mark.parametrize(
    ("stop", "vehicle", "field"),
    [
        (dict(pickup=(-1.0,)), {}, "stops[0].pickup[0]"),
        (dict(pickup=(1.0, 2.0)), {}, "stops[0].pickup"),
        (dict(skills="cold"), {}, "stops[0].skills"),
        ({}, dict(max_distance_m=0.0), "vehicle_types[0].max_distance_m"),
        ({}, dict(skills=("",)), "vehicle_types[0].skills"),
    ],
)
def test_bad_pickups_skills_and_distances_are_named(stop: dict, vehicle: dict, field: str) -> None:
    with pytest.raises(InvalidProblemError) as info:
        RoutingProblem(
            tuple(_line(1)), ("D",), (Stop("a", "L0", **stop),), (VehicleType("van", 1, (5.0,), "D", **vehicle),)
        )
    assert info.value.field == field


def test_the_new_constraints_round_trip_through_json_and_the_schema() -> None:
    problem = RoutingProblem(
        tuple(_line(3)),
        ("D",),
        (
            Stop("p", "L0", pickup=(3.0,), skills=("cold",)),
            Stop("d", "L1", demand=(3.0,)),
            Stop("r", "L2", pickup=(1.0,)),
        ),
        (
            VehicleType(
                "van",
                2,
                (5.0,),
                "D",
                max_distance_m=9000.0,
                skills=("cold",),
                speed_m_per_s=7.0,
                reload_depots=("D",),
                max_reloads=2,
                breaks=(Break((100.0, 200.0), 30.0),),
            ),
        ),
        pairs=(Pair("p", "d"),),
        depot_load_s=60.0,
    )
    again = problem_from_json(problem_to_json(problem))
    assert again.depot_load_s == 60.0
    assert again.pairs == problem.pairs and again.stops == problem.stops
    assert again.vehicle_types == problem.vehicle_types
    from logistics.optimize.routing.jsonio import routing_problem_schema

    schema = routing_problem_schema()
    assert "pairs" in schema["properties"] and "skills" in schema["$defs"]["StopIn"]["properties"]


def test_check_routes_reads_a_plan_and_lists_every_violation(tmp_path: Path) -> None:
    problem = RoutingProblem(
        tuple(_line(3)),
        ("D",),
        (
            Stop("p", "L0", pickup=(3.0,)),
            Stop("d", "L1", demand=(3.0,)),
            Stop("cold", "L2", demand=(1.0,), skills=("cold",)),
        ),
        (VehicleType("van", 2, (5.0,), "D", max_distance_m=5000.0),),
        pairs=(Pair("p", "d"),),
    )
    (tmp_path / "problem.json").write_text(problem_to_json(problem))
    (tmp_path / "plan.json").write_text(
        '{"routes": [{"vehicle_type": "van", "stops": ["d", "p", "cold"], "distance_m": 100}]}'
    )
    runner = CliRunner()
    out = runner.invoke(app, ["optimize", "check-routes", str(tmp_path / "problem.json"), str(tmp_path / "plan.json")])
    assert out.exit_code == 1
    text = " ".join(out.output.split())
    assert "delivers d before picking up its pair p" in text
    assert "stop cold needs the skill cold, which van lacks" in text
    assert "drives 8000.000 m, over the maximum 5000.0" in text  # 2 + 1 + 2 + 3 km
    assert "reported distance 100.0 but it is 8000.0" in text
    # a solver's own result JSON is a plan too, and passes
    result = solve_routing(
        RoutingProblem(problem.locations, ("D",), problem.stops[:2], problem.vehicle_types, pairs=problem.pairs),
        SolveParams(time_limit_s=5, solution_limit=5, backend="ortools"),
    )
    (tmp_path / "problem2.json").write_text(
        problem_to_json(
            RoutingProblem(problem.locations, ("D",), problem.stops[:2], problem.vehicle_types, pairs=problem.pairs)
        )
    )
    (tmp_path / "result.json").write_text(result_to_json(result))
    ok = runner.invoke(
        app, ["optimize", "check-routes", str(tmp_path / "problem2.json"), str(tmp_path / "result.json")]
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        app, ["optimize", "check-routes", str(tmp_path / "problem.json"), str(tmp_path / "problem.json")]
    )
    assert bad.exit_code != 0 and "routes" in bad.output


def test_a_plan_naming_an_unknown_stop_is_refused_by_position() -> None:
    problem = RoutingProblem(tuple(_line(1)), ("D",), (Stop("a", "L0"),), (VehicleType("van", 1, (5.0,), "D"),))
    with pytest.raises(InvalidProblemError) as info:
        plan_from_json(problem, '{"routes": [{"vehicle_type": "van", "stops": ["a", "zz"]}]}')
    assert info.value.field == "routes[0].stops[1]"


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_vehicle_type_drives_at_its_own_speed(backend: str) -> None:
    # 10 km out, window closing at 30 min: the van (10 m/s, 1000 s) makes it, the bike (4 m/s, 2500 s) does not
    locations = (Location("D", 0.0, 0.0), Location("far", 10_000.0, 0.0), Location("near", 500.0, 0.0))
    stops = (Stop("far", "far", demand=(1.0,), window_s=(0.0, 1800.0)), Stop("near", "near", demand=(1.0,)))
    fleet = (VehicleType("bike", 1, (5.0,), "D", speed_m_per_s=4.0), VehicleType("van", 1, (5.0,), "D", fixed_cost=0))
    problem = RoutingProblem(locations, ("D",), stops, fleet, speed_m_per_s=10.0)
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=20))
    assert check_routing(problem, result).ok
    by_stop = {stop: r for r in result.routes for stop in r.stops}
    assert by_stop["far"].vehicle_type == "van"
    far = next(v for v in by_stop["far"].visits if v.stop == "far")
    assert far.arrival_s - by_stop["far"].start_s == pytest.approx(1000.0)  # 10 km at 10 m/s, near on the way
    assert _violations(problem, ("bike", 0, ["far"]), ("van", 0, ["near"])) == (
        "route 0 (bike #0): stop far served at 2500.000 s, after its window closes at 1800.0",
    )
    bike = evaluate_plan(problem, [("bike", 0, ["near"])], ["far"]).routes[0]
    assert bike.duration_s == pytest.approx(1000.0 / 4.0)  # its own speed, not the problem's


def _multi_trip(reloads: tuple[str, ...] = ("D",), max_reloads: int | None = None) -> RoutingProblem:
    circle = [Location(f"L{i}", 1000 * math.cos(i), 1000 * math.sin(i)) for i in range(6)]
    return RoutingProblem(
        (Location("D", 0.0, 0.0), Location("E", 0.0, 5000.0), *circle),
        ("D", "E"),
        (
            *(Stop(f"s{i}", f"L{i}", demand=(3.0,)) for i in range(4)),
            Stop("p", "L4", pickup=(2.0,)),
            Stop("d", "L5", demand=(2.0,)),
        ),
        (VehicleType("van", 1, (6.0,), "D", reload_depots=reloads, max_reloads=max_reloads),),
        pairs=(Pair("p", "d"),),
        depot_load_s=300.0,
    )


def test_one_van_serves_more_than_its_capacity_in_several_trips() -> None:
    problem = _multi_trip()
    for backend in ("pyvrp", "auto"):
        result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=20))
        assert check_routing(problem, result).ok and result.status == Status.FEASIBLE
        (route,) = result.routes
        assert route.trips >= 2 and all(v.on_board[0] <= 6.0 for v in route.visits)
        reload = next(v for v in route.visits if v.reload)
        assert reload.stop == "D" and reload.departure_s - reload.start_s == pytest.approx(300.0)
    single = solve_routing(_multi_trip(reloads=()), SolveParams(time_limit_s=5, backend="pyvrp", solution_limit=20))
    assert single.status == Status.INFEASIBLE  # 14 units, one van of 6, no reloads


def test_checker_catches_reloads_at_the_wrong_depot_too_many_and_pairs_across_trips() -> None:
    from logistics.optimize.routing.plans import Reload

    problem = _multi_trip(max_reloads=1)
    fine = ("van", 0, ["s0", "s1", Reload("D"), "s2", "s3", Reload("D"), "p", "d"])
    assert "reloads 2 times, over the 1 allowed" in " ".join(_violations(problem, fine))
    assert _violations(_multi_trip(), fine) == ()
    wrong = ("van", 0, ["s0", "s1", Reload("E"), "s2", "s3", Reload("D"), "p", "d"])
    assert "route 0 (van #0): reloads at E, not one of its reload depots ['D']" in _violations(_multi_trip(), wrong)
    across = ("van", 0, ["s0", "p", Reload("D"), "d", "s1", Reload("D"), "s2", "s3"])
    assert _violations(_multi_trip(), across) == ("route 0 (van #0): picks up p and delivers d on different trips",)
    heavy = ("van", 0, ["s0", "s1", "s2", Reload("D"), "s3", "p", "d"])
    assert _violations(_multi_trip(), heavy) == (
        "route 0 (van #0): leaves the depot with 9.0 load on trip 1, over the capacity 6.0",
    )
    result = evaluate_plan(_multi_trip(), [fine])
    assert result.routes[0].trips == 3 and result.routes[0].stops == ("s0", "s1", "s2", "s3", "p", "d")
    # the plan's JSON form, as a solution writes it, reads back to the same checked plan
    again = plan_from_json(_multi_trip(), result_to_json(result))
    assert again.routes == result.routes and check_routing(_multi_trip(), again).ok


def _breaks_problem(window_s: tuple[float, float] = (0.0, 10_000.0)) -> RoutingProblem:
    # 1 km apart on a line at 1 m/s: 1000 s a leg; service 600 s; a 30-minute break starting in [1500, 2500]
    return RoutingProblem(
        tuple(_line(3)),
        ("D",),
        tuple(Stop(f"s{i}", f"L{i}", demand=(1.0,), service_s=600.0, window_s=window_s) for i in range(3)),
        (VehicleType("van", 1, (5.0,), "D", breaks=(Break((1500.0, 2500.0), 1800.0),)),),
    )


def test_drivers_take_their_break_in_its_window_and_the_checker_catches_every_way_to_break_the_rule() -> None:
    from dataclasses import replace

    problem = _breaks_problem()
    result = solve_routing(problem, SolveParams(time_limit_s=3, backend="auto"))
    assert result.backend == "auto:ortools" and check_routing(problem, result).ok
    (route,) = result.routes
    ((b0, b1),) = route.breaks
    assert 1500.0 <= b0 <= 2500.0 and b1 - b0 == pytest.approx(1800.0)
    assert all(not (v.start_s < b1 and b0 < v.departure_s) for v in route.visits)  # never during a service
    assert route.end_s - route.start_s >= 6 * 1000 + 3 * 600 + 1800  # out and back, services, the break
    # the solution's JSON, read back as a plan, keeps the breaks and passes
    assert check_routing(problem, plan_from_json(problem, result_to_json(result))).ok
    plan = evaluate_plan(problem, [("van", 0, list(route.stops))])
    assert "takes 0 breaks, its drivers take 1" in " ".join(check_routing(problem, plan).violations)

    def with_breaks(*breaks: tuple[float, float]):  # the solver's plan with other break times
        built = [r for r in result.routes]
        from logistics.optimize.routing.timing import build_route

        index = [next(i for i, s in enumerate(problem.stops) if s.id == x) for x in route.stops]
        built[0] = build_route(problem, problem.vehicle_types[0], 0, index, route.start_s, breaks)
        again = replace(result, routes=tuple(built), distance_m=built[0].distance_m, cost=built[0].cost)
        return check_routing(problem, again).violations

    assert with_breaks((3000.0, 4800.0)) == (
        "route 0 (van #0): a break starts at 3000.000 s, outside its window [1500.0, 2500.0]",
    )
    assert with_breaks((1600.0, 2000.0)) == ("route 0 (van #0): a break lasts 400.000 s, not 1800.0",)
    # a break reported over a service (as a careless plan would write it) is caught
    served = route.visits[0]
    overlapping = replace(route, breaks=((served.start_s, served.start_s + 1800.0),))
    caught = check_routing(problem, replace(result, routes=(overlapping,))).violations
    assert any(f"falls during the service at {served.stop}" in v for v in caught)


def test_a_break_that_pushes_a_stop_past_its_window_is_caught() -> None:
    problem = _breaks_problem(window_s=(0.0, 4000.0))
    two = RoutingProblem(problem.locations, ("D",), problem.stops[:2], problem.vehicle_types)
    result = evaluate_plan(two, [("van", 0, ["s0", "s1"])])
    # a break at 1600 (after s0's service) delays s1 to 1000 + 600 + 1800 + 1000 = 4400 > 4000
    from logistics.optimize.routing.timing import build_route

    late = build_route(two, two.vehicle_types[0], 0, [0, 1], 0.0, ((1600.0, 3400.0),))
    from dataclasses import replace

    plan = replace(result, routes=(late,), distance_m=late.distance_m, cost=late.cost)
    assert check_routing(two, plan).violations == (
        "route 0 (van #0): stop s1 served at 4400.000 s, after its window closes at 4000.0",
    )


@pytest.mark.parametrize("backend", ["ortools", pytest.param("auto", marks=pytest.mark.slow)])
def test_breaks_with_reload_depots_are_solved_when_no_reload_is_needed_and_named_when_one_is(backend: str) -> None:
    """Reloads are allowed, never required: with capacity for every stop in one trip the breaks are planned and
    the plan checks; with capacity for two of three stops, the third is left out saying it would need a reload
    and breaks together (no backend plans both), instead of refusing the whole problem."""
    problem = _breaks_problem()
    fleet = (replace_type(problem.vehicle_types[0], reload_depots=("D",)),)
    both = RoutingProblem(problem.locations, ("D",), problem.stops, fleet)
    result = solve_routing(both, SolveParams(time_limit_s=2, backend=backend))
    assert result.status == Status.FEASIBLE and not result.unassigned and check_routing(both, result).ok
    assert len(result.routes[0].breaks) == 1
    small = (replace_type(fleet[0], capacity=(2.0,)),)
    tight = RoutingProblem(problem.locations, ("D",), problem.stops, small)
    result = solve_routing(tight, SolveParams(time_limit_s=2, backend=backend))
    assert result.status == Status.INFEASIBLE and len(result.unassigned) == 1
    assert "would need a reload" in result.unassigned[0].reason
    assert check_routing(tight, result).feasible  # what it planned is right


def replace_type(t: VehicleType, **changes) -> VehicleType:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    return replace(t, **changes)


def _rush_hour() -> RoutingProblem:
    # 7 o'clock at 0 s; travel takes twice as long from 8 to 10; one stop 3.6 km out, window closing at 9:00
    return RoutingProblem(
        (Location("D", 0.0, 0.0), Location("A", 3600.0, 0.0)),
        ("D",),
        (Stop("a", "A", demand=(1.0,), window_s=(0.0, 7200.0)),),
        (VehicleType("van", 1, (5.0,), "D"),),
        traffic_by_hour=tuple([1.0] * 8 + [2.0] * 2 + [1.0] * 14),
        hour_at_zero=7.0,
    )


@pytest.mark.parametrize("backend", ["ortools", "pyvrp", "auto"])
def test_routes_are_timed_by_the_hour_they_drive_in(backend: str) -> None:
    problem = _rush_hour()
    result = solve_routing(problem, SolveParams(time_limit_s=5, backend=backend, solution_limit=5))
    assert check_routing(problem, result).ok
    (route,) = result.routes
    # planned at the slowest hour (7200 s out, no later than 9:00), it leaves at 7:00 and drives at 1x
    assert route.start_s == pytest.approx(0.0) and route.visits[0].arrival_s == pytest.approx(3600.0)
    assert route.end_s == pytest.approx(3600.0 + 2 * 3600.0)  # back from 8:00 in rush hour: twice as long


def test_checker_times_a_plan_in_rush_hour_and_catches_the_window_it_misses() -> None:
    problem = _rush_hour()
    on_time = plan_from_json(problem, '{"routes": [{"vehicle_type": "van", "stops": ["a"], "start_s": 0}]}')
    assert check_routing(problem, on_time).ok
    late = plan_from_json(problem, '{"routes": [{"vehicle_type": "van", "stops": ["a"], "start_s": 3600}]}')
    # leaving at 8:00 the 3.6 km take 7200 s: served at 10800 s, after 7200
    assert late.routes[0].visits[0].arrival_s == pytest.approx(10_800.0)
    assert check_routing(problem, late).violations == (
        "route 0 (van #0): stop a served at 10800.000 s, after its window closes at 7200.0",
    )


def test_a_bad_traffic_profile_is_named() -> None:
    with pytest.raises(InvalidProblemError) as info:
        RoutingProblem(
            tuple(_line(1)),
            ("D",),
            (Stop("a", "L0"),),
            (VehicleType("van", 1, (5.0,), "D"),),
            traffic_by_hour=(1.0,) * 23,
        )
    assert info.value.field == "traffic_by_hour"
    with pytest.raises(InvalidProblemError) as info:
        RoutingProblem(
            tuple(_line(1)),
            ("D",),
            (Stop("a", "L0"),),
            (VehicleType("van", 1, (5.0,), "D"),),
            traffic_by_hour=(1.0,) * 5 + (0.0,) + (1.0,) * 18,
        )
    assert info.value.field == "traffic_by_hour[5]"


def test_a_small_problem_with_breaks_ends_when_its_search_stalls_not_at_the_limit() -> None:
    places = (Location("D", 0.0, 0.0), Location("A", 1000.0, 0.0), Location("B", 0.0, 1000.0))
    stops = (Stop("a", "A", demand=(1.0,), service_s=300.0), Stop("b", "B", demand=(1.0,), service_s=300.0))
    fleet = (VehicleType("van", 2, (5.0,), "D", breaks=(Break((600.0, 1800.0), 900.0),)),)
    problem = RoutingProblem(places, ("D",), stops, fleet)
    result = solve_routing(problem, SolveParams(time_limit_s=30, backend="ortools"))
    assert check_routing(problem, result).ok and result.runtime_s < 15, result.stats


@pytest.mark.parametrize(
    ("route", "field"),
    [
        ('{"vehicle_type": "van", "stops": ["p", "d"], "distance_m": NaN}', "routes[0].distance_m"),
        ('{"vehicle_type": "van", "stops": ["p", "d"], "distance_m": 1e300}', "routes[0].distance_m"),
        ('{"vehicle_type": "van", "stops": ["p", "d"], "start_s": 0, "breaks": [[0, Infinity]]}', "breaks[0][1]"),
    ],
)
def test_a_plan_with_non_finite_or_absurd_numbers_is_refused_naming_the_field(
    tmp_path: Path, route: str, field: str
) -> None:
    problem = RoutingProblem(
        tuple(_line(3)), ("D",), (Stop("p", "L0", pickup=(3.0,)), Stop("d", "L1", demand=(3.0,))),
        (VehicleType("van", 2, (5.0,), "D"),), pairs=(Pair("p", "d"),),
    )  # fmt: skip
    (tmp_path / "problem.json").write_text(problem_to_json(problem))
    (tmp_path / "plan.json").write_text('{"routes": [' + route + "]}")
    out = CliRunner().invoke(
        app, ["optimize", "check-routes", str(tmp_path / "problem.json"), str(tmp_path / "plan.json")]
    )
    assert out.exit_code == 2, out.output
    assert field in out.output and "finite number" in out.output
