"""Every malformed optimizer input gets an InvalidProblemError naming the field (exit 2 on the command line),
statuses are honest (an invalid model is `invalid`, exit non-zero) and nothing hangs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.optimize import SolveParams, solve_routing
from logistics.optimize.docks import DockDoor, DockParams, DockProblem, Truck, solve_docks
from logistics.optimize.routing.jsonio import problem_from_json
from logistics.optimize.routing.problem import InvalidProblemError
from logistics.optimize.routing.result import Status
from logistics.testing.problems import grid_problem, replace_problem

BASE = {
    "locations": [{"id": "D", "x": 0, "y": 0}, {"id": "A", "x": 300, "y": 400}, {"id": "B", "x": -300, "y": 400}],
    "depots": ["D"],
    "stops": [{"id": "a", "location": "A", "demand": [1]}, {"id": "b", "location": "B", "demand": [1]}],
    "vehicle_types": [{"id": "v", "count": 1, "capacity": [5], "start_depot": "D"}],
}


HEAD = "NAME : x\nTYPE : CVRP\nDIMENSION : {}\nEDGE_WEIGHT_TYPE : EUC_2D\nCAPACITY : 10\n"


def _cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"distance_m": [[0, 1, 2], [1, 0], [2, 1, 0]]}, "distance_m"),  # ragged
        ({"distance_m": [[5, 1, 2], [1, 0, 1], [2, 1, 0]]}, "distance_m"),  # non-zero diagonal
        ({"distance_m": [[0, 1e19, 2], [1, 0, 1], [2, 1, 0]]}, "distance_m"),  # int64 overflow after scaling
        (
            {"locations": [{"id": "D", "x": 0, "y": 0}, {"id": "A", "x": 1e300, "y": 0}, {"id": "B", "x": 1, "y": 1}]},
            "locations[1]",
        ),
        (
            {"vehicle_types": [{"id": "v", "count": 10**12, "capacity": [5], "start_depot": "D"}]},
            "vehicle_types[0].count",
        ),
    ],
)
def test_malformed_routing_json_names_the_field(change: dict, field: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidProblemError) as info:
        problem_from_json(json.dumps({**BASE, **change}))
    assert info.value.field == field, str(info.value)


def test_a_non_utf8_file_and_a_bad_seed_are_clean_errors(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(json.dumps(BASE).encode() + b"\xff\xfe")
    result = _cli("optimize", "routes", str(path))
    assert result.exit_code == 2 and "not UTF-8" in result.output
    path.write_text(json.dumps(BASE))
    result = _cli("optimize", "routes", str(path), "--seed", "-1")
    assert result.exit_code == 2 and "params.seed" in result.output


@pytest.mark.parametrize(
    "text",
    [
        "",
        HEAD.format(3) + "NODE_COORD_SECTION\n1 0 0\n2 1\n",
        HEAD.format(2) + "DEMAND_SECTION\n1 0\n2 1\nEOF\n",
    ],
)
def test_broken_vrplib_files_are_clean_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.vrp"
    path.write_text(text)
    result = _cli("optimize", "routes", str(path), "--time-limit", "1")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("error ") and "x.vrp" in result.output


def test_dock_fields_of_the_wrong_type_and_huge_horizons_are_refused_at_once(tmp_path: Path) -> None:
    with pytest.raises(InvalidProblemError, match=r"trucks\[0\].arrival_slot"):
        DockProblem((Truck("t", 1.5, 2),), (DockDoor("d"),))  # type: ignore[arg-type]
    start = time.perf_counter()
    with pytest.raises(InvalidProblemError, match="horizon_slots"):
        DockProblem((Truck("t", 1, 2),), (DockDoor("d"),), horizon_slots=10**9)
    assert time.perf_counter() - start < 1
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"trucks": 5, "doors": [{"id": "d"}]}))
    result = _cli("optimize", "docks", str(path))
    assert result.exit_code == 2 and "trucks: must be a list" in result.output


def test_an_invalid_dock_model_is_reported_invalid_and_exits_non_zero(tmp_path: Path) -> None:
    trucks = tuple(Truck(f"t{i}", 0, 2, due_slot=2, priority=1e6) for i in range(2))
    problem = DockProblem(trucks, (DockDoor("d"),), horizon_slots=20_000, lateness_weight=1e6, unscheduled_penalty=1e9)
    plan = solve_docks(problem, DockParams(time_limit_s=5, workers=1))
    assert plan.status in (Status.INVALID, Status.OPTIMAL, Status.FEASIBLE)
    if plan.status == Status.INVALID:
        assert all("invalid" in reason for _, reason in plan.unscheduled)
        path = tmp_path / "d.json"
        data = {
            "trucks": [
                {"id": t.id, "arrival_slot": 0, "duration_slots": 2, "due_slot": 2, "priority": 1e6} for t in trucks
            ],
            "doors": [{"id": "d"}],
            "horizon_slots": 20_000,
            "lateness_weight": 1e6,
            "unscheduled_penalty": 1e9,
        }
        path.write_text(json.dumps(data))
        assert _cli("optimize", "docks", str(path), "--time-limit", "5").exit_code == 1


def test_the_default_backend_solves_what_either_backend_solves() -> None:
    problem = grid_problem(n=30, vehicles=6, capacity=12.0, windows=True)
    result = solve_routing(problem, SolveParams(time_limit_s=2.0, seed=1, solution_limit=50))
    assert result.backend.startswith("auto")
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert not result.unassigned


def test_the_cli_exits_non_zero_when_required_stops_are_left_out(tmp_path: Path) -> None:
    problem = replace_problem(grid_problem(n=6, vehicles=1, capacity=4.0), dimensions=("parcels",))
    path = tmp_path / "p.json"
    from logistics.optimize.routing.jsonio import problem_to_json

    path.write_text(problem_to_json(problem))
    result = _cli("optimize", "routes", str(path), "--time-limit", "1")
    assert result.exit_code == 1, result.output


def test_the_problem_error_keeps_its_message_when_rebuilt_from_its_args() -> None:
    import pickle

    err = InvalidProblemError("vehicle_types[1].id", "vehicle type id 'van' is used twice")
    for copy in (type(err)(*err.args), pickle.loads(pickle.dumps(err))):  # SimPy re-raises, pools pickle
        assert str(copy) == "vehicle_types[1].id: vehicle type id 'van' is used twice"
        assert copy.field == "vehicle_types[1].id"


def test_a_null_slot_table_path_and_an_empty_slot_table(tmp_path: Path) -> None:
    folder = tmp_path / "layout"
    assert (
        _cli("optimize", "slots-example", str(folder), "--aisles", "6", "--bays", "4", "--orders", "50").exit_code == 0
    )
    layout = json.loads((folder / "layout.json").read_text())
    (folder / "null.json").write_text(json.dumps({**layout, "slots_csv": None}))
    result = _cli("optimize", "slots", str(folder / "null.json"), str(folder / "skus.csv"))
    assert result.exit_code == 2 and "slots_csv" in result.output
    header = (folder / "slots.csv").read_text().splitlines()[0]
    (folder / "empty.csv").write_text(header + "\n")
    result = _cli(
        "optimize",
        "slots",
        str(folder / "layout.json"),
        str(folder / "skus.csv"),
        "--slots-csv",
        str(folder / "empty.csv"),
    )
    assert result.exit_code == 1, result.output  # nothing can be placed: infeasible, said so, not a traceback
    assert "do not fit" in result.output
