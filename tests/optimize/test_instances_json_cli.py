"""Readers of the public formats, JSON in and out, and `logistics optimize routes`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from logistics.cli import app
from logistics.optimize import InvalidProblemError, SolveParams, check_routing, read_instance, solve_routing
from logistics.optimize.routing.jsonio import (
    problem_from_json,
    problem_to_json,
    result_to_json,
    routing_problem_schema,
)
from logistics.testing.problems import grid_problem

DATA = Path(__file__).parent / "data"  # benchmark files kept in the repository (sources in data/README.md)


def test_solomon_reader() -> None:
    p = read_instance(DATA / "C101.txt")
    assert p.name == "C101" and len(p.stops) == 100
    assert p.vehicle_types[0].count == 25 and p.vehicle_types[0].capacity == (200.0,)
    assert p.stops[0].window_s == (912.0, 967.0) and p.stops[0].service_s == 90.0
    assert p.vehicle_types[0].shift_end_s == 1236.0


def test_vrplib_reader_and_the_bks_solution_checks_out() -> None:
    p = read_instance(DATA / "X-n101-k25.vrp")
    assert len(p.stops) == 100 and p.vehicle_types[0].capacity == (206.0,)
    # The published best-known solution, read from its .sol file, must pass our checker at its BKS cost.
    from logistics.optimize import Route, RoutingResult, Status
    from logistics.optimize.routing.timing import build_route

    routes = []
    for k, line in enumerate((DATA / "X-n101-k25.sol").read_text().splitlines()):
        if line.startswith("Route"):
            ids = [str(int(x) + 1) for x in line.split(":")[1].split()]
            routes.append(build_route(p, p.vehicle_types[0], k, [int(i) - 2 for i in ids]))
    result = RoutingResult(
        Status.FEASIBLE,
        tuple(routes),
        (),
        0.0,
        sum(r.distance_m for r in routes),
        sum(r.cost for r in routes),
        len(routes),
        0.0,
        "bks",
    )
    report = check_routing(p, result)
    assert report.ok, report.violations
    assert report.distance_m == 27591
    assert isinstance(routes[0], Route)


def test_json_round_trip_and_schema(tmp_path: Path) -> None:
    p = grid_problem(n=5, windows=True)
    again = problem_from_json(problem_to_json(p))
    assert again.stops == p.stops and again.vehicle_types == p.vehicle_types
    result = solve_routing(again, SolveParams(solution_limit=5))
    data = json.loads(result_to_json(result))
    assert data["status"] == "feasible" and data["routes"][0]["visits"][0]["stop"].startswith("s")
    assert "vehicle_types" in routing_problem_schema()["properties"]


def test_json_errors_name_the_field() -> None:
    text = problem_to_json(grid_problem(n=2)).replace('"start_depot": "D"', '"start_depot": "X"')
    with pytest.raises(InvalidProblemError, match=r"vehicle_types\[0\]\.start_depot"):
        problem_from_json(text)
    with pytest.raises(InvalidProblemError, match="locations"):
        problem_from_json('{"depots": [], "stops": [], "vehicle_types": []}')


def test_cli_optimize_routes(tmp_path: Path) -> None:
    problem = tmp_path / "p.json"
    problem.write_text(problem_to_json(grid_problem(n=6, windows=True)))
    out = tmp_path / "sol.json"
    result = CliRunner().invoke(
        app,
        ["optimize", "routes", str(problem), "--time-limit", "1", "--solution-limit", "5", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "independent check" in result.output and "ok" in result.output
    assert json.loads(out.read_text())["status"] == "feasible"
    bad = CliRunner().invoke(app, ["optimize", "routes", str(problem), "--backend", "magic"])
    assert bad.exit_code == 2 and "unknown backend" in bad.output


def test_cli_optimize_routes_with_a_users_matrices(tmp_path: Path) -> None:
    base = grid_problem(n=5, windows=False)
    ids = [loc.id for loc in base.locations]
    problem = tmp_path / "p.json"
    problem.write_text(problem_to_json(base))
    doubled = base.distances * 2.0  # the user's road distances: twice the straight line
    rows = [",".join([a, *(f"{v:.6f}" for v in row)]) for a, row in zip(ids, doubled, strict=True)]
    lines = [",".join(["from/to", *ids]), *rows]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    out = tmp_path / "sol.json"
    args = ["optimize", "routes", str(problem), "--distances", str(tmp_path / "d.csv"), "--out", str(out)]
    result = CliRunner().invoke(app, [*args, "--time-limit", "2", "--solution-limit", "5", "--backend", "ortools"])
    assert result.exit_code == 0, result.output
    plain = solve_routing(base, SolveParams(time_limit_s=2, solution_limit=5, backend="ortools"))
    assert json.loads(out.read_text())["distance_m"] == pytest.approx(2.0 * plain.distance_m, rel=1e-6)
    (tmp_path / "bad.csv").write_text("\n".join([*lines[:2], lines[2].replace(",", ",x", 1), *lines[3:]]) + "\n")
    bad = CliRunner().invoke(app, ["optimize", "routes", str(problem), "--distances", str(tmp_path / "bad.csv")])
    assert bad.exit_code == 2 and "row 3 column 2" in bad.output, bad.output
