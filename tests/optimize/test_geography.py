"""Locations by latitude and longitude: great-circle distances times a circuity factor, checked bad input, and
plans on them that pass the independent checker (also through the JSON format)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from logistics.optimize.routing.jsonio import problem_from_json, problem_to_json
from logistics.optimize.routing.problem import EARTH_RADIUS_M

QINGDAO = (36.0671, 120.3826)
FLEET = (VehicleType("van", 2, (10.0,), "depot"),)


def _problem(points: list[tuple[float, float]], circuity: float = 1.0) -> RoutingProblem:
    locations = [Location("depot", lat=points[0][0], lon=points[0][1])]
    locations += [Location(f"c{i}", lat=a, lon=b) for i, (a, b) in enumerate(points[1:])]
    stops = tuple(Stop(f"s{i}", f"c{i}", (1.0,)) for i in range(len(points) - 1))
    return RoutingProblem(tuple(locations), ("depot",), stops, FLEET, speed_m_per_s=8.0, circuity=circuity)


def test_a_degree_of_latitude_and_of_longitude_at_the_equator() -> None:
    one_degree = EARTH_RADIUS_M * math.pi / 180  # about 111.2 km
    d = _problem([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (60.0, 0.0), (60.0, 1.0)]).distances
    assert d[0, 1] == pytest.approx(one_degree, rel=1e-9) and d[0, 2] == pytest.approx(one_degree, rel=1e-9)
    # at 60 degrees north a degree of longitude is about half as long (small-angle: cos 60)
    assert d[3, 4] == pytest.approx(one_degree * 0.5, rel=1e-4)


def test_qingdao_to_shanghai_and_the_circuity_factor() -> None:
    shanghai = (31.2304, 121.4737)
    straight = _problem([QINGDAO, shanghai]).distances[0, 1]
    assert 535_000 < straight < 555_000  # about 545 km as the crow flies
    road = _problem([QINGDAO, shanghai], circuity=1.3).distances[0, 1]
    assert road == pytest.approx(1.3 * straight)
    assert _problem([QINGDAO, shanghai], circuity=1.3).durations[0, 1] == pytest.approx(road / 8.0)


coords = st.tuples(st.floats(-89.9, 89.9), st.floats(-179.9, 179.9))


@settings(max_examples=60, deadline=None)
@given(st.lists(coords, min_size=3, max_size=6))
def test_great_circle_distances_are_a_metric(points: list[tuple[float, float]]) -> None:
    d = _problem(points).distances
    assert np.allclose(d, d.T) and np.allclose(np.diag(d), 0.0)
    assert (d <= math.pi * EARTH_RADIUS_M + 1e-6).all()
    n = len(points)
    for i in range(n):
        for j in range(n):
            assert (d[i, j] <= d[i, :] + d[:, j] + 1e-3).all()  # triangle inequality through every k


def test_a_plan_on_latitudes_and_longitudes_passes_the_checker_and_round_trips_json() -> None:
    rng = np.random.default_rng(3)
    city = [QINGDAO] + [(QINGDAO[0] + a, QINGDAO[1] + b) for a, b in rng.uniform(-0.08, 0.08, (12, 2))]
    problem = _problem(city, circuity=1.3)
    again = problem_from_json(problem_to_json(problem))
    assert np.array_equal(again.distances, problem.distances) and again.circuity == 1.3
    result = solve_routing(problem, SolveParams(time_limit_s=2, backend="ortools", solution_limit=20))
    report = check_routing(problem, result)
    assert report.ok, report.violations
    assert not result.unassigned and report.distance_m == pytest.approx(result.distance_m)


@pytest.mark.parametrize(
    ("locations", "field", "words"),
    [
        ([Location("depot", lat=95.0, lon=10.0), Location("c0", lat=1.0, lon=1.0)], "locations[0].lat", "90"),
        ([Location("depot", lat=10.0, lon=10.0), Location("c0", lat=1.0, lon=181.0)], "locations[1].lon", "180"),
        ([Location("depot", lat=10.0, lon=10.0), Location("c0", x=1.0, y=1.0)], "locations[1].lat", "latitude"),
        ([Location("depot", x=0.0, y=0.0), Location("c0", lat=1.0, lon=1.0)], "locations[1]", "lat and lon"),
        ([Location("depot", lat=1.0, lon=1.0, x=0.0, y=0.0), Location("c0", lat=1.0, lon=1.0)], "locations[0]", "both"),
    ],
)
def test_bad_coordinates_name_the_field(locations: list[Location], field: str, words: str) -> None:
    with pytest.raises(InvalidProblemError) as err:
        RoutingProblem(tuple(locations), ("depot",), (Stop("s0", "c0", (1.0,)),), FLEET)
    assert err.value.field == field and words in str(err.value)


def test_circuity_below_one_is_refused() -> None:
    with pytest.raises(InvalidProblemError, match="circuity"):
        _problem([QINGDAO, (36.1, 120.4)], circuity=0.8)
