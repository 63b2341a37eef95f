"""Travel-matrix providers: straight line and an OSRM table client, tested against a response file in the
OSRM table service's format (`data/osrm_table_shanghai.json`)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from logistics.optimize import (
    InvalidProblemError,
    Location,
    RoutingProblem,
    SolveParams,
    Stop,
    VehicleType,
    check_routing,
    solve_routing,
)
from logistics.optimize.routing.travel import OsrmTable, StraightLine, with_travel

RECORDED = Path(__file__).parent / "data" / "osrm_table_shanghai.json"
PLACES = (
    Location("bonded_wh", lat=31.345, lon=121.601),
    Location("depot", lat=31.30, lon=121.62),
    Location("customer", lat=31.24, lon=121.55),
)


def _recorded(expected_url: list[str]):  # type: ignore[no-untyped-def]
    def fetch(url: str, timeout_s: float) -> bytes:
        expected_url.append(url)
        return RECORDED.read_bytes()

    return fetch


def test_osrm_table_asks_in_longitude_latitude_order_and_reads_both_tables() -> None:
    asked: list[str] = []
    travel = OsrmTable("http://osrm.local:5000/", fetch=_recorded(asked)).matrices(PLACES)
    assert asked == [
        "http://osrm.local:5000/table/v1/driving/121.601000,31.345000;121.620000,31.300000;121.550000,31.240000"
        "?annotations=distance,duration"
    ]
    recorded = json.loads(RECORDED.read_text())
    assert np.array_equal(travel.distance_m, np.array(recorded["distances"], dtype=float))
    assert np.array_equal(travel.duration_s, np.array(recorded["durations"], dtype=float))


def test_a_problem_on_osrm_times_is_solved_and_checked_with_them_asymmetric() -> None:
    problem = RoutingProblem(
        PLACES,
        ("depot",),
        (Stop("a", "bonded_wh", pickup=(1.0,)), Stop("b", "customer", demand=(1.0,))),
        (VehicleType("van", 1, (5.0,), "depot", cost_per_km=2.0, cost_per_h=60.0),),
        objective="cost",
    )
    on_roads = with_travel(problem, OsrmTable(fetch=_recorded([])))
    result = solve_routing(on_roads, SolveParams(time_limit_s=5, backend="ortools", solution_limit=5))
    assert check_routing(on_roads, result).ok
    # the depot is row 1: either way round, the legs are the table's, in the direction driven
    order = [
        PLACES.index(next(p for p in PLACES if p.id == {"a": "bonded_wh", "b": "customer"}[s]))
        for s in result.routes[0].stops
    ]
    legs = [1, *order, 1]
    table = json.loads(RECORDED.read_text())["distances"]
    assert result.distance_m == pytest.approx(sum(table[i][j] for i, j in itertools.pairwise(legs)))


@pytest.mark.parametrize(
    ("answer", "field", "words"),
    [
        (b'{"code": "InvalidQuery", "message": "Query string malformed close to position 28"}', "osrm", "InvalidQuery"),
        (b"<html>502 Bad Gateway</html>", "osrm", "not JSON"),
        (b'{"code": "Ok", "durations": [[0, 1], [1, 0]]}', "osrm.distances", "3 x 3"),
    ],
)
def test_a_bad_osrm_answer_is_named(answer: bytes, field: str, words: str) -> None:
    provider = OsrmTable(fetch=lambda url, timeout_s: answer)
    with pytest.raises(InvalidProblemError) as info:
        provider.matrices(PLACES)
    assert info.value.field == field and words in info.value.message


def test_an_unreachable_pair_is_named_by_its_places() -> None:
    recorded = json.loads(RECORDED.read_text())
    recorded["durations"][2][0] = None
    provider = OsrmTable(fetch=lambda url, timeout_s: json.dumps(recorded).encode())
    with pytest.raises(InvalidProblemError) as info:
        provider.matrices(PLACES)
    assert info.value.field == "osrm.durations[2][0]" and "'customer' to 'bonded_wh'" in info.value.message


def test_a_server_that_does_not_answer_is_named() -> None:
    def refused(url: str, timeout_s: float) -> bytes:
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(InvalidProblemError, match="no answer from http://localhost:5000"):
        OsrmTable(fetch=refused).matrices(PLACES)


def test_osrm_needs_latitudes_and_longitudes() -> None:
    with pytest.raises(InvalidProblemError) as info:
        OsrmTable(fetch=_recorded([])).matrices((Location("a", 0.0, 0.0), Location("b", 1.0, 0.0)))
    assert info.value.field == "locations[0]"


def test_straight_line_provider_matches_the_problems_own_rule() -> None:
    problem = RoutingProblem(
        PLACES,
        ("depot",),
        (Stop("b", "customer"),),
        (VehicleType("van", 1, (5.0,), "depot"),),
        circuity=1.3,
        speed_m_per_s=8.0,
    )
    travel = StraightLine(speed_m_per_s=8.0, circuity=1.3).matrices(PLACES)
    assert np.allclose(travel.distance_m, problem.distances) and np.allclose(travel.duration_s, problem.durations)


def test_the_cli_names_an_osrm_server_that_does_not_answer(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from logistics.cli import app
    from logistics.optimize.routing.jsonio import problem_to_json

    problem = RoutingProblem(PLACES, ("depot",), (Stop("b", "customer"),), (VehicleType("van", 1, (5.0,), "depot"),))
    (tmp_path / "p.json").write_text(problem_to_json(problem))
    out = CliRunner().invoke(app, ["optimize", "routes", str(tmp_path / "p.json"), "--osrm", "http://127.0.0.1:9"])
    assert out.exit_code == 2 and "no answer from http://127.0.0.1:9" in " ".join(out.output.split())
