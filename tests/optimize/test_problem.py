"""Bad problems are refused at construction with an error naming the field."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from logistics.optimize import InvalidProblemError, Location, Stop, VehicleType
from logistics.testing.problems import grid_problem, replace_problem


def test_window_end_before_start() -> None:
    p = grid_problem()
    stops = list(p.stops)
    stops[2] = replace(stops[2], window_s=(500.0, 100.0))
    with pytest.raises(InvalidProblemError) as info:
        replace_problem(p, stops=tuple(stops))
    assert info.value.field == "stops[2].window_s"
    assert "before it starts" in str(info.value)


def test_negative_demand() -> None:
    p = grid_problem()
    stops = list(p.stops)
    stops[1] = replace(stops[1], demand=(-1.0,))
    with pytest.raises(InvalidProblemError, match=r"stops\[1\]\.demand\[0\]"):
        replace_problem(p, stops=tuple(stops))


def test_matrix_of_the_wrong_shape() -> None:
    p = grid_problem(n=3)
    with pytest.raises(InvalidProblemError) as info:
        replace_problem(p, distance_m=np.zeros((3, 3)))
    assert info.value.field == "distance_m" and "4 x 4" in info.value.message


def test_unknown_depot() -> None:
    p = grid_problem()
    fleet = (VehicleType("van", 2, (10.0,), start_depot="nowhere"),)
    with pytest.raises(InvalidProblemError) as info:
        replace_problem(p, vehicle_types=fleet)
    assert info.value.field == "vehicle_types[0].start_depot"


def test_nan_coordinates() -> None:
    p = grid_problem()
    locations = list(p.locations)
    locations[3] = Location("L2", math.nan, 0.0)
    with pytest.raises(InvalidProblemError) as info:
        replace_problem(p, locations=tuple(locations))
    assert info.value.field == "locations[3]" and "finite" in info.value.message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda p: {"stops": (*p.stops, p.stops[0])}, "stops[8].id"),
        (lambda p: {"stops": (Stop("x", "nowhere"),)}, "stops[0].location"),
        (lambda p: {"stops": (Stop("x", "D"),)}, "stops[0].location"),
        (lambda p: {"stops": (Stop("x", "L1", demand=(1.0, 2.0)),)}, "stops[0].demand"),
        (lambda p: {"vehicle_types": (VehicleType("v", -1, (1.0,), "D"),)}, "vehicle_types[0].count"),
        (
            lambda p: {"vehicle_types": (VehicleType("v", 1, (1.0,), "D", shift_start_s=10, shift_end_s=5),)},
            "vehicle_types[0].shift_end_s",
        ),
        (lambda p: {"vehicle_types": (VehicleType("v", 0, (1.0,), "D"),)}, "vehicle_types"),
        (lambda p: {"depots": ("ghost",)}, "depots[0]"),
        (lambda p: {"distance_m": np.full((9, 9), np.nan)}, "distance_m"),
    ],
)
def test_other_bad_fields(change, field: str) -> None:  # type: ignore[no-untyped-def]
    p = grid_problem()
    with pytest.raises(InvalidProblemError) as info:
        replace_problem(p, **change(p))
    assert info.value.field == field


def test_problem_is_immutable() -> None:
    p = grid_problem()
    with pytest.raises(Exception):  # noqa: B017 - FrozenInstanceError
        p.name = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        p.distances[0, 1] = 5.0
