"""Dock appointments: exact on small cases, every plan checked, bad input named."""

from __future__ import annotations

import pytest

from logistics.optimize import InvalidProblemError, Status
from logistics.optimize.docks import DockDoor, DockParams, DockProblem, Truck, check_docks, solve_docks


def test_two_trucks_one_door_the_urgent_one_goes_first() -> None:
    problem = DockProblem(
        (Truck("low", 0, 4, priority=1), Truck("high", 0, 4, priority=5)), (DockDoor("D1"),), horizon_slots=20
    )
    plan = solve_docks(problem, DockParams(time_limit_s=5))
    assert plan.status == Status.OPTIMAL and check_docks(problem, plan).ok
    starts = {a.truck: a.start_slot for a in plan.appointments}
    assert starts == {"high": 0, "low": 4}
    assert plan.objective == pytest.approx(4.0)  # low waits 4 slots at weight 1


def test_buffer_and_door_types_are_respected() -> None:
    trucks = tuple(Truck(f"T{i}", i, 3, door_type="cold" if i % 3 == 0 else "standard") for i in range(12))
    doors = (DockDoor("C1", "cold"), DockDoor("S1"), DockDoor("S2"))
    problem = DockProblem(trucks, doors, horizon_slots=40, buffer_slots=1)
    plan = solve_docks(problem, DockParams(time_limit_s=10))
    assert plan.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert check_docks(problem, plan).violations == ()
    assert len(plan.appointments) == 12
    assert all(a.door == "C1" for a in plan.appointments if a.truck in {"T0", "T3", "T6", "T9"})


def test_a_truck_without_a_matching_door_is_reported() -> None:
    problem = DockProblem((Truck("hz", 0, 2, door_type="hazardous"), Truck("ok", 0, 2)), (DockDoor("D1"),))
    plan = solve_docks(problem, DockParams(time_limit_s=5))
    assert plan.status == Status.INFEASIBLE
    assert plan.unscheduled == (("hz", "no door of type 'hazardous'"),)
    assert check_docks(problem, plan).ok


def test_checker_catches_an_overlap() -> None:
    from dataclasses import replace

    problem = DockProblem((Truck("a", 0, 4), Truck("b", 0, 4)), (DockDoor("D1"), DockDoor("D2")), horizon_slots=10)
    plan = solve_docks(problem, DockParams(time_limit_s=5))
    clash = tuple(replace(a, door="D1") for a in plan.appointments)
    assert any("overlaps" in v for v in check_docks(problem, replace(plan, appointments=clash)).violations)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"trucks": (Truck("a", -1, 2),)}, "trucks[0].arrival_slot"),
        ({"trucks": (Truck("a", 0, 0),)}, "trucks[0].duration_slots"),
        ({"trucks": (Truck("a", 5, 2, due_slot=6),)}, "trucks[0].due_slot"),
        ({"doors": ()}, "doors"),
        ({"buffer_slots": -1}, "buffer_slots"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict, field: str) -> None:
    args = {"trucks": (Truck("a", 0, 2),), "doors": (DockDoor("D1"),)}
    args.update(kwargs)
    with pytest.raises(InvalidProblemError) as info:
        DockProblem(**args)
    assert info.value.field == field


def test_cli_optimize_docks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from typer.testing import CliRunner

    from logistics.cli import app

    problem = {
        "trucks": [{"id": f"T{i}", "arrival_slot": i, "duration_slots": 3, "priority": 1 + i % 2} for i in range(6)],
        "doors": [{"id": "D1"}, {"id": "D2"}],
        "horizon_slots": 40,
        "buffer_slots": 1,
    }
    path = tmp_path / "docks.json"
    path.write_text(json.dumps(problem))
    out = tmp_path / "plan.json"
    result = CliRunner().invoke(app, ["optimize", "docks", str(path), "--time-limit", "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["status"] == "optimal"
    problem["trucks"][0]["duration_slots"] = 0
    path.write_text(json.dumps(problem))
    bad = CliRunner().invoke(app, ["optimize", "docks", str(path)])
    assert bad.exit_code == 2 and "trucks[0].duration_slots" in bad.output
