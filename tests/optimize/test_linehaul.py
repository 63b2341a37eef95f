"""The line-haul space-allocation MIP on small cases with known answers."""

from __future__ import annotations

import math

import pytest

from logistics.optimize.linehaul import Departure, ShipmentClass, SpaceProblem, solve_space
from logistics.optimize.routing.problem import InvalidProblemError


def _dep(t: float, transit: float, per_kg: float, cap: float = 100.0, block: float = 0.0) -> Departure:
    return Departure("l", t, t + transit, 0.0, cap, 1e6, block, per_kg, 0.0, 0.006)


def _cls(count: int, due: float = math.inf, first_ok: bool = True) -> ShipmentClass:
    return ShipmentClass(count, 1.0, 0.001, 1.0, due, first_ok)


def test_capacity_binds_and_the_rest_wait_for_the_next_departure() -> None:
    problem = SpaceProblem(0.0, (_dep(0, 3, 10, cap=3), _dep(24, 3, 10, cap=100)), (_cls(5, due=10.0),), 1.0, 72.0)
    plan = solve_space(problem)
    assert plan.counts.tolist() == [[3, 2]] and plan.later.tolist() == [0]


def test_paid_block_space_is_filled_before_cheaper_later_space() -> None:
    # the first departure's 4 kg block is already paid: fill it; the rest goes cheap on the second
    problem = SpaceProblem(0.0, (_dep(0, 3, 50, block=4), _dep(24, 3, 10)), (_cls(10),), 0.0, 72.0)
    plan = solve_space(problem)
    assert plan.counts.tolist() == [[4, 6]]
    assert plan.objective == pytest.approx(60.0, abs=0.01)


def test_urgent_goes_fast_and_the_rest_goes_cheap() -> None:
    deps = (_dep(0, 3, 50), _dep(12, 6, 10))
    classes = (_cls(1, due=5.0), _cls(1, due=100.0), _cls(1, due=5.0, first_ok=False))
    plan = solve_space(SpaceProblem(0.0, deps, classes, 100.0, 72.0))
    assert plan.counts.tolist() == [[1, 0], [0, 1], [0, 1]]  # the third missed the cut-off: the next one


def test_bad_problems_name_the_field() -> None:
    with pytest.raises(InvalidProblemError, match="departures"):
        SpaceProblem(0.0, (), (), 1.0, 72.0)
    with pytest.raises(InvalidProblemError, match=r"classes\[0\]\.count"):
        SpaceProblem(0.0, (_dep(0, 3, 1),), (_cls(-1),), 1.0, 72.0)
