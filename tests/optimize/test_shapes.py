"""One solver shape and one checker shape for every problem: `solve_x(problem, params) -> result` with a
`Status`, `check_x(problem, plan) -> Check` whose `ok` is False, naming the rule, for a plan that breaks one."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from logistics.optimize import (
    Check,
    Departure,
    DockDoor,
    DockParams,
    DockProblem,
    Location,
    RoutingProblem,
    ShipmentClass,
    SkuTable,
    SlottingParams,
    SlottingProblem,
    SolveParams,
    SpaceParams,
    SpaceProblem,
    Status,
    Stop,
    Truck,
    VehicleType,
    check_docks,
    check_routing,
    check_slotting,
    check_space,
    solve_docks,
    solve_routing,
    solve_slotting,
    solve_space,
)
from logistics.optimize.picking import Zone, ZoneBand, generate_layout


def _routing() -> tuple[object, object, Callable, Callable, Callable]:
    problem = RoutingProblem(
        (Location("D", 0.0, 0.0), Location("A", 3.0, 4.0), Location("B", 6.0, 0.0)),
        ("D",),
        (Stop("a", "A", demand=(2.0,)), Stop("b", "B", demand=(2.0,))),
        (VehicleType("van", 2, (3.0,), "D"),),
    )

    def broken(plan):  # type: ignore[no-untyped-def]
        route = plan.routes[0]
        return replace(plan, routes=(replace(route, distance_m=route.distance_m + 1.0), *plan.routes[1:]))

    return (
        problem,
        SolveParams(time_limit_s=5, backend="ortools", solution_limit=5),
        solve_routing,
        check_routing,
        broken,
    )


def _slotting() -> tuple[object, object, Callable, Callable, Callable]:
    layout = generate_layout([ZoneBand(Zone("ambient"), 2)], bays_per_block=3, levels=2)
    skus = SkuTable.build(["a", "b", "c"], [30.0, 10.0, 1.0], [5.0, 5.0, 5.0], [2.0, 2.0, 2.0])
    problem = SlottingProblem(layout, skus)

    def broken(plan):  # type: ignore[no-untyped-def]
        sku_of_slot = plan.sku_of_slot.copy()
        sku_of_slot[sku_of_slot == 0] = -1  # SKU a loses its slots, unreported
        return replace(plan, sku_of_slot=sku_of_slot)

    return problem, SlottingParams("optimal"), solve_slotting, check_slotting, broken


def _docks() -> tuple[object, object, Callable, Callable, Callable]:
    problem = DockProblem(
        (Truck("t1", 0, 2), Truck("t2", 0, 2), Truck("t3", 1, 1)), (DockDoor("d1"), DockDoor("d2")), 12, 30.0
    )

    def broken(plan):  # type: ignore[no-untyped-def]
        first = plan.appointments[0]
        return replace(plan, appointments=(*plan.appointments, replace(first, truck=first.truck)))

    return problem, DockParams(time_limit_s=5, workers=1), solve_docks, check_docks, broken


def _space() -> tuple[object, object, Callable, Callable, Callable]:
    deps = (
        Departure("sea", 0.0, 72.0, 0.0, 3.0, 1e6, 0.0, 10.0, 0.0, 0.006),
        Departure("sea", 24.0, 96.0, 0.0, 100.0, 1e6, 0.0, 10.0, 0.0, 0.006),
    )
    problem = SpaceProblem(0.0, deps, (ShipmentClass(5, 1.0, 0.001, 1.0, math.inf, True),), 1.0, 72.0)

    def broken(plan):  # type: ignore[no-untyped-def]
        return replace(plan, counts=np.array([[5, 0]]))  # 5 kg on a departure with room for 3

    return problem, SpaceParams(time_limit_s=5, node_limit=1000), solve_space, check_space, broken


@pytest.mark.parametrize("case", [_routing, _slotting, _docks, _space], ids=["routing", "slotting", "docks", "space"])
def test_every_problem_solves_and_checks_in_the_same_shape(case: Callable) -> None:
    problem, params, solve, check, broken = case()
    plan = solve(problem, params)
    assert Status(plan.status) in (Status.OPTIMAL, Status.FEASIBLE)
    report = check(problem, plan)
    assert isinstance(report, Check) and report.ok, report.violations
    bad = check(problem, broken(plan))
    assert isinstance(bad, Check) and not bad.ok and bad.violations
